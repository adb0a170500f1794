"""The REST API's goals, milestones, progress updates and comments: read through
goals.selectors, judged by goals.policy, changed through goals.services.

The services apply the rules (the same ones the pages' forms show); their errors
(core.errors.ServiceError) are answered as JSON by api.exceptions. The serializers here only
parse types and lengths. List filters are django-filter FilterSets: a bad value is a 400
naming the parameter."""

from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.response import Response

from core.access import require
from core.errors import InvalidInput
from goals import policy as goal_policy
from goals import selectors as goal_selectors
from goals import services as goal_services
from goals.models import Comment, Goal, GoalStatus, Milestone, MilestoneKind, ProgressUpdate
from goals.progress import Health
from goals.weeks import week_start as monday_of

from . import serializers as s
from .filters import BooleanFilter, date_range
from .params import UUID_PATTERN, request_viewer, schema_only


def goal_with_access(viewer, goal_uuid):
    """The goal and the access goals.policy gives the viewer to it; 404 when they may not
    know it exists."""
    goal = goal_selectors.goal_by_uuid(goal_uuid)
    access = goal_policy.goal_access(viewer, goal) if goal is not None else goal_policy.NO_ACCESS
    if not access.exists:
        raise NotFound
    goal.api_level = access.level
    return goal, access


# --- Filters --------------------------------------------------------------------------------


def _choices_message(choices):
    return lazy(lambda: _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}, str)()


class ChoiceFilter(filters.ChoiceFilter):
    """One of `choices`; anything else is a 400 listing them."""

    def __init__(self, *args, choices, **kwargs):
        values = [value for value, _label in choices]
        kwargs.setdefault("error_messages", {"invalid_choice": _choices_message(values)})
        super().__init__(*args, choices=choices, **kwargs)


