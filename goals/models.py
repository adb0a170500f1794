"""SMART goals, their milestones, progress updates and feedback."""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.models import HistoryEvent

from .kinds import (  # noqa: F401  (the choices are imported from here too)
    OPEN_GOAL_STATUSES,
    SHARED_WITH_MENTOR,
    Category,
    GoalStatus,
    MilestoneKind,
    Visibility,
)
from .progress import Progress, goal_progress

# The goal's editable fields: the guided form, goal_create/goal_update and the API's write
# serializer all take exactly these.
GOAL_FIELDS = (
    "title",
    "category",
    "specific",
    "metric_name",
    "unit",
    "baseline_value",
    "target_value",
    "achievable",
    "relevant",
    "starts_on",
    "target_date",
    "visibility",
)
MILESTONE_FIELDS = ("title", "kind", "due_on")
PROGRESS_UPDATE_FIELDS = ("value", "note", "confidence", "occurred_on")
COMMENT_FIELDS = ("body", "is_kudos")

# The dates a goal or milestone may have (start, target, due): from EARLIEST_DATE to
# HORIZON_YEARS from today. Anything else is a typo (0202 for 2025) or a probe, and a calendar
# application would choke on it; goals.services applies the rule for the pages and the API.
EARLIEST_DATE = date(2000, 1, 1)
HORIZON_YEARS = 10


def latest_date(today: date | None = None) -> date:
    """The last date a goal or milestone may have: HORIZON_YEARS from today."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + HORIZON_YEARS)
    except ValueError:  # 29 February, HORIZON_YEARS before a common year
        return today.replace(year=today.year + HORIZON_YEARS, day=28)


def date_outside_horizon(value: date | None, today: date | None = None) -> str | None:
    """Why `value` cannot be a goal's or milestone's date, or None when it can."""
    if value is None:
        return None
    latest = latest_date(today)
    if EARLIEST_DATE <= value <= latest:
        return None
    return _("Choose a date between %(first)s and %(last)s.") % {
        "first": EARLIEST_DATE.isoformat(),
        "last": latest.isoformat(),
    }


class Goal(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals"
    )
    program = models.ForeignKey(
        "mentorship.Program",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="goals",
    )
    pairing = models.ForeignKey(
        "mentorship.Pairing",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="goals",
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(
        _("category"), max_length=40, choices=Category.choices, default=Category.OTHER
    )
    # Specific
    specific = models.TextField(_("what exactly"), max_length=2000, blank=True)
    # Measurable
    metric_name = models.CharField(_("metric"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    baseline_value = models.DecimalField(
        _("starting value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    current_value = models.DecimalField(
        _("current value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # Achievable, Relevant
    achievable = models.TextField(_("why it is achievable"), max_length=2000, blank=True)
    relevant = models.TextField(_("why it matters"), max_length=2000, blank=True)
    # Time-bound
    starts_on = models.DateField(_("start date"), default=timezone.localdate)
    target_date = models.DateField(_("target date"), null=True, blank=True)

    priority = models.PositiveIntegerField(_("priority"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.DRAFT
    )
    visibility = models.CharField(
        _("who can see it"), max_length=10, choices=Visibility.choices, default=Visibility.MENTOR
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    # Optimistic locking: a save from a stale form (a second tab) is refused, not merged.
    version = models.PositiveIntegerField(default=1)
    # Archived: kept (history, exports) but out of the focus count and every dashboard and
    # figure; restoring clears it and the goal is back with the status it had.
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__isnull=True) | Q(target_date__gt=F("starts_on")),
                name="goal_target_date_after_start",
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True)
                | Q(baseline_value__isnull=True)
                | ~Q(target_value=F("baseline_value")),
                name="goal_target_differs_from_baseline",
            ),
        ]
        indexes = [
            models.Index(fields=["mentee", "status", "priority"], name="goal_mentee_status"),
            models.Index(fields=["pairing", "status"], name="goal_pairing_status"),
            models.Index(fields=["program", "status"], name="goal_program_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_metric(self) -> bool:
        return self.baseline_value is not None and self.target_value is not None

    @cached_property
    def progress(self) -> Progress:
        """Progress, expected progress and health (goals/progress.py); no query when the goal
        was loaded through selectors.with_progress or with its milestones prefetched."""
        return goal_progress(self)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_GOAL_STATUSES

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_overdue(self) -> bool:
        return (
            self.target_date is not None
            and self.status in OPEN_GOAL_STATUSES
            and self.target_date < timezone.localdate()
        )


class Milestone(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        max_length=10, choices=MilestoneKind.choices, default=MilestoneKind.MILESTONE
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    # How many times it has been completed (reopening and completing again counts anew): the
    # mentor is told once per completion.
    completion_count = models.PositiveIntegerField(default=0, editable=False)
    # A weekly action step's place in the weekly plan (goals.weeks): weeks counted from the
    # goal's start (week 1 holds its start date), a week or a range of weeks, or every week
    # until a date. Ticked off per week (StepCompletion), not once forever.
    week_from = models.PositiveSmallIntegerField(_("from week"), null=True, blank=True)
    week_to = models.PositiveSmallIntegerField(_("to week"), null=True, blank=True)
    repeats_until = models.DateField(_("every week until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["goal", "position"], name="milestone_goal_position")]
        constraints = [
            models.CheckConstraint(
                condition=Q(week_from__isnull=True) | Q(week_from__gte=1),
                name="step_week_from_at_least_1",
            ),
            models.CheckConstraint(
                condition=Q(week_to__isnull=True)
                | (Q(week_from__isnull=False) & Q(week_to__gte=F("week_from"))),
                name="step_week_to_after_week_from",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    @property
    def is_overdue(self) -> bool:
        return (
            self.completed_at is None
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


class StepCompletion(models.Model):
    """A weekly action step ticked off for one week (the Monday it starts on, in the
    mentee's time zone)."""

    step = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="completions")
    week_start = models.DateField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["week_start"]
        constraints = [
            models.UniqueConstraint(fields=["step", "week_start"], name="step_done_once_a_week")
        ]

    def __str__(self) -> str:
        return f"{self.step} done in the week of {self.week_start}"


