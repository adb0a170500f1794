"""Every read of the goals domain that a page or the API makes: views query through here
only. Each function makes a fixed number of queries however many goals, milestones or
updates there are.

Access is goals.policy's: lists are scoped by its filters (visible_goals_q, detail_goals_q,
mentor_goals_q, IN lists over the viewer's facts); single objects are loaded here and judged
by policy.goal_access in the view (404 or 403).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar, NamedTuple

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import PROFILE_FIELDS
from accounts.selectors import profile_card
from core.viewer import Viewer
from mentorship.models import OPEN_PAIRING_STATUSES, Membership, Pairing, PairingStatus, Role

from .kinds import OPEN_GOAL_STATUSES, SHARED_WITH_MENTOR
from .models import (
    Comment,
    Goal,
    GoalStatus,
    Milestone,
    MilestoneKind,
    ProgressUpdate,
    StepCompletion,
)
from .policy import (
    RUNNING_PAIRING_STATUSES,
    Level,
    detail_goals_q,
    goal_access,
    mentor_goals_q,
    visible_goals_q,
)
from .progress import ACTIVE_HEALTHS, HEALTH_BADGE, Health, goal_progress
from .weeks import is_due_in_week, week_start

UPCOMING_DAYS = 14


def _count_of(model, condition: str, params: list) -> RawSQL:
    """COUNT(*) of `model`'s rows of the outer goal that meet `condition`, as a correlated
    subquery on the goal table's own name (the querysets here start from Goal).

    Written as SQL once instead of as a Subquery expression: Django resolves and compiles a
    Subquery anew for every queryset, which cost more than the rest of a goal list."""
    goal = Goal._meta.db_table
    # Table and column names come from the models; the values are parameters.
    sql = (
        f"SELECT COUNT(*) FROM {model._meta.db_table} c "  # noqa: S608
        f'WHERE c.goal_id = "{goal}"."id" AND {condition}'
    )
    return RawSQL(sql, params, output_field=IntegerField())  # noqa: S611


def with_progress(goals: QuerySet) -> QuerySet:
    """Annotate what goal.progress needs, so a list computes health without more queries."""
    kind = [MilestoneKind.MILESTONE.value]
    return goals.annotate(
        milestones_total=_count_of(Milestone, "c.kind = %s", kind),
        milestones_done=_count_of(Milestone, "c.kind = %s AND c.completed_at IS NOT NULL", kind),
    )


def with_unacknowledged(goals: QuerySet) -> QuerySet:
    return goals.annotate(unacknowledged=_count_of(ProgressUpdate, "c.acknowledged_at IS NULL", []))


def visible_goals(viewer) -> QuerySet:
    return Goal.objects.filter(visible_goals_q(viewer))


# --- Mentee ---------------------------------------------------------------------------------


def mentee_goals(viewer) -> QuerySet:
    """All of the viewer's own goals, in her priority order."""
    viewer = Viewer.of(viewer)
    return with_progress(Goal.objects.filter(mentee_id=viewer.pk)).order_by(
        "priority", "created_at", "id"
    )


@dataclass
class DueMilestone:
    title: str
    due_on: date
    goal: Goal


@dataclass
class Feedback:
    body: str
    is_kudos: bool
    author_name: str | None  # None: a deleted account
    goal_uuid: object
    goal_title: str


@dataclass
class WeekStep:
    """A weekly action step due this week, on the mentee's dashboard."""

    uuid: object
    title: str
    goal: Goal
    done: bool


@dataclass
class MenteeDashboard:
    active_goals: list
    other_open_count: int
    upcoming_milestones: list
    overdue_milestones: list
    latest_feedback: list
    next_checkin: Pairing | None
    # Her open pairings whose agreement waits for her acceptance.
    agreements_waiting: list = field(default_factory=list)
    this_week: list = field(default_factory=list)
    week_start: date | None = None
    # Her mentors' profile cards (accounts.selectors.ProfileCard), one per open pairing.
    mentor_cards: list = field(default_factory=list)