class UUIDFilter(filters.UUIDFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": gettext_lazy("Must be a valid UUID.")})
        super().__init__(*args, **kwargs)


def _is_done(field_name):
    """?done=true: the row's `field_name` (a completion time) is set."""
    return BooleanFilter(field_name=field_name, lookup_expr="isnull", exclude=True)


class GoalFilter(filters.FilterSet):
    """?status=, ?mentee=<uuid>, ?health= (computed: applied by the view after loading),
    ?target_date_after= and ?target_date_before= (inclusive)."""

    status = ChoiceFilter(choices=GoalStatus.choices)
    mentee = UUIDFilter(field_name="mentee__uuid")
    health = ChoiceFilter(choices=Health.choices, method="keep")
    target_date_after, target_date_before = date_range("target_date")

    class Meta:
        model = Goal
        fields = ["status", "mentee", "health", "target_date_after", "target_date_before"]

    def keep(self, queryset, name, value):
        return queryset


class GoalRowFilter(filters.FilterSet):
    """?goal=<uuid>: the rows of one goal."""

    goal = UUIDFilter(field_name="goal__uuid")


class MilestoneFilter(GoalRowFilter):
    done = _is_done("completed_at")
    due_after, due_before = date_range("due_on")

    class Meta:
        model = Milestone
        fields = ["goal", "done", "due_after", "due_before"]


class ProgressUpdateFilter(GoalRowFilter):
    acknowledged = _is_done("acknowledged_at")
    created_after, created_before = date_range("created_at__date")

    class Meta:
        model = ProgressUpdate
        fields = ["goal", "acknowledged", "created_after", "created_before"]


class CommentFilter(GoalRowFilter):
    is_kudos = BooleanFilter(field_name="is_kudos")
    created_after, created_before = date_range("created_at__date")

    class Meta:
        model = Comment
        fields = ["goal", "is_kudos", "created_after", "created_before"]


# --- Goals ----------------------------------------------------------------------------------


class GoalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Goals the user may see (goals.policy.visible_goals_q). Only the mentee changes her
    goal; a program admin reading a goal not shared with the program gets its summary only."""

    serializer_class = s.GoalSerializer
    filterset_class = GoalFilter
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if schema_only(self):
            return Goal.objects.none()
        return goal_selectors.goals_for_api(request_viewer(self.request)).order_by(
            "mentee_id", "priority", "created_at", "pk"
        )

    def list(self, request, *args, **kwargs):
        found = self.filterset_class(request.query_params, self.get_queryset(), request=request)
        if not found.is_valid():
            raise translate_validation(found.errors)
        goals = found.qs
        health = found.form.cleaned_data.get("health")
        if health:
            # Health is computed, not stored: filter after loading (still one query).
            goals = [g for g in goals if g.progress.health == health]
        page = self.paginate_queryset(goals)
        viewer = request_viewer(request)
        for goal in page:
            goal.api_level = goal_selectors.goal_level(viewer, goal)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        goal, _access = goal_with_access(request_viewer(self.request), self.kwargs["uuid"])
        return goal

    def _answer(self, goal, **kwargs) -> Response:
        goal, _access = goal_with_access(request_viewer(self.request), goal.uuid)
        return Response(self.get_serializer(goal).data, **kwargs)

    @extend_schema(request=s.GoalCreateSerializer, responses={201: s.GoalSerializer})
    def create(self, request, *args, **kwargs):
        data = s.GoalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        pairing_uuid = fields.pop("pairing", None)
        titles = fields.pop("milestones", [])
        pairing = None
        if pairing_uuid:
            pairing = goal_selectors.mentee_open_pairing(request_viewer(request), pairing_uuid)
            if pairing is None:
                raise InvalidInput(_("Not one of your open pairings as a mentee."), field="pairing")
        goal = goal_services.goal_create(
            mentee=request.user,
            data=fields,
            program=pairing.program if pairing else None,
            pairing=pairing,
            milestone_titles=titles,
        )
        return self._answer(goal, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.GoalUpdateSerializer, responses=s.GoalSerializer)
    def partial_update(self, request, *args, **kwargs):
        goal, access = goal_with_access(request_viewer(request), kwargs["uuid"])
        require(access.can_edit)
        data = s.GoalUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = changes.pop("version", None)
        goal = goal_services.goal_update(
            goal=goal, by=request.user, changes=changes, expected_version=version
        )
        return self._answer(goal)

    def update(self, request, *args, **kwargs):  # PUT is not offered; PATCH is.
        raise MethodNotAllowed(request.method)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Delete a draft goal (any other is archived instead: 400)."""
        goal, access = goal_with_access(request_viewer(request), kwargs["uuid"])
        require(access.can_edit)
        goal_services.goal_delete(goal=goal, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=s.GoalSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, uuid=None):
        goal, access = goal_with_access(request_viewer(request), uuid)
        require(access.can_edit)
        goal_services.goal_archive(goal=goal, by=request.user)
        return self._answer(goal)

    @extend_schema(request=None, responses=s.GoalSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, uuid=None):
        goal, access = goal_with_access(request_viewer(request), uuid)
        require(access.can_edit)
        goal_services.goal_restore(goal=goal, by=request.user)
        return self._answer(goal)

    @extend_schema(request=s.GoalStatusSerializer, responses=s.GoalSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, uuid=None):
        goal, access = goal_with_access(request_viewer(request), uuid)
        require(access.can_edit)
        data = s.GoalStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal_services.goal_set_status(goal=goal, by=request.user, **data.validated_data)
        return self._answer(goal)


# --- Milestones, progress updates, comments -------------------------------------------------


class GoalChildViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rows of goals whose details the user may read (goals.policy.detail_goals_q)."""

    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    model = None
    select = ("goal",)
    order = ("-created_at", "-pk")

    def base_queryset(self):
        if schema_only(self):
            return self.model.objects.none()
        return goal_selectors.goal_rows_for_api(
            self.model, request_viewer(self.request), select=self.select
        )

    def get_queryset(self):
        return self.base_queryset().order_by(*self.order)

    def goal_for_write(self, goal_uuid, check):
        """The goal a new row goes on: 404 if the user may not know it, 403 if `check` of
        their access is false."""
        goal, access = goal_with_access(request_viewer(self.request), goal_uuid)
        if not access.can_see_details:
            raise NotFound
        require(check(access))
        return goal, access

    def row_for_write(self, check):
        row = self.get_object()
        self.goal_for_write(row.goal.uuid, check)
        return row

    def reread(self, row):
        return self.base_queryset().get(pk=row.pk)


class MilestoneViewSet(mixins.CreateModelMixin, GoalChildViewSet):
    serializer_class = s.MilestoneSerializer
    filterset_class = MilestoneFilter
    model = Milestone
    order = ("goal_id", "kind", "position", "pk")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(request=s.MilestoneEditSerializer, responses=s.MilestoneSerializer)
    def partial_update(self, request, *args, **kwargs):
        milestone = self.row_for_write(lambda a: a.can_edit)
        data = s.MilestoneEditSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {f: getattr(milestone, f) for f in ("title", "kind", "due_on")}
        fields.update(data.validated_data)
        goal_services.milestone_edit(milestone=milestone, by=request.user, **fields)
        return Response(self.get_serializer(self.reread(milestone)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        milestone = self.row_for_write(lambda a: a.can_edit)
        goal_services.milestone_delete(milestone=milestone, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.MilestoneCreateSerializer, responses={201: s.MilestoneSerializer})
    def create(self, request, *args, **kwargs):
        data = s.MilestoneCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        goal, _access = self.goal_for_write(fields.pop("goal"), lambda a: a.can_edit)
        milestone = goal_services.milestone_add(goal=goal, by=request.user, **fields)
        return Response(self.get_serializer(milestone).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, uuid=None):
        milestone = self.row_for_write(lambda a: a.can_edit)
        goal_services.milestone_complete(milestone=milestone, by=request.user)
        return Response(self.get_serializer(self.reread(milestone)).data)

    @extend_schema(request=None, responses=s.MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, uuid=None):
        milestone = self.row_for_write(lambda a: a.can_edit)
        goal_services.milestone_reopen(milestone=milestone, by=request.user)
        return Response(self.get_serializer(self.reread(milestone)).data)


class ProgressUpdateViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    GoalChildViewSet,
):
    serializer_class = s.ProgressUpdateSerializer
    filterset_class = ProgressUpdateFilter
    model = ProgressUpdate
    select = ("goal", "author", "acknowledged_by")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(
        request=s.ProgressUpdateCreateSerializer, responses={201: s.ProgressUpdateSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = s.ProgressUpdateCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        goal, _access = self.goal_for_write(fields.pop("goal"), lambda a: a.can_edit)
        update = goal_services.progress_update_log(
            goal=goal,
            by=request.user,
            value=fields.get("value"),
            note=fields.get("note", ""),
            confidence=fields.get("confidence", 3),
            occurred_on=fields.get("occurred_on"),
        )
        # The same update posted again within seconds: the first one, not a second (200).
        code = status.HTTP_200_OK if update.duplicate else status.HTTP_201_CREATED
        return Response(self.get_serializer(self.reread(update)).data, status=code)

    def author_row(self):
        """The update for its author: 404 when the user may not read it, 403 when they may
        but did not write it (goals.policy.may_change_update)."""
        update = self.get_object()
        goal, access = goal_with_access(request_viewer(self.request), update.goal.uuid)
        if not access.can_see_details:
            raise NotFound
        require(goal_policy.may_change_update(request_viewer(self.request), access, update))
        update.goal = goal
        return update

    @extend_schema(request=s.ProgressUpdateEditSerializer, responses=s.ProgressUpdateSerializer)
    def partial_update(self, request, *args, **kwargs):
        update = self.author_row()
        data = s.ProgressUpdateEditSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        goal_services.progress_update_edit(
            update=update, by=request.user, changes=dict(data.validated_data)
        )
        return Response(self.get_serializer(self.reread(update)).data)

    def update(self, request, *args, **kwargs):  # PUT is not offered; PATCH is.
        raise MethodNotAllowed(request.method)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, *args, **kwargs):
        update = self.author_row()
        goal_services.progress_update_delete(update=update, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.AcknowledgeSerializer, responses=s.ProgressUpdateSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, uuid=None):
        update = self.row_for_write(lambda a: a.can_acknowledge)
        data = s.AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal_services.progress_update_acknowledge(
            update=update, by=request.user, reply=data.validated_data["reply"]
        )
        return Response(self.get_serializer(self.reread(update)).data)


class StepFilter(GoalRowFilter):
    class Meta:
        model = Milestone
        fields = ["goal"]


class StepViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    GoalChildViewSet,
):
    """The weekly plan's steps (goals.weeks): planned, ticked off per week, changed and
    removed by the goal's mentee only."""

    serializer_class = s.StepSerializer
    filterset_class = StepFilter
    model = Milestone
    select = ("goal", "goal__mentee")
    order = ("goal_id", "position", "pk")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self):
        rows = super().base_queryset()
        if schema_only(self):
            return rows
        return rows.filter(kind=MilestoneKind.ACTION).prefetch_related("completions")

    def owner_row(self):
        return self.row_for_write(lambda a: a.can_edit)

    @extend_schema(request=s.StepCreateSerializer, responses={201: s.StepSerializer})
    def create(self, request, *args, **kwargs):
        data = s.StepCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        goal, _access = self.goal_for_write(fields.pop("goal"), lambda a: a.can_edit)
        step = goal_services.step_add(goal=goal, by=request.user, fields=fields)
        # The same step posted again within seconds: the first one, not a second (200).
        code = status.HTTP_200_OK if step.duplicate else status.HTTP_201_CREATED
        return Response(self.get_serializer(self.reread(step)).data, status=code)

    @extend_schema(request=s.StepEditSerializer, responses=s.StepSerializer)
    def partial_update(self, request, *args, **kwargs):
        step = self.owner_row()
        data = s.StepEditSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        goal_services.step_edit(step=step, by=request.user, changes=dict(data.validated_data))
        return Response(self.get_serializer(self.reread(step)).data)

    def update(self, request, *args, **kwargs):  # PUT is not offered; PATCH is.
        raise MethodNotAllowed(request.method)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, *args, **kwargs):
        step = self.owner_row()
        goal_services.step_delete(step=step, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.StepTickSerializer, responses=s.StepSerializer)
    @action(detail=True, methods=["post"])
    def tick(self, request, uuid=None):
        """Tick the step off (done, the default) or untick it for a week: its Monday, this
        week of the mentee when left out."""
        step = self.owner_row()
        data = s.StepTickSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        week = data.validated_data["week"] or monday_of(goal_services.mentee_today(step.goal))
        goal_services.step_tick(
            step=step, by=request.user, week_start=week, done=data.validated_data["done"]
        )
        return Response(self.get_serializer(self.reread(step)).data)


