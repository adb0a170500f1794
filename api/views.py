"""The REST API, version 1.

Every object is fetched through the owning app's access policy (mentorship.policy,
goals.policy) and every change goes through its services, so the API shows and changes
exactly what the pages do: 404 for an object outside the user's relationships, 403 for one
they may see but not change.
"""

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import MethodNotAllowed, NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from goals import policy as goal_policy
from goals import services as goal_services
from goals.forms import CommentForm, GoalForm, MilestoneForm, ProgressUpdateForm
from goals.models import (
    Category,
    Comment,
    Goal,
    GoalStatus,
    Milestone,
    MilestoneKind,
    ProgressUpdate,
    Visibility,
)
from goals.progress import Health
from mentorship import policy as mentorship_policy
from mentorship import selectors as mentorship_selectors
from mentorship import services as mentorship_services
from mentorship.forms import CheckInForm, ProgramForm
from mentorship.models import (
    OPEN_PAIRING_STATUSES,
    CheckIn,
    Membership,
    Pairing,
    PairingStatus,
    Program,
    Role,
)
from notifications import services as notification_services
from notifications.models import Notification

from . import selectors
from . import serializers as s
from .export import user_export_zip

# Case-insensitive, so an upper-case UUID reaches the view (and its JSON 404) rather than
# Django's HTML "page not found".
UUID_PATTERN = "[0-9a-fA-F-]{36}"


def parse_date_param(request, name: str):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return serializers.DateField().to_internal_value(value)
    except serializers.ValidationError:
        raise ValidationError({name: [_("Use a date as YYYY-MM-DD.")]}) from None


def filter_date_range(request, qs, *, lookup: str, param: str):
    """Apply ?<param>_after= and ?<param>_before= (both inclusive) to the date `lookup`."""
    after = parse_date_param(request, f"{param}_after")
    if after:
        qs = qs.filter(**{f"{lookup}__gte": after})
    before = parse_date_param(request, f"{param}_before")
    if before:
        qs = qs.filter(**{f"{lookup}__lte": before})
    return qs


def parse_choice_param(request, name: str, choices) -> str | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if value not in choices:
        raise ValidationError(
            {name: [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}]}
        )
    return value


def parse_bool_param(request, name: str) -> bool | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise ValidationError({name: [_("Use true or false.")]})


def parse_uuid_param(request, name: str):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return serializers.UUIDField().to_internal_value(value)
    except serializers.ValidationError:
        raise ValidationError({name: [_("Must be a valid UUID.")]}) from None


def form_errors(form) -> dict:
    return {
        ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
        for field, messages in form.errors.items()
    }


def page_form_data(base: dict, changes: dict) -> dict:
    """Data for a page's Django form: the current values (`base`) with the API's changes;
    None becomes the empty string, as a browser would send it."""
    data = {**base, **changes}
    return {k: ("" if v is None else v) for k, v in data.items()}


def date_params(*names: str) -> list[OpenApiParameter]:
    return [OpenApiParameter(n, OpenApiTypes.DATE, description="YYYY-MM-DD") for n in names]


# --- Root, me, export -----------------------------------------------------------------------


@extend_schema(
    responses={200: {"type": "object", "additionalProperties": {"type": "string"}}},
    summary="Where each collection is",
    tags=["me"],
)
@api_view(["GET"])
def api_root(request):
    names = {
        "me": "me",
        "goals": "goal-list",
        "milestones": "milestone-list",
        "updates": "progressupdate-list",
        "comments": "comment-list",
        "pairings": "pairing-list",
        "checkins": "checkin-list",
        "programs": "program-list",
        "notifications": "notification-list",
    }
    return Response(
        {key: request.build_absolute_uri(reverse(f"api:{name}")) for key, name in names.items()}
    )


@extend_schema(responses=s.MeSerializer, summary="The user the request acts as")
@api_view(["GET"])
def me(request):
    return Response(s.MeSerializer(request.user).data)