# The goal columns a list of goals shows (title, status, dates) and its progress needs, in
# the model's field order (Model.from_db takes them so).
_CARD_NAMES = {
    "id",
    "uuid",
    "mentee_id",
    "program_id",
    "title",
    "status",
    "visibility",
    "priority",
    "created_at",
    "baseline_value",
    "target_value",
    "current_value",
    "starts_on",
    "target_date",
}
CARD_COLUMNS = tuple(f.attname for f in Goal._meta.concrete_fields if f.attname in _CARD_NAMES)


def _display_name(name: str | None, email: str | None) -> str | None:
    """accounts.User.display_name from the two columns (None for a deleted account)."""
    if email is None:
        return None
    return name or email.split("@")[0]


class MilestoneFacts(NamedTuple):
    kind: str
    completed_at: object
    due_on: date | None
    position: int
    title: str
    id: int
    uuid: object
    week_from: int | None
    week_to: int | None
    repeats_until: date | None
    done_in_week: bool = False


_MILESTONE_COLUMNS = tuple(f"milestones__{name}" for name in MilestoneFacts._fields[:-1])


def goals_with_milestones(
    goals: QuerySet, *, monday: date | None = None
) -> tuple[list[Goal], list[tuple[Goal, MilestoneFacts]]]:
    """The goals of `goals` (CARD_COLUMNS only, in its order) with what their progress needs,
    and their milestones, in one query: the goals joined to their milestones. With `monday`,
    each milestone also says whether it (a weekly step) was ticked off in that week."""
    names = CARD_COLUMNS + _MILESTONE_COLUMNS
    if monday is not None:
        goals = goals.annotate(
            step_done_in_week=Exists(
                StepCompletion.objects.filter(step_id=OuterRef("milestones__id"), week_start=monday)
            )
        )
        names += ("step_done_in_week",)
    width = len(CARD_COLUMNS)
    by_id: dict[int, Goal] = {}
    milestones = []
    order = [*goals.query.order_by, "milestones__position", "milestones__id"]
    for row in goals.values_list(*names).order_by(*order):
        goal = by_id.get(row[0])
        if goal is None:
            goal = by_id[row[0]] = Goal.from_db(goals.db, CARD_COLUMNS, row[:width])
            goal.milestones_total = goal.milestones_done = 0
        if row[width] is None:  # a goal without milestones
            continue
        milestone = MilestoneFacts(*row[width:])
        if milestone.kind == MilestoneKind.MILESTONE:
            goal.milestones_total += 1
            goal.milestones_done += milestone.completed_at is not None
        milestones.append((goal, milestone))
    return list(by_id.values()), milestones