class ProgressUpdate(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    value = models.DecimalField(
        _("new value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), max_length=4000, blank=True)
    confidence = models.PositiveSmallIntegerField(_("confidence (1 to 5)"), default=3)
    # The day the value is for, in the mentee's time zone: today, or an earlier day logged
    # late (not before the goal starts). The chart and the goal's current value follow it.
    occurred_on = models.DateField(_("date it is for"), default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when the author corrects the update (the page then says "edited").
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=1) & Q(confidence__lte=5),
                name="update_confidence_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["goal", "-created_at"], name="update_goal_created"),
            models.Index(fields=["goal", "-occurred_on"], name="update_goal_occurred"),
            models.Index(
                fields=["goal"],
                condition=Q(acknowledged_at__isnull=True),
                name="update_unacknowledged",
            ),
        ]

    def __str__(self) -> str:
        return f"Update on {self.goal} at {self.created_at:%Y-%m-%d}"


class Comment(models.Model):
    """Feedback on a goal, optionally on one update or milestone; kudos are short praise."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="comments")
    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    # A comment outlives its author's account: it stays, attributed to a deleted user.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # A reply answers a comment of the same goal (one level: a reply to a reply answers the
    # comment it is under).
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("comment"), max_length=4000)
    is_kudos = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Deleted while it had replies: its text is gone, "comment deleted" keeps the thread.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["goal", "created_at"], name="comment_goal_created")]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.goal}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class GoalEvent(HistoryEvent):
    """The goal's history: who changed what, and when."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="events")

    class Meta(HistoryEvent.Meta):
        indexes = [models.Index(fields=["goal", "-created_at"], name="goalevent_goal_created")]

    def __str__(self) -> str:
        return f"{self.action} on {self.goal}"