@extend_schema(
    responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
    summary="Everything you own, as a zip of JSON and CSV",
)
@api_view(["GET"])
def me_export(request):
    response = HttpResponse(user_export_zip(request.user), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="mentorship-export.zip"'
    return response


@require_GET
def docs(request):
    """Swagger UI from our own static files, started by static/js/api.js (no inline script)."""
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema")})


# --- Notifications --------------------------------------------------------------------------


@extend_schema(
    parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL), OpenApiParameter("kind", str)]
)
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The user's in-app inbox."""

    serializer_class = s.NotificationSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        qs = Notification.objects.filter(recipient=self.request.user).order_by("-created_at", "-id")
        if self.action == "list":
            unread = parse_bool_param(self.request, "unread")
            if unread is not None:
                qs = qs.filter(read_at__isnull=unread)
            kind = self.request.query_params.get("kind")
            if kind:
                qs = qs.filter(kind=kind)
        return qs

    @extend_schema(request=None, responses=s.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, uuid=None):
        notification = self.get_object()
        notification_services.notification_mark_read(notification=notification)
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None,
        responses={200: {"type": "object", "properties": {"marked": {"type": "integer"}}}},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = notification_services.notification_mark_all_read(user=request.user)
        return Response({"marked": marked})


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


# --- Goals, milestones, progress updates, comments ------------------------------------------


def goal_with_access(user, goal_uuid):
    """The goal and the access goals.policy gives `user` to it; 404 when they may not know
    it exists."""
    goal = (
        Goal.objects.select_related("mentee", "program", "pairing").filter(uuid=goal_uuid).first()
    )
    access = goal_policy.goal_access(user, goal) if goal is not None else goal_policy.NO_ACCESS
    if not access.exists:
        raise NotFound
    goal.api_level = access.level
    return goal, access


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, enum=list(GoalStatus.values)),
        OpenApiParameter("mentee", OpenApiTypes.UUID),
        OpenApiParameter("health", str, enum=list(Health.values)),
        *date_params("target_date_after", "target_date_before"),
    ]
)
class GoalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Goals the user may see (Goal.objects.visible_to). Only the mentee changes her goal;
    a program admin reading a goal not shared with the program gets its summary only."""

    serializer_class = s.GoalSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = selectors.goals_for_api(self.request.user)
        if self.action == "list":
            status_ = parse_choice_param(self.request, "status", GoalStatus.values)
            if status_:
                qs = qs.filter(status=status_)
            mentee = parse_uuid_param(self.request, "mentee")
            if mentee:
                qs = qs.filter(mentee__uuid=mentee)
            qs = filter_date_range(self.request, qs, lookup="target_date", param="target_date")
        return qs.order_by("mentee_id", "priority", "created_at", "pk")

    def list(self, request, *args, **kwargs):
        return self._goal_list(request)

    def _goal_list(self, request) -> Response:
        health = parse_choice_param(request, "health", Health.values)
        goals = self.get_queryset()
        if health:
            # Health is computed, not stored: filter after loading (still one query).
            goals = [g for g in goals if g.progress.health == health]
        page = self.paginate_queryset(goals)
        for goal in page:
            goal.api_level = selectors.goal_level(request.user, goal)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        goal, _access = goal_with_access(self.request.user, self.kwargs["uuid"])
        return goal

    @extend_schema(request=s.GoalCreateSerializer, responses={201: s.GoalSerializer})
    def create(self, request, *args, **kwargs):
        data = s.GoalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        pairing_uuid = fields.pop("pairing", None)
        titles = fields.pop("milestones", [])
        pairing = None
        if pairing_uuid:
            pairing = (
                Pairing.objects.filter(
                    uuid=pairing_uuid, mentee=request.user, status__in=OPEN_PAIRING_STATUSES
                )
                .select_related("program")
                .first()
            )
            if pairing is None:
                raise ValidationError(
                    {"pairing": [_("Not one of your open pairings as a mentee.")]}
                )
        defaults = {
            "category": Category.OTHER,
            "visibility": Visibility.MENTOR,
            "starts_on": timezone.localdate(),
        }
        form = GoalForm(data=page_form_data(defaults, fields), creating=True)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        goal = goal_services.goal_create(
            mentee=request.user,
            data=form.cleaned_data,
            program=pairing.program if pairing else None,
            pairing=pairing,
            milestone_titles=titles,
        )
        goal, _access = goal_with_access(request.user, goal.uuid)
        return Response(self.get_serializer(goal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.GoalUpdateSerializer, responses=s.GoalSerializer)
    def partial_update(self, request, *args, **kwargs):
        goal, access = goal_with_access(request.user, kwargs["uuid"])
        mentorship_policy.require(access.can_edit)
        data = s.GoalUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = fields.pop("version", None)
        if version is None:
            raise ValidationError({"version": [_("Send the version of the goal you read.")]})
        base = {name: getattr(goal, name) for name in GoalForm._meta.fields}
        form = GoalForm(data=page_form_data(base, fields), instance=goal, creating=False)
        form.data["version"] = version
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        changes = {k: v for k, v in form.cleaned_data.items() if k in fields}
        goal_services.goal_update(
            goal=goal, by=request.user, changes=changes, expected_version=version
        )
        goal, _access = goal_with_access(request.user, goal.uuid)
        return Response(self.get_serializer(goal).data)

    def update(self, request, *args, **kwargs):  # PUT is not offered; PATCH is.
        raise MethodNotAllowed(request.method)

    @extend_schema(request=s.GoalStatusSerializer, responses=s.GoalSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, uuid=None):
        goal, access = goal_with_access(request.user, uuid)
        mentorship_policy.require(access.can_edit)
        data = s.GoalStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal_services.goal_set_status(goal=goal, by=request.user, **data.validated_data)
        goal, _access = goal_with_access(request.user, goal.uuid)
        return Response(self.get_serializer(goal).data)


class GoalChildViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rows of goals whose details the user may read (selectors.goal_detail_filter)."""

    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    model = None
    select = ("goal",)
    order = ("-created_at", "-pk")

    def base_queryset(self):
        return self.model.objects.filter(
            goal__in=Goal.objects.filter(selectors.goal_detail_filter(self.request.user))
        ).select_related(*self.select)

    def filter_list(self, qs):
        goal = parse_uuid_param(self.request, "goal")
        if goal:
            qs = qs.filter(goal__uuid=goal)
        return qs

    def get_queryset(self):
        qs = self.base_queryset()
        if self.action == "list":
            qs = self.filter_list(qs)
        return qs.order_by(*self.order)

    def goal_for_write(self, goal_uuid, check):
        """The goal a new row goes on: 404 if the user may not know it, 403 if `check` of
        their access is false."""
        goal, access = goal_with_access(self.request.user, goal_uuid)
        if not access.can_see_details:
            raise NotFound
        mentorship_policy.require(check(access))
        return goal, access

    def row_for_write(self, uuid, check):
        row = self.get_object()
        _goal, access = self.goal_for_write(row.goal.uuid, check)
        return row


