"""Reads that several pages share or that must stay N+1-free. Each function makes a fixed
number of queries however many goals, milestones or updates there are.

`Goal.objects.visible_to(user)` (goals/models.py, rules in goals/policy.py) scopes goals;
everything here starts from it or from an equally scoped filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import ClassVar

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from mentorship.models import OPEN_PAIRING_STATUSES, Pairing, PairingStatus

from .models import Comment, Goal, GoalStatus, Milestone, MilestoneKind, ProgressUpdate
from .policy import mentor_goals_q, visible_goals_q
from .progress import ACTIVE_HEALTHS, HEALTH_BADGE, Health

UPCOMING_DAYS = 14


def _count(qs: QuerySet) -> Coalesce:
    """A correlated COUNT(*) subquery on rows of `qs` for the outer goal."""
    counted = qs.filter(goal=OuterRef("pk")).order_by().values("goal").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def with_progress(goals: QuerySet) -> QuerySet:
    """Annotate what goal.progress needs, so a list computes health without more queries."""
    milestones = Milestone.objects.filter(kind=MilestoneKind.MILESTONE)
    return goals.annotate(
        milestones_total=_count(milestones),
        milestones_done=_count(milestones.filter(completed_at__isnull=False)),
    )


def with_unacknowledged(goals: QuerySet) -> QuerySet:
    return goals.annotate(
        unacknowledged=_count(ProgressUpdate.objects.filter(acknowledged_at__isnull=True))
    )


def visible_goals(viewer) -> QuerySet:
    return Goal.objects.filter(visible_goals_q(viewer))


# --- Mentee ---------------------------------------------------------------------------------


def mentee_goals(user) -> QuerySet:
    """All of the mentee's own goals, in her priority order."""
    return with_progress(Goal.objects.filter(mentee=user)).order_by("priority", "created_at", "id")


@dataclass
class MenteeDashboard:
    active_goals: list
    other_open_count: int
    upcoming_milestones: list
    overdue_milestones: list
    latest_feedback: list
    next_checkin: Pairing | None


def mentee_dashboard(user, *, today: date | None = None) -> MenteeDashboard:
    today = today or timezone.localdate()
    open_statuses = [GoalStatus.ACTIVE, GoalStatus.DRAFT, GoalStatus.ON_HOLD]
    goals = list(mentee_goals(user).filter(status__in=open_statuses))
    active = [g for g in goals if g.status == GoalStatus.ACTIVE]
    milestones = list(
        Milestone.objects.filter(
            goal__mentee=user,
            goal__status=GoalStatus.ACTIVE,
            completed_at__isnull=True,
            due_on__isnull=False,
            due_on__lte=today + timedelta(days=UPCOMING_DAYS),
        )
        .select_related("goal")
        .order_by("due_on", "position")[:20]
    )
    feedback = list(
        Comment.objects.filter(goal__mentee=user)
        .exclude(author=user)
        .select_related("author", "goal")
        .order_by("-created_at", "-id")[:5]
    )
    next_checkin = (
        Pairing.objects.filter(
            mentee=user, status__in=OPEN_PAIRING_STATUSES, next_checkin_due__isnull=False
        )
        .select_related("mentor", "program")
        .order_by("next_checkin_due")
        .first()
    )
    return MenteeDashboard(
        active_goals=active,
        other_open_count=len(goals) - len(active),
        upcoming_milestones=[m for m in milestones if m.due_on >= today],
        overdue_milestones=[m for m in milestones if m.due_on < today],
        latest_feedback=feedback,
        next_checkin=next_checkin,
    )


# --- Mentor ---------------------------------------------------------------------------------


@dataclass
class MenteeRow:
    pairing: Pairing
    goals: list = field(default_factory=list)

    @property
    def mentee(self):
        return self.pairing.mentee

    @property
    def at_risk_goals(self) -> list:
        return [g for g in self.goals if g.progress.health in (Health.AT_RISK, Health.OFF_TRACK)]

    @property
    def unacknowledged(self) -> int:
        return sum(g.unacknowledged for g in self.goals)


