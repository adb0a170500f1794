"""The REST API's programs, memberships, pairings and check-ins: fetched through
mentorship.policy and mentorship.selectors, changed through mentorship.services (which check
the same rules as the pages: the API builds none of the pages' forms)."""

from django.db.models import Q
from django.http import HttpResponse
from django_filters import rest_framework as filters
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.access import require
from mentorship import policy as mentorship_policy
from mentorship import selectors as mentorship_selectors
from mentorship import services as mentorship_services
from mentorship.models import (
    CheckIn,
    Membership,
    Pairing,
    PairingStatus,
    Program,
    Role,
    SurveyResponse,
)

from . import serializers as s
from .filters import date_range
from .params import UUID_PATTERN, request_viewer, schema_only

# --- Programs and memberships ---------------------------------------------------------------


class MembershipFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["role"]


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
        if schema_only(self):
            return Program.objects.none()
        return mentorship_selectors.programs_for_admin(request_viewer(self.request)).order_by(
            "-is_active", "name", "pk"
        )

    def get_object(self):
        return mentorship_policy.get_program_for_admin(
            request_viewer(self.request), self.kwargs["uuid"]
        )

    def perform_create(self, serializer):
        require(mentorship_policy.can_create_program(request_viewer(self.request)))
        serializer.instance = mentorship_services.program_create(
            created_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = mentorship_services.program_update(
            program=serializer.instance, **serializer.validated_data
        )

    @extend_schema(
        responses=s.MembershipSerializer(many=True),
        parameters=[OpenApiParameter("role", str, enum=list(Role.values))],
    )
    @action(detail=True, methods=["get"])
    def memberships(self, request, uuid=None):
        program = self.get_object()
        members = MembershipFilter(
            request.query_params,
            queryset=mentorship_selectors.program_memberships(program),
            request=request,
        )
        if not members.is_valid():
            raise translate_validation(members.errors)
        page = self.paginate_queryset(members.qs)
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
        body = program_export_csv(program=program, part=part, viewer=request_viewer(request))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{program.slug}-{part}.csv"'
        return response


# --- Pairings and check-ins -----------------------------------------------------------------

PAIRING_ROLES = [
    (mentorship_policy.MENTOR, Role.MENTOR.label),
    (mentorship_policy.MENTEE, Role.MENTEE.label),
    (mentorship_policy.ADMIN, Role.ADMIN.label),
]


class PairingFilter(filters.FilterSet):
    """?status=, ?program=<uuid>, ?role=mentor|mentee|admin (the viewer's side of the
    pairing; admin: of a program they run, not their own), ?checkin_due_after|before=."""

    status = filters.ChoiceFilter(choices=PairingStatus.choices)
    program = filters.UUIDFilter(field_name="program__uuid")
    role = filters.ChoiceFilter(choices=PAIRING_ROLES, method="filter_role")
    checkin_due_after, checkin_due_before = date_range("next_checkin_due")

    class Meta:
        model = Pairing
        fields = ["status", "program", "role", "checkin_due_after", "checkin_due_before"]

    def filter_role(self, queryset, name, value):
        me = request_viewer(self.request).pk
        if value == mentorship_policy.MENTOR:
            return queryset.filter(mentor_id=me)
        if value == mentorship_policy.MENTEE:
            return queryset.filter(mentee_id=me)
        return queryset.exclude(Q(mentor_id=me) | Q(mentee_id=me))


# The list's filters, on the list only: a pairing's own address and its actions take none.
@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=list(PairingStatus.values)),
            OpenApiParameter("program", OpenApiTypes.UUID),
            OpenApiParameter("role", str, enum=[value for value, _label in PAIRING_ROLES]),
        ]
    )
)
class PairingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pairings the user is in (as mentor or mentee) or whose program they run."""

    serializer_class = s.PairingSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    filterset_class = PairingFilter

    def get_queryset(self):
        if schema_only(self):
            return Pairing.objects.none()
        return (
            mentorship_selectors.pairings_visible_to(request_viewer(self.request))
            .select_related("program", "mentor", "mentee")
            .order_by("-created_at", "-pk")
        )

    def get_object(self):
        return self._access(self.kwargs["uuid"]).pairing

    def _access(self, uuid):
        return mentorship_policy.pairing_access(request_viewer(self.request), uuid)

    def _transition(self, request, uuid, service, with_reason):
        access = self._access(uuid)
        require(access.can_manage)
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

    @extend_schema(request=s.PairingEndSerializer, responses=s.PairingSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, uuid=None):
        return self._transition(request, uuid, mentorship_services.pairing_end, True)


class CheckInFilter(filters.FilterSet):
    """?pairing=<uuid>, ?occurred_after|before= (both inclusive)."""

    pairing = filters.UUIDFilter(field_name="pairing__uuid")
    occurred_after, occurred_before = date_range("occurred_on")

    class Meta:
        model = CheckIn
        fields = ["pairing", "occurred_after", "occurred_before"]


class CheckInViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Check-ins of the pairings the user may see; program admins see only their dates. The
    one who logged a check-in corrects it (PATCH) or deletes it (DELETE) while the pairing is
    open; the other side and the admins get 403, everyone else 404."""

    serializer_class = s.CheckInSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    filterset_class = CheckInFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _for_author(self, uuid):
        checkin = self.get_object()
        return mentorship_policy.checkin_for_author(
            request_viewer(self.request), checkin.pairing.uuid, uuid
        )

    @extend_schema(request=s.CheckInUpdateSerializer, responses=s.CheckInSerializer)
    def partial_update(self, request, uuid=None):
        _access, checkin = self._for_author(uuid)
        data = s.CheckInUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        checkin = mentorship_services.checkin_update(
            checkin=checkin, by=request.user, **data.validated_data
        )
        return Response(self.get_serializer(checkin).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, uuid=None):
        _access, checkin = self._for_author(uuid)
        mentorship_services.checkin_delete(checkin=checkin, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_queryset(self):
        if schema_only(self):
            return CheckIn.objects.none()
        return (
            mentorship_selectors.checkins_visible_to(request_viewer(self.request))
            .select_related("pairing", "logged_by")
            .order_by("-occurred_on", "-created_at", "-pk")
        )

    @extend_schema(request=s.CheckInCreateSerializer, responses={201: s.CheckInSerializer})
    def create(self, request, *args, **kwargs):
        data = s.CheckInCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        access = mentorship_policy.pairing_access(request_viewer(request), fields.pop("pairing"))
        require(access.can_participate)
        checkin = mentorship_services.checkin_log(pairing=access.pairing, by=request.user, **fields)
        return Response(self.get_serializer(checkin).data, status=status.HTTP_201_CREATED)


class SurveyResponseFilter(filters.FilterSet):
    """?pairing=<uuid>&kind=pulse|close_out."""

    pairing = filters.UUIDFilter(field_name="pairing__uuid")

    class Meta:
        model = SurveyResponse
        fields = ["pairing", "kind"]


class SurveyResponseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Survey answers on pairings: one's own and the other side's shared ones. The program's
    admins read none (their figures are the program dashboard's aggregates). The author
    answers (POST) the survey open now, corrects or shares (PATCH) or deletes (DELETE) an
    answer; the other side gets 403 on a shared answer, everyone else 404."""

    serializer_class = s.SurveyResponseSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    filterset_class = SurveyResponseFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if schema_only(self):
            return SurveyResponse.objects.none()
        return (
            mentorship_selectors.survey_responses_visible_to(request_viewer(self.request))
            .select_related("pairing", "author")
            .order_by("-created_at", "-pk")
        )

    def _for_author(self, uuid):
        response = self.get_object()
        return mentorship_policy.survey_response_for_author(
            request_viewer(self.request), response.pairing.uuid, uuid
        )

    @extend_schema(
        request=s.SurveyResponseCreateSerializer, responses={201: s.SurveyResponseSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = s.SurveyResponseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        access = mentorship_policy.pairing_access(request_viewer(request), fields.pop("pairing"))
        require(access.can_answer_surveys)
        response = mentorship_services.survey_answer(
            pairing=access.pairing, author=request.user, **fields
        )
        return Response(self.get_serializer(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SurveyResponseUpdateSerializer, responses=s.SurveyResponseSerializer)
    def partial_update(self, request, uuid=None):
        _access, response = self._for_author(uuid)
        data = s.SurveyResponseUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        response = mentorship_services.survey_update(
            response=response, by=request.user, **data.validated_data
        )
        return Response(self.get_serializer(response).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, uuid=None):
        _access, response = self._for_author(uuid)
        mentorship_services.survey_delete(response=response, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