@extend_schema(
    parameters=[
        OpenApiParameter("goal", OpenApiTypes.UUID),
        OpenApiParameter("done", OpenApiTypes.BOOL),
        *date_params("due_after", "due_before"),
    ]
)
class MilestoneViewSet(mixins.CreateModelMixin, GoalChildViewSet):
    serializer_class = s.MilestoneSerializer
    model = Milestone
    order = ("goal_id", "kind", "position", "pk")

    def filter_list(self, qs):
        qs = super().filter_list(qs)
        done = parse_bool_param(self.request, "done")
        if done is not None:
            qs = qs.filter(completed_at__isnull=not done)
        qs = filter_date_range(self.request, qs, lookup="due_on", param="due")
        return qs

    @extend_schema(request=s.MilestoneCreateSerializer, responses={201: s.MilestoneSerializer})
    def create(self, request, *args, **kwargs):
        data = s.MilestoneCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        goal, _access = self.goal_for_write(fields.pop("goal"), lambda a: a.can_edit)
        form = MilestoneForm(data=page_form_data({"kind": MilestoneKind.MILESTONE}, fields))
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        milestone = goal_services.milestone_add(goal=goal, by=request.user, **form.cleaned_data)
        return Response(self.get_serializer(milestone).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, uuid=None):
        milestone = self.row_for_write(uuid, lambda a: a.can_edit)
        goal_services.milestone_complete(milestone=milestone, by=request.user)
        milestone.refresh_from_db()
        return Response(self.get_serializer(milestone).data)

    @extend_schema(request=None, responses=s.MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, uuid=None):
        milestone = self.row_for_write(uuid, lambda a: a.can_edit)
        goal_services.milestone_reopen(milestone=milestone, by=request.user)
        milestone.refresh_from_db()
        return Response(self.get_serializer(milestone).data)