def mentor_mentees(user, *, open_only: bool = False) -> list[MenteeRow]:
    """Each mentee of the mentor (open pairings first), with the goals shared with him."""
    pairings = Pairing.objects.filter(mentor=user).select_related("mentee", "program")
    if open_only:
        pairings = pairings.filter(status__in=OPEN_PAIRING_STATUSES)
    rows: dict[int, MenteeRow] = {}
    for pairing in sorted(
        pairings, key=lambda p: (p.status not in OPEN_PAIRING_STATUSES, p.mentee.display_name)
    ):
        rows.setdefault(pairing.mentee_id, MenteeRow(pairing=pairing))
    goals = (
        with_unacknowledged(with_progress(Goal.objects.filter(mentor_goals_q(user))))
        .exclude(status=GoalStatus.DRAFT)
        .order_by("mentee_id", "priority", "created_at")
    )
    if open_only:
        goals = goals.filter(mentor_goals_q(user, open_only=True))
    for goal in goals:
        if goal.mentee_id in rows:
            rows[goal.mentee_id].goals.append(goal)
    return list(rows.values())


def review_queue(user) -> QuerySet:
    """Updates not yet acknowledged on goals shared with `user` through an open pairing."""
    return (
        ProgressUpdate.objects.filter(acknowledged_at__isnull=True)
        .filter(mentor_goals_q(user, prefix="goal__", open_only=True))
        .select_related("goal", "goal__mentee", "author")
        .order_by("created_at", "id")
    )


@dataclass
class MentorDashboard:
    review_count: int
    mentees: list
    at_risk: list
    overdue_checkins: list


def mentor_dashboard(user, *, today: date | None = None) -> MentorDashboard:
    today = today or timezone.localdate()
    mentees = mentor_mentees(user, open_only=True)
    overdue = [
        row.pairing
        for row in mentees
        if row.pairing.status == PairingStatus.ACTIVE
        and row.pairing.next_checkin_due is not None
        and row.pairing.next_checkin_due < today
    ]
    return MentorDashboard(
        review_count=review_queue(user).count(),
        mentees=mentees,
        at_risk=[row for row in mentees if row.at_risk_goals],
        overdue_checkins=overdue,
    )


# --- Program admins -------------------------------------------------------------------------


@dataclass(frozen=True)
class HealthRow:
    health: str
    label: str
    count: int
    percent: int
    badge: str


@dataclass(frozen=True)
class HealthDistribution:
    rows: list
    total: int
    program_uuid: object = None
    # Pages that receive it in a `goal_health` slot include this partial.
    template_name: ClassVar[str] = "goals/_health_distribution.html"

    def as_dict(self) -> dict[str, int]:
        return {row.health: row.count for row in self.rows}


def program_goals(program) -> QuerySet:
    """The program's goals (through the goal or its pairing), for its admins' summary.

    As a UNION of the two index lookups: the same condition written as an OR across the
    pairing join makes PostgreSQL read every goal in the table (20 ms at scale 1 against 2).
    """
    in_program = Goal.objects.filter(program=program).order_by().values("pk")
    through_pairing = Goal.objects.filter(pairing__program=program).order_by().values("pk")
    return Goal.objects.filter(pk__in=in_program.union(through_pairing))


def goal_health_distribution(program) -> HealthDistribution:
    """How many of the program's active goals are on track, at risk, ... (one query).

    Counts every active goal, private ones included: a count says nothing about any one
    goal, and leaving private goals out would make the program look healthier or sicker
    than it is.
    """
    goals = with_progress(
        program_goals(program)
        .filter(status=GoalStatus.ACTIVE)
        .only(
            "id",
            "status",
            "baseline_value",
            "target_value",
            "current_value",
            "starts_on",
            "target_date",
        )
    )
    counts = dict.fromkeys(ACTIVE_HEALTHS, 0)
    for goal in goals:
        counts[goal.progress.health] = counts.get(goal.progress.health, 0) + 1
    total = sum(counts.values())
    rows = [
        HealthRow(
            health=h,
            label=Health(h).label,
            count=counts[h],
            percent=round(100 * counts[h] / total) if total else 0,
            badge=HEALTH_BADGE[Health(h)],
        )
        for h in ACTIVE_HEALTHS
    ]
    return HealthDistribution(rows=rows, total=total, program_uuid=program.uuid)


# --- Goal page ------------------------------------------------------------------------------


def goal_for_page(uuid) -> Goal:
    """The goal with what the page needs in one query (raises Goal.DoesNotExist)."""
    return (
        Goal.objects.select_related("mentee", "program", "pairing", "pairing__mentor")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id"))
        )
        .get(uuid=uuid)
    )