def mentee_dashboard(viewer, *, today: date | None = None) -> MenteeDashboard:
    """Three queries: her open goals with their milestones and steps (progress, what is due,
    this week's steps and whether each is ticked off); the latest feedback from others; the
    next check-in (none without an open pairing). "This week" is the week of today in her own
    time zone (goals.weeks)."""
    viewer = Viewer.of(viewer)
    today = today or timezone.localdate()
    own_today = timezone.localtime(timezone.now(), viewer.user.tzinfo).date()
    monday = week_start(own_today)
    goals, milestones = goals_with_milestones(
        Goal.objects.filter(
            mentee_id=viewer.pk, status__in=OPEN_GOAL_STATUSES, archived_at__isnull=True
        ).order_by("priority", "created_at", "id"),
        monday=monday,
    )
    soon = today + timedelta(days=UPCOMING_DAYS)
    due = [
        (m.due_on, m.position, DueMilestone(title=m.title, due_on=m.due_on, goal=goal))
        for goal, m in milestones
        if m.completed_at is None
        and m.due_on is not None
        and m.due_on <= soon
        and goal.status == GoalStatus.ACTIVE
    ]
    due = [row for _d, _p, row in sorted(due, key=lambda r: (r[0], r[1]))[:20]]
    latest = (
        Comment.objects.filter(
            goal__mentee_id=viewer.pk, goal__archived_at__isnull=True, deleted_at__isnull=True
        )
        .exclude(author_id=viewer.pk)
        .order_by("-created_at", "-id")
        .values_list(
            "body", "is_kudos", "author__name", "author__email", "goal__uuid", "goal__title"
        )[:5]
    )
    feedback = [
        Feedback(
            body=body,
            is_kudos=is_kudos,
            author_name=_display_name(name, email),
            goal_uuid=goal_uuid,
            goal_title=goal_title,
        )
        for body, is_kudos, name, email, goal_uuid, goal_title in latest
    ]
    next_checkin = None
    waiting: list = []
    mentor_cards: list = []
    open_links = [link for link in viewer.as_mentee if link.status in OPEN_PAIRING_STATUSES]
    if open_links:
        # Her open pairings (at most one per program): the next check-in, the agreements
        # she has not accepted yet and her mentors' profiles, from one query.
        pairings = list(
            Pairing.objects.filter(pk__in=[link.pairing_id for link in open_links])
            .select_related("mentor__profile", "program")
            .only(
                "id",
                "uuid",
                "mentee_id",
                "status",
                "next_checkin_due",
                "mentor__uuid",
                "mentor__name",
                "mentor__email",
                "mentor__timezone",
                *(f"mentor__profile__{name}" for name in PROFILE_FIELDS),
                "mentor__profile__user_id",
                "program__name",
            )
            .order_by("next_checkin_due", "id")
        )
        planned = [p for p in pairings if p.next_checkin_due is not None]
        next_checkin = planned[0] if planned else None
        unagreed = {link.pairing_id for link in open_links if not link.mentee_agreed}
        waiting = [p for p in pairings if p.pk in unagreed]
        seen = set()
        for p in pairings:
            if p.mentor_id is not None and p.mentor_id not in seen:
                seen.add(p.mentor_id)
                mentor_cards.append(
                    profile_card(p.mentor, url=reverse("mentorship:person", args=[p.mentor.uuid]))
                )
    active = [g for g in goals if g.status == GoalStatus.ACTIVE]
    due_steps = [
        (goal, m)
        for goal, m in milestones
        if m.kind == MilestoneKind.ACTION
        and goal.status == GoalStatus.ACTIVE
        and is_due_in_week(m, starts_on=goal.starts_on, monday=monday)
    ]
    this_week = [
        WeekStep(uuid=m.uuid, title=m.title, goal=goal, done=m.done_in_week)
        for goal, m in due_steps
    ]
    return MenteeDashboard(
        this_week=this_week,
        week_start=monday,
        active_goals=active,
        other_open_count=len(goals) - len(active),
        upcoming_milestones=[m for m in due if m.due_on >= today],
        overdue_milestones=[m for m in due if m.due_on < today],
        latest_feedback=feedback,
        next_checkin=next_checkin,
        agreements_waiting=waiting,
        mentor_cards=mentor_cards,
    )


# --- Mentor ---------------------------------------------------------------------------------


@dataclass
class MenteeRow:
    pairing: Pairing
    goals: list = field(default_factory=list)
    # Updates of this mentee in the review queue (review_queue): those of goals followed
    # through a running pairing, drafts included.
    unacknowledged: int = 0

    @property
    def mentee(self):
        return self.pairing.mentee

    @property
    def at_risk_goals(self) -> list:
        return [g for g in self.goals if g.progress.health in (Health.AT_RISK, Health.OFF_TRACK)]


def _goals_shared_with_mentor(viewer: Viewer, *, open_only: bool) -> list[Goal]:
    """Goals shared with the viewer as mentor (drafts too), with progress and the number of
    updates not yet acknowledged."""
    return list(
        with_unacknowledged(
            with_progress(
                Goal.objects.filter(
                    mentor_goals_q(viewer, open_only=open_only), archived_at__isnull=True
                )
            )
        ).order_by("mentee_id", "priority", "created_at")
    )


def mentor_mentee_count(viewer) -> int:
    """How many rows mentor_mentees(viewer) has: one per person the viewer mentors or has
    mentored (whose account still exists), from the viewer's facts (no query)."""
    mentees = {link.other_id for link in Viewer.of(viewer).as_mentor}
    return len(mentees - {None})


