"""The REST API's programs, memberships, pairings and check-ins: fetched through
mentorship.policy, changed through mentorship.services."""

from django.db.models import Q
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from mentorship import policy as mentorship_policy
from mentorship import selectors as mentorship_selectors
from mentorship import services as mentorship_services
from mentorship.forms import CheckInForm, ProgramForm
from mentorship.models import (
    CheckIn,
    Membership,
    PairingStatus,
    Program,
    Role,
)

from . import selectors
from . import serializers as s

# Case-insensitive, so an upper-case UUID reaches the view (and its JSON 404) rather than
from .params import (
    UUID_PATTERN,
    date_params,
    filter_date_range,
    form_errors,
    page_form_data,
    parse_choice_param,
    parse_uuid_param,
)

# --- Programs and memberships ---------------------------------------------------------------


class ProgramViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Programs the user runs (program admins). Members of a program who are not its admins
    get 403 on it, everyone else 404, as on the pages."""

    serializer_class = s.ProgramSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return mentorship_selectors.programs_for_admin(self.request.user).order_by(
            "-is_active", "name", "pk"
        )

    def get_object(self):
        return mentorship_policy.get_program_for_admin(self.request.user, self.kwargs["uuid"])

    def _validated_with_page_form(self, serializer, instance=None) -> dict:
        """The page's ProgramForm judges the input (dates in order, unique short name)."""
        base = {}
        if instance is not None:
            base = {name: getattr(instance, name) for name in ProgramForm._meta.fields}
        form = ProgramForm(
            data=page_form_data(base, serializer.validated_data),
            instance=instance if instance is not None else Program(),
        )
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        return {k: v for k, v in form.cleaned_data.items() if k in serializer.validated_data}

    def perform_create(self, serializer):
        mentorship_policy.require(mentorship_policy.can_create_program(self.request.user))
        fields = self._validated_with_page_form(serializer)
        serializer.instance = mentorship_services.program_create(
            created_by=self.request.user, **fields
        )

    def perform_update(self, serializer):
        fields = self._validated_with_page_form(serializer, serializer.instance)
        serializer.instance = mentorship_services.program_update(
            program=serializer.instance, **fields
        )

    @extend_schema(
        responses=s.MembershipSerializer(many=True),
        parameters=[OpenApiParameter("role", str, enum=list(Role.values))],
    )
    @action(detail=True, methods=["get"])
    def memberships(self, request, uuid=None):
        program = self.get_object()
        role = parse_choice_param(request, "role", Role.values)
        qs = (
            Membership.objects.filter(program=program)
            .select_related("user")
            .order_by("role", "user__email", "pk")
        )
        if role:
            qs = qs.filter(role=role)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.MembershipSerializer(page, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "part",
                str,
                OpenApiParameter.PATH,
                enum=["members", "pairings", "checkins", "goals"],
            )
        ],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)},
        summary="The program's members, pairings, check-ins or goal progress as CSV",
    )
    @action(
        detail=True, methods=["get"], url_path=r"export/(?P<part>members|pairings|checkins|goals)"
    )
    def export(self, request, uuid=None, part=None):
        from .export import program_export_csv

        program = self.get_object()
        body = program_export_csv(program=program, part=part, user=request.user)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{program.slug}-{part}.csv"'
        return response


# --- Pairings and check-ins -----------------------------------------------------------------


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, enum=list(PairingStatus.values)),
        OpenApiParameter("program", OpenApiTypes.UUID),
        OpenApiParameter("role", str, enum=["mentor", "mentee", "admin"]),
        *date_params("checkin_due_before", "checkin_due_after"),
    ]
)
class PairingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pairings the user is in (as mentor or mentee) or whose program they run."""

    serializer_class = s.PairingSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        user = self.request.user
        qs = selectors.pairings_visible_to(user).select_related("program", "mentor", "mentee")
        if self.action == "list":
            status_ = parse_choice_param(self.request, "status", list(PairingStatus.values))
            if status_:
                qs = qs.filter(status=status_)
            program = parse_uuid_param(self.request, "program")
            if program:
                qs = qs.filter(program__uuid=program)
            role = parse_choice_param(self.request, "role", ["mentor", "mentee", "admin"])
            if role == "mentor":
                qs = qs.filter(mentor=user)
            elif role == "mentee":
                qs = qs.filter(mentee=user)
            elif role == "admin":
                qs = qs.exclude(Q(mentor=user) | Q(mentee=user))
            qs = filter_date_range(self.request, qs, lookup="next_checkin_due", param="checkin_due")
        return qs.order_by("-created_at", "-pk")

    def get_object(self):
        return mentorship_policy.pairing_access(self.request.user, self.kwargs["uuid"]).pairing

    def _transition(self, request, uuid, service, with_reason):
        access = mentorship_policy.pairing_access(request.user, uuid)
        mentorship_policy.require(access.can_manage)
        data = s.PairingActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kwargs = {"pairing": access.pairing, "by": request.user}
        if with_reason:
            kwargs["reason"] = data.validated_data["reason"]
        pairing = service(**kwargs)
        return Response(self.get_serializer(pairing).data)

    @extend_schema(request=s.PairingActionSerializer, responses=s.PairingSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, uuid=None):
        return self._transition(request, uuid, mentorship_services.pairing_pause, True)

    @extend_schema(request=None, responses=s.PairingSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, uuid=None):
        return self._transition(request, uuid, mentorship_services.pairing_resume, False)

    @extend_schema(request=None, responses=s.PairingSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, uuid=None):
        return self._transition(request, uuid, mentorship_services.pairing_complete, False)

    @extend_schema(request=s.PairingActionSerializer, responses=s.PairingSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, uuid=None):
        return self._transition(request, uuid, mentorship_services.pairing_end, True)


@extend_schema(
    parameters=[
        OpenApiParameter("pairing", OpenApiTypes.UUID),
        *date_params("occurred_after", "occurred_before"),
    ]
)
class CheckInViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Check-ins of the pairings the user may see; program admins see only their dates."""

    serializer_class = s.CheckInSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        pairings = selectors.pairings_visible_to(self.request.user)
        qs = CheckIn.objects.filter(pairing__in=pairings).select_related("pairing", "logged_by")
        if self.action == "list":
            pairing = parse_uuid_param(self.request, "pairing")
            if pairing:
                qs = qs.filter(pairing__uuid=pairing)
            qs = filter_date_range(self.request, qs, lookup="occurred_on", param="occurred")
        return qs.order_by("-occurred_on", "-created_at", "-pk")

    @extend_schema(request=s.CheckInCreateSerializer, responses={201: s.CheckInSerializer})
    def create(self, request, *args, **kwargs):
        data = s.CheckInCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        access = mentorship_policy.pairing_access(request.user, fields.pop("pairing"))
        mentorship_policy.require(access.can_participate)
        form = CheckInForm(data=page_form_data({}, fields))
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        checkin = mentorship_services.checkin_log(
            pairing=access.pairing, by=request.user, **form.cleaned_data
        )
        checkin = CheckIn.objects.select_related("pairing", "logged_by").get(pk=checkin.pk)
        return Response(self.get_serializer(checkin).data, status=status.HTTP_201_CREATED)
