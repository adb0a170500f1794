"""The REST API's goals, milestones, progress updates and comments: fetched through
goals.policy, changed through goals.services."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound, ValidationError
from rest_framework.response import Response

from core.viewer import Viewer
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
from mentorship.models import (
    OPEN_PAIRING_STATUSES,
    Pairing,
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
    parse_bool_param,
    parse_choice_param,
    parse_uuid_param,
)

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
        viewer = Viewer.of(request.user)
        for goal in page:
            goal.api_level = selectors.goal_level(viewer, goal)
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