class CommentViewSet(mixins.CreateModelMixin, GoalChildViewSet):
    serializer_class = s.CommentSerializer
    filterset_class = CommentFilter
    model = Comment
    select = ("goal", "author", "update", "milestone", "parent")
    order = ("created_at", "pk")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def comment_for_author(self):
        """The comment its author may change: 404 outside the goal's details, 403 for
        other readers (goals.policy.can_change_comment)."""
        comment = self.get_object()
        goal, access = goal_with_access(request_viewer(self.request), comment.goal.uuid)
        if not access.can_see_details:
            raise NotFound
        require(goal_policy.can_change_comment(request_viewer(self.request), comment, access))
        return comment

    @extend_schema(request=s.CommentEditSerializer, responses=s.CommentSerializer)
    def partial_update(self, request, *args, **kwargs):
        comment = self.comment_for_author()
        data = s.CommentEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal_services.comment_edit(
            comment=comment, by=request.user, body=data.validated_data.get("body", comment.body)
        )
        return Response(self.get_serializer(self.reread(comment)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        comment = self.comment_for_author()
        goal_services.comment_delete(comment=comment, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.CommentCreateSerializer, responses={201: s.CommentSerializer})
    def create(self, request, *args, **kwargs):
        data = s.CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        goal, access = self.goal_for_write(fields.pop("goal"), lambda a: a.can_comment)
        update_uuid, milestone_uuid = fields.pop("update", None), fields.pop("milestone", None)
        parent_uuid = fields.pop("parent", None)
        update = milestone = parent = None
        if parent_uuid:
            parent = goal_selectors.goal_comment_on(goal, parent_uuid)
            if parent is None:
                raise InvalidInput(_("No such comment on this goal."), field="parent")
        if update_uuid:
            update = goal_selectors.goal_update_on(goal, update_uuid)
            if update is None:
                raise InvalidInput(_("No such update on this goal."), field="update")
        if milestone_uuid:
            milestone = goal_selectors.goal_milestone_on(goal, milestone_uuid)
            if milestone is None:
                raise InvalidInput(_("No such milestone on this goal."), field="milestone")
        comment = goal_services.comment_add(
            goal=goal,
            by=request.user,
            body=fields["body"],
            is_kudos=fields.get("is_kudos", False) and access.is_mentor,
            update=update,
            milestone=milestone,
            parent=parent,
        )
        return Response(
            self.get_serializer(self.reread(comment)).data, status=status.HTTP_201_CREATED
        )