@extend_schema(
    parameters=[
        OpenApiParameter("goal", OpenApiTypes.UUID),
        OpenApiParameter("acknowledged", OpenApiTypes.BOOL),
        *date_params("created_after", "created_before"),
    ]
)
class ProgressUpdateViewSet(mixins.CreateModelMixin, GoalChildViewSet):
    serializer_class = s.ProgressUpdateSerializer
    model = ProgressUpdate
    select = ("goal", "author", "acknowledged_by")

    def filter_list(self, qs):
        qs = super().filter_list(qs)
        acknowledged = parse_bool_param(self.request, "acknowledged")
        if acknowledged is not None:
            qs = qs.filter(acknowledged_at__isnull=not acknowledged)
        qs = filter_date_range(self.request, qs, lookup="created_at__date", param="created")
        return qs

    @extend_schema(
        request=s.ProgressUpdateCreateSerializer, responses={201: s.ProgressUpdateSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = s.ProgressUpdateCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        goal, _access = self.goal_for_write(fields.pop("goal"), lambda a: a.can_edit)
        form = ProgressUpdateForm(data=page_form_data({}, fields), goal=goal)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        update = goal_services.progress_update_log(
            goal=goal,
            by=request.user,
            value=form.cleaned_data.get("value"),
            note=form.cleaned_data.get("note", ""),
            confidence=form.cleaned_data["confidence"],
        )
        update = self.base_queryset().get(pk=update.pk)
        return Response(self.get_serializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AcknowledgeSerializer, responses=s.ProgressUpdateSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, uuid=None):
        update = self.row_for_write(uuid, lambda a: a.can_acknowledge)
        data = s.AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal_services.progress_update_acknowledge(
            update=update, by=request.user, reply=data.validated_data["reply"]
        )
        update = self.base_queryset().get(pk=update.pk)
        return Response(self.get_serializer(update).data)


@extend_schema(
    parameters=[
        OpenApiParameter("goal", OpenApiTypes.UUID),
        OpenApiParameter("is_kudos", OpenApiTypes.BOOL),
        *date_params("created_after", "created_before"),
    ]
)
class CommentViewSet(mixins.CreateModelMixin, GoalChildViewSet):
    serializer_class = s.CommentSerializer
    model = Comment
    select = ("goal", "author", "update", "milestone")
    order = ("created_at", "pk")

    def filter_list(self, qs):
        qs = super().filter_list(qs)
        kudos = parse_bool_param(self.request, "is_kudos")
        if kudos is not None:
            qs = qs.filter(is_kudos=kudos)
        qs = filter_date_range(self.request, qs, lookup="created_at__date", param="created")
        return qs

    @extend_schema(request=s.CommentCreateSerializer, responses={201: s.CommentSerializer})
    def create(self, request, *args, **kwargs):
        data = s.CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        goal, access = self.goal_for_write(fields.pop("goal"), lambda a: a.can_comment)
        update_uuid, milestone_uuid = fields.pop("update", None), fields.pop("milestone", None)
        update = milestone = None
        if update_uuid:
            update = goal.updates.filter(uuid=update_uuid).first()
            if update is None:
                raise ValidationError({"update": [_("No such update on this goal.")]})
        if milestone_uuid:
            milestone = goal.milestones.filter(uuid=milestone_uuid).first()
            if milestone is None:
                raise ValidationError({"milestone": [_("No such milestone on this goal.")]})
        form = CommentForm(data=page_form_data({}, fields), allow_kudos=access.is_mentor)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        comment = goal_services.comment_add(
            goal=goal,
            by=request.user,
            body=form.cleaned_data["body"],
            is_kudos=form.cleaned_data.get("is_kudos", False),
            update=update,
            milestone=milestone,
        )
        comment = self.base_queryset().get(pk=comment.pk)
        return Response(self.get_serializer(comment).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("goals", GoalViewSet, basename="goal")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("updates", ProgressUpdateViewSet, basename="progressupdate")
router.register("comments", CommentViewSet, basename="comment")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("programs", ProgramViewSet, basename="program")
router.register("pairings", PairingViewSet, basename="pairing")
router.register("checkins", CheckInViewSet, basename="checkin")

extra_urls: list = []