def mentor_mentees(
    viewer, *, open_only: bool = False, goals: list[Goal] | None = None
) -> list[MenteeRow]:
    """Each mentee of the viewer (open pairings first), with the goals shared with him
    (drafts left out) and his updates in the review queue. A proposed pairing gives a row
    with the mentee's name and no goals. No query for someone who mentors nobody."""
    viewer = Viewer.of(viewer)
    if not any(not open_only or link.status in OPEN_PAIRING_STATUSES for link in viewer.as_mentor):
        return []
    pairings = Pairing.objects.filter(mentor_id=viewer.pk, mentee__isnull=False).select_related(
        "mentee", "program"
    )
    if open_only:
        pairings = pairings.filter(status__in=OPEN_PAIRING_STATUSES)
    rows: dict[int, MenteeRow] = {}
    for pairing in sorted(
        pairings, key=lambda p: (p.status not in OPEN_PAIRING_STATUSES, p.mentee.display_name)
    ):
        rows.setdefault(pairing.mentee_id, MenteeRow(pairing=pairing))
    if goals is None:
        goals = _goals_shared_with_mentor(viewer, open_only=open_only)
    for goal in goals:
        row = rows.get(goal.mentee_id)
        if row is None:
            continue
        if goal.status != GoalStatus.DRAFT:
            row.goals.append(goal)
        # The same rule as the review queue's filter (mentor_goals_q with open_only).
        if goal_access(viewer, goal).can_acknowledge:
            row.unacknowledged += goal.unacknowledged
    return list(rows.values())


class ReviewRow(NamedTuple):
    """An update in the mentor's review queue."""

    uuid: object
    value: object
    note: str
    confidence: int
    created_at: object
    goal_uuid: object
    goal_title: str
    goal_unit: str
    mentee_name: str
    mentee_email: str

    @classmethod
    def of(cls, update: ProgressUpdate) -> ReviewRow:
        goal = update.goal
        return cls(
            update.uuid,
            update.value,
            update.note,
            update.confidence,
            update.created_at,
            goal.uuid,
            goal.title,
            goal.unit,
            goal.mentee.name,
            goal.mentee.email,
        )


def review_queue(viewer) -> QuerySet:
    """Updates not yet acknowledged on goals shared with the viewer through a running
    pairing (active or paused; neither proposed nor past), oldest first, as ReviewRow values
    (`ReviewRow._make` each)."""
    return (
        ProgressUpdate.objects.filter(acknowledged_at__isnull=True, goal__archived_at__isnull=True)
        .filter(mentor_goals_q(viewer, prefix="goal__", open_only=True))
        .order_by("created_at", "id")
        .values_list(
            "uuid",
            "value",
            "note",
            "confidence",
            "created_at",
            "goal__uuid",
            "goal__title",
            "goal__unit",
            "goal__mentee__name",
            "goal__mentee__email",
        )
    )


@dataclass
class MentorDashboard:
    review_count: int
    mentees: list
    at_risk: list
    overdue_checkins: list
    # The rows of the mentees page (mentor_mentees), past pairings included.
    mentee_count: int = 0


def mentor_dashboard(viewer, *, today: date | None = None) -> MentorDashboard:
    viewer = Viewer.of(viewer)
    today = today or timezone.localdate()
    goals = _goals_shared_with_mentor(viewer, open_only=True) if viewer.as_mentor else []
    mentees = mentor_mentees(viewer, open_only=True, goals=goals)
    overdue = [
        row.pairing
        for row in mentees
        if row.pairing.status == PairingStatus.ACTIVE
        and row.pairing.next_checkin_due is not None
        and row.pairing.next_checkin_due < today
    ]
    return MentorDashboard(
        # The review queue is the unacknowledged updates of these goals, drafts included.
        review_count=sum(g.unacknowledged for g in goals),
        mentees=mentees,
        at_risk=[row for row in mentees if row.at_risk_goals],
        overdue_checkins=overdue,
        mentee_count=mentor_mentee_count(viewer),
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


class HealthInputs(NamedTuple):
    """What goal_progress() reads of a goal, as a row."""

    status: str
    baseline_value: object
    target_value: object
    current_value: object
    starts_on: object
    target_date: object
    milestones_total: int
    milestones_done: int


def program_shared_goals(program) -> QuerySet:
    """The program's goals its admins may know exist: those shared beyond the mentee. A
    private goal is never listed, counted or summed in anything another person sees; the
    program's goal list and its health counts both start from here."""
    return program_goals(program).filter(visibility__in=SHARED_WITH_MENTOR)


def goal_health_distribution(program, *, goals: list[Goal] | None = None) -> HealthDistribution:
    """How many of the program's active shared goals (program_shared_goals) are on track, at
    risk, ...: one query, none when given the program's goal list (`goals`, from
    program_goal_rows), so that the counts and the list shown beside them agree."""
    today = timezone.localdate()
    if goals is None:
        # Rows, not model instances: the page needs one health per goal and nothing else.
        rows = with_progress(
            program_shared_goals(program)
            .filter(status=GoalStatus.ACTIVE, archived_at__isnull=True)
            .order_by()
        ).values_list(*HealthInputs._fields)
        healths = [goal_progress(HealthInputs(*row), today=today).health for row in rows]
    else:
        healths = [g.progress.health for g in goals if g.status == GoalStatus.ACTIVE]
    counts = dict.fromkeys(ACTIVE_HEALTHS, 0)
    for health in healths:
        counts[health] = counts.get(health, 0) + 1
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


def goal_for_page(uuid) -> Goal | None:
    """The goal with its mentee, program and pairing (with its mentor), or None."""
    return (
        Goal.objects.select_related("mentee", "program", "pairing", "pairing__mentor")
        .filter(uuid=uuid)
        .first()
    )


def goal_milestones(goal: Goal, *, monday: date) -> list[Milestone]:
    """The goal's milestones and weekly steps in their order, each step with the number of
    weeks it was ticked off in (`weeks_done`) and whether `monday`'s week is one of them
    (`done_in_week`), in one query; the goal's progress then needs no query of its own."""
    ticks = StepCompletion.objects.filter(step_id=OuterRef("pk"))
    items = list(
        Milestone.objects.filter(goal_id=goal.pk)
        .annotate(
            weeks_done=Coalesce(
                Subquery(ticks.values("step_id").annotate(n=Count("*")).values("n")[:1]), 0
            ),
            done_in_week=Exists(ticks.filter(week_start=monday)),
        )
        .order_by("position", "id")
    )
    counted = [m for m in items if m.kind == MilestoneKind.MILESTONE]
    goal.milestones_total = len(counted)
    goal.milestones_done = sum(1 for m in counted if m.completed_at is not None)
    goal.__dict__.pop("progress", None)
    return items


def step_by_uuid(uuid) -> Milestone | None:
    """A weekly action step with its goal (what goal_access reads), or None."""
    return (
        Milestone.objects.select_related("goal", "goal__mentee", "goal__program", "goal__pairing")
        .filter(uuid=uuid, kind=MilestoneKind.ACTION)
        .first()
    )


def goal_by_uuid(uuid) -> Goal | None:
    """The goal with its mentee, program and pairing (what goal_access and the serializer
    read), or None."""
    return Goal.objects.select_related("mentee", "program", "pairing").filter(uuid=uuid).first()


def milestone_by_uuid(uuid) -> Milestone | None:
    return (
        Milestone.objects.select_related("goal", "goal__mentee", "goal__program", "goal__pairing")
        .filter(uuid=uuid)
        .first()
    )


def update_by_uuid(uuid) -> ProgressUpdate | None:
    return (
        ProgressUpdate.objects.select_related(
            "goal", "goal__mentee", "goal__program", "goal__pairing", "author"
        )
        .filter(uuid=uuid)
        .first()
    )


def comment_by_uuid(uuid) -> Comment | None:
    """The comment with its goal (what goal_access reads), or None."""
    return (
        Comment.objects.select_related("goal", "goal__mentee", "goal__program", "goal__pairing")
        .filter(uuid=uuid)
        .first()
    )


def goal_comment_on(goal: Goal, uuid) -> Comment | None:
    return goal.comments.filter(uuid=uuid).first()


def goal_update_on(goal: Goal, uuid) -> ProgressUpdate | None:
    return goal.updates.filter(uuid=uuid).first()


def goal_milestone_on(goal: Goal, uuid) -> Milestone | None:
    return goal.milestones.filter(uuid=uuid).first()


def mentee_active_goal(viewer, uuid) -> Goal | None:
    """One of the viewer's own active goals (to put on hold), or None."""
    viewer = Viewer.of(viewer)
    return Goal.objects.filter(
        uuid=uuid, mentee_id=viewer.pk, status=GoalStatus.ACTIVE, archived_at__isnull=True
    ).first()


class UpdateRow(NamedTuple):
    """A progress update as the goal page shows it."""

    pk: int
    uuid: object
    value: object
    note: str
    confidence: int
    created_at: object
    acknowledged_at: object
    occurred_on: date
    edited_at: object
    author_id: int | None
    acknowledged_by_name: str | None  # None: not acknowledged, or a deleted account


class CommentRow(NamedTuple):
    uuid: object
    body: str
    is_kudos: bool
    created_at: object
    author_name: str | None  # None: a deleted account
    update: UpdateRow | None  # the update it is on (one of the page's own)
    author_id: int | None = None
    edited_at: object = None
    deleted_at: object = None
    replies: tuple = ()  # CommentRow of the replies, oldest first


class EventRow(NamedTuple):
    action: str
    detail: str
    created_at: object
    actor_name: str | None


@dataclass
class GoalPageDetails:
    updates: list[UpdateRow]
    comments: list[CommentRow]
    events: list[EventRow]


def goal_page_details(goal: Goal, *, events_shown: int) -> GoalPageDetails:
    """The updates (latest day first), comments (oldest first, each with its update from the
    same list) and latest history of the goal page: three queries, of rows rather than
    model instances (the page only shows them)."""
    updates = [
        UpdateRow(*row[:10], _display_name(*row[10:]))
        for row in ProgressUpdate.objects.filter(goal_id=goal.pk)
        .order_by("-occurred_on", "-created_at", "-id")
        .values_list(
            "id",
            "uuid",
            "value",
            "note",
            "confidence",
            "created_at",
            "acknowledged_at",
            "occurred_on",
            "edited_at",
            "author_id",
            "acknowledged_by__name",
            "acknowledged_by__email",
        )
    ]
    by_id = {u.pk: u for u in updates}
    threads: dict[int, list] = {}
    top: list[tuple[int, CommentRow]] = []
    for pk, parent, uuid, body, kudos, created, name, email, update, author, edited, gone in (
        Comment.objects.filter(goal_id=goal.pk)
        .order_by("created_at", "id")
        .values_list(
            "id",
            "parent_id",
            "uuid",
            "body",
            "is_kudos",
            "created_at",
            "author__name",
            "author__email",
            "update_id",
            "author_id",
            "edited_at",
            "deleted_at",
        )
    ):
        row = CommentRow(
            uuid,
            body,
            kudos,
            created,
            _display_name(name, email),
            by_id.get(update),
            author,
            edited,
            gone,
        )
        if parent is None:
            top.append((pk, row))
        else:
            threads.setdefault(parent, []).append(row)
    comments = [row._replace(replies=tuple(threads.get(pk, ()))) for pk, row in top]
    events = [
        EventRow(action, detail, created_at, _display_name(name, email))
        for action, detail, created_at, name, email in goal.events.order_by(
            "-created_at", "-id"
        ).values_list("action", "detail", "created_at", "actor__name", "actor__email")[
            :events_shown
        ]
    ]
    return GoalPageDetails(updates=updates, comments=comments, events=events)


def goal_open_pairing(goal: Goal) -> Pairing | None:
    """The running pairing (active or paused) through which the goal's mentor follows it, if
    any: a proposed one shares no goal (goals.policy). No query when the goal's own pairing,
    loaded with it, is running."""
    if goal.pairing_id is not None and goal.pairing.status in RUNNING_PAIRING_STATUSES:
        return goal.pairing
    pairings = Pairing.objects.filter(mentee_id=goal.mentee_id, status__in=RUNNING_PAIRING_STATUSES)
    if goal.program_id is not None:
        pairings = pairings.filter(program_id=goal.program_id)
    return pairings.select_related("mentor").order_by("-created_at").first()


def mentee_goal_context(viewer):
    """The program (and open pairing, with its mentor) a new goal of the viewer belongs to:
    her most recent mentee membership of an active program that has not ended."""
    viewer = Viewer.of(viewer)
    membership = (
        Membership.objects.filter(
            user_id=viewer.pk,
            role=Role.MENTEE,
            program__is_active=True,
            program__ended_at__isnull=True,
        )
        .select_related("program")
        .order_by("-joined_at")
        .first()
    )
    if membership is None:
        return None, None
    pairing = (
        Pairing.objects.filter(
            mentee_id=viewer.pk, program=membership.program, status__in=OPEN_PAIRING_STATUSES
        )
        .select_related("mentor")
        .order_by("-created_at")
        .first()
    )
    return membership.program, pairing


def mentee_open_pairing(viewer, uuid) -> Pairing | None:
    """One of the viewer's open pairings as a mentee, with its program, or None (no query
    when the viewer has none)."""
    viewer = Viewer.of(viewer)
    if not any(link.status in OPEN_PAIRING_STATUSES for link in viewer.as_mentee):
        return None
    return (
        Pairing.objects.filter(uuid=uuid, mentee_id=viewer.pk, status__in=OPEN_PAIRING_STATUSES)
        .select_related("program")
        .first()
    )


def program_goal_rows(
    program, *, include_archived: bool = False, filters: dict | None = None
) -> list[Goal]:
    """The program's goals shared beyond the mentee (program_shared_goals), for its admins'
    summary page (archived goals left out) and its export (`include_archived`: kept, since
    an archived goal stays in exports). `filters` (forms.ProgramGoalFilterForm's): what the
    outcomes report (mentorship.report) counts; health is applied by the page."""
    goals = program_shared_goals(program).select_related("mentee")
    if filters:
        goals = _filtered(goals, filters)
    return list(
        with_progress(
            goals if include_archived else goals.filter(archived_at__isnull=True)
        ).order_by("mentee__name", "priority", "created_at")
    )


def _month_span(first: date) -> tuple:
    """The month's first and next month's first midnight, in the current time zone."""
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return tuple(timezone.make_aware(datetime(d.year, d.month, d.day)) for d in (first, following))


def _filtered(goals: QuerySet, filters: dict) -> QuerySet:
    first, last = filters.get("started_from"), filters.get("started_to")
    if first or last:
        goals = goals.filter(pairing__started_on__isnull=False)
    if first:
        goals = goals.filter(pairing__started_on__gte=first)
    if last:
        goals = goals.filter(pairing__started_on__lt=_month_span(last)[1].date())
    if filters.get("status"):
        goals = goals.filter(status=filters["status"])
    for name, column in (("created", "created_at"), ("completed", "completed_at")):
        if filters.get(name):
            low, high = _month_span(filters[name])
            goals = goals.filter(**{f"{column}__gte": low, f"{column}__lt": high})
    return goals


# --- The API --------------------------------------------------------------------------------


def goals_for_api(viewer) -> QuerySet[Goal]:
    """Goals the viewer may know exist, with what the serializer and goal_level need in the
    same query: progress annotations and the pairing (for the program-admin rule)."""
    return with_progress(
        Goal.objects.filter(visible_goals_q(viewer)).select_related("mentee", "program", "pairing")
    )


def goal_level(viewer, goal: Goal) -> Level:
    """The access level to a goal of goals_for_api (goals.policy.goal_access's, no query)."""
    return goal_access(viewer, goal).level


def goal_rows_for_api(model, viewer, *, select: tuple = ("goal",)) -> QuerySet:
    """Milestones, updates or comments (`model`) of the goals whose details the viewer may
    read."""
    return model.objects.filter(detail_goals_q(viewer, prefix="goal__")).select_related(*select)
