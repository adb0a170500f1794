"""Every change to goals, milestones, progress updates and comments goes through here.

Each function is atomic, records the change in the goal's history (GoalEvent) and tells the
other side of the pair through notifications.services.notify where that is due.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Literal

from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorship.models import OPEN_PAIRING_STATUSES, Pairing
from notifications.kinds import Kind
from notifications.services import notify

from .models import (
    Comment,
    Goal,
    GoalEvent,
    GoalStatus,
    Milestone,
    MilestoneKind,
    ProgressUpdate,
    Visibility,
)

DEFAULT_FOCUS_LIMIT = 3
MAX_MILESTONES_AT_CREATION = 10

# The fields of the guided form; `goal_update` changes only these.
EDITABLE_FIELDS = (
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


class StaleGoalError(Exception):
    """The goal changed since the form was opened (another tab, another device)."""


class FocusLimitReached(Exception):
    def __init__(self, *, limit: int, active_goals: list[Goal]):
        super().__init__(f"focus limit of {limit} active goals reached")
        self.limit = limit
        self.active_goals = active_goals


class NotAllowed(Exception):
    """A change the rules forbid (e.g. acknowledging one's own update)."""


def _event(*, goal: Goal, actor, action: str, detail: str = "") -> GoalEvent:
    return GoalEvent.objects.create(goal=goal, actor=actor, action=action, detail=detail[:1000])


def _goal_url(goal: Goal) -> str:
    return reverse("goals:goal_detail", args=[goal.uuid])


def goal_open_pairing(goal: Goal) -> Pairing | None:
    """The open pairing through which the goal's mentor follows it, if any."""
    if goal.pairing_id is not None and goal.pairing.status in OPEN_PAIRING_STATUSES:
        return goal.pairing
    pairings = Pairing.objects.filter(mentee_id=goal.mentee_id, status__in=OPEN_PAIRING_STATUSES)
    if goal.program_id is not None:
        pairings = pairings.filter(program_id=goal.program_id)
    return pairings.select_related("mentor").order_by("-created_at").first()


def _mentor_following(goal: Goal):
    """The mentor to tell about this goal: only when it is shared and the pairing is open."""
    if goal.visibility == Visibility.PRIVATE:
        return None
    pairing = goal_open_pairing(goal)
    return pairing.mentor if pairing else None


def _fmt(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@transaction.atomic
def goal_create(
    *,
    mentee,
    data: dict,
    program=None,
    pairing: Pairing | None = None,
    milestone_titles: Iterable[str] = (),
) -> Goal:
    fields = {f: data[f] for f in EDITABLE_FIELDS if f in data}
    last = Goal.objects.filter(mentee=mentee).aggregate(m=Max("priority"))["m"]
    goal = Goal.objects.create(
        mentee=mentee,
        program=program,
        pairing=pairing,
        priority=0 if last is None else last + 1,
        status=GoalStatus.DRAFT,
        current_value=fields.get("baseline_value"),
        **fields,
    )
    _event(goal=goal, actor=mentee, action="created", detail=goal.title)
    titles = [t.strip() for t in milestone_titles if t and t.strip()]
    for position, title in enumerate(titles[:MAX_MILESTONES_AT_CREATION]):
        Milestone.objects.create(goal=goal, title=title[:200], position=position)
    if titles:
        _event(
            goal=goal,
            actor=mentee,
            action="milestone_added",
            detail="; ".join(titles[:MAX_MILESTONES_AT_CREATION]),
        )
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, by, changes: dict, expected_version: int) -> Goal:
    """Save the guided form: refused with StaleGoalError when the goal changed since the form
    was opened (compare-and-swap on `version`), so a second tab never overwrites the first."""
    fields = {f: changes[f] for f in EDITABLE_FIELDS if f in changes}
    current = Goal.objects.select_for_update().get(pk=goal.pk)
    if current.version != expected_version:
        raise StaleGoalError
    changed = [f for f, value in fields.items() if getattr(current, f) != value]
    if (
        "baseline_value" in changed
        and current.current_value == current.baseline_value
        and not current.updates.filter(value__isnull=False).exists()
    ):
        # Nothing logged yet: the current value follows the corrected starting value.
        fields["current_value"] = fields["baseline_value"]
    rows = Goal.objects.filter(pk=goal.pk, version=expected_version).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    if rows != 1:
        raise StaleGoalError
    if changed:
        parts = []
        for f in changed:
            label = Goal._meta.get_field(f).verbose_name
            if f in ("specific", "achievable", "relevant"):
                parts.append(_("%(field)s changed") % {"field": label})
            else:
                parts.append(
                    _("%(field)s: %(old)s → %(new)s")
                    % {"field": label, "old": _fmt(getattr(current, f)), "new": _fmt(fields[f])}
                )
        _event(goal=goal, actor=by, action="edited", detail="; ".join(parts))
    goal.refresh_from_db()
    goal.__dict__.pop("progress", None)
    return goal


def _focus_limit(goal: Goal) -> int:
    return goal.program.max_active_goals if goal.program_id else DEFAULT_FOCUS_LIMIT


def _active_goals_competing(goal: Goal):
    qs = Goal.objects.filter(mentee_id=goal.mentee_id, status=GoalStatus.ACTIVE).exclude(pk=goal.pk)
    if goal.program_id is not None:
        return qs.filter(program_id=goal.program_id)
    return qs.filter(program__isnull=True)


@transaction.atomic
def goal_set_status(
    *,
    goal: Goal,
    status: str,
    by,
    confirm_over_limit: bool = False,
    put_on_hold: Goal | None = None,
) -> Goal:
    """Change the status. Activating a goal beyond the program's focus limit raises
    FocusLimitReached unless the mentee put another goal on hold (`put_on_hold`) or
    confirmed (`confirm_over_limit`): never silently."""
    if status not in GoalStatus.values:
        raise ValueError(f"unknown status {status!r}")
    # Lock the mentee's goals so two tabs activating at once cannot both slip under the limit.
    list(Goal.objects.select_for_update().filter(mentee_id=goal.mentee_id).values_list("pk"))
    goal.refresh_from_db()
    if goal.status == status:
        return goal
    if status == GoalStatus.ACTIVE:
        if put_on_hold is not None:
            if put_on_hold.mentee_id != goal.mentee_id or put_on_hold.pk == goal.pk:
                raise NotAllowed("can only put another of the mentee's own goals on hold")
            goal_set_status(goal=put_on_hold, status=GoalStatus.ON_HOLD, by=by)
        limit = _focus_limit(goal)
        active = list(_active_goals_competing(goal).order_by("priority", "created_at"))
        if len(active) >= limit and not confirm_over_limit:
            raise FocusLimitReached(limit=limit, active_goals=active)
    old = goal.get_status_display()
    goal.status = status
    goal.completed_at = timezone.now() if status == GoalStatus.COMPLETED else None
    goal.updated_at = timezone.now()
    goal.save(update_fields=["status", "completed_at", "updated_at"])
    detail = _("%(old)s → %(new)s") % {"old": old, "new": goal.get_status_display()}
    if status == GoalStatus.ACTIVE and confirm_over_limit:
        detail += " " + _("(above the focus limit, confirmed)")
    _event(goal=goal, actor=by, action="status", detail=detail)
    goal.__dict__.pop("progress", None)
    return goal


def _move(items: list, item, direction: Literal["up", "down"]) -> list | None:
    index = next(i for i, x in enumerate(items) if x.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(items):
        return None
    items[index], items[other] = items[other], items[index]
    return items


@transaction.atomic
def goal_move(*, goal: Goal, direction: Literal["up", "down"], by) -> bool:
    """Move the goal one place up or down in the mentee's priority order (open goals only)."""
    goals = list(
        Goal.objects.select_for_update()
        .filter(mentee_id=goal.mentee_id)
        .order_by("priority", "created_at", "id")
    )
    open_goals = [g for g in goals if g.is_open]
    if not any(g.pk == goal.pk for g in open_goals):
        return False
    reordered = _move(open_goals, goal, direction)
    if reordered is None:
        return False
    closed = [g for g in goals if not g.is_open]
    for priority, g in enumerate(reordered + closed):
        g.priority = priority
    Goal.objects.bulk_update(goals, ["priority"])
    new_place = next(i for i, g in enumerate(reordered) if g.pk == goal.pk) + 1
    _event(goal=goal, actor=by, action="moved", detail=_("Now priority %(n)d") % {"n": new_place})
    return True


@transaction.atomic
def milestone_add(
    *, goal: Goal, by, title: str, kind: str = MilestoneKind.MILESTONE, due_on: date | None = None
) -> Milestone:
    last = goal.milestones.aggregate(m=Max("position"))["m"]
    milestone = Milestone.objects.create(
        goal=goal,
        title=title,
        kind=kind,
        due_on=due_on,
        position=0 if last is None else last + 1,
    )
    _event(goal=goal, actor=by, action="milestone_added", detail=title)
    return milestone


@transaction.atomic
def milestone_complete(*, milestone: Milestone, by) -> bool:
    """Mark done; returns False when it already was. Tells the mentor once per completion."""
    now = timezone.now()
    rows = Milestone.objects.filter(pk=milestone.pk, completed_at__isnull=True).update(
        completed_at=now, completion_count=F("completion_count") + 1
    )
    if rows != 1:
        return False
    milestone.refresh_from_db()
    goal = milestone.goal
    _event(goal=goal, actor=by, action="milestone_completed", detail=milestone.title)
    mentor = _mentor_following(goal)
    if mentor is not None:
        notify(
            recipient=mentor,
            kind=Kind.MILESTONE_COMPLETED,
            dedupe_key=f"milestone_completed:{milestone.uuid}:{milestone.completion_count}",
            title=_("%(mentee)s completed “%(milestone)s”")
            % {"mentee": goal.mentee.display_name, "milestone": milestone.title},
            body=_("Goal: %(goal)s") % {"goal": goal.title},
            url=_goal_url(goal),
            payload={"goal": str(goal.uuid), "milestone": str(milestone.uuid)},
        )
    return True


@transaction.atomic
def milestone_reopen(*, milestone: Milestone, by) -> bool:
    rows = Milestone.objects.filter(pk=milestone.pk, completed_at__isnull=False).update(
        completed_at=None
    )
    if rows != 1:
        return False
    milestone.completed_at = None
    _event(goal=milestone.goal, actor=by, action="milestone_reopened", detail=milestone.title)
    return True


@transaction.atomic
def milestone_move(*, milestone: Milestone, direction: Literal["up", "down"], by) -> bool:
    items = list(
        Milestone.objects.select_for_update()
        .filter(goal_id=milestone.goal_id, kind=milestone.kind)
        .order_by("position", "id")
    )
    reordered = _move(items, milestone, direction)
    if reordered is None:
        return False
    for position, item in enumerate(reordered):
        item.position = position
    Milestone.objects.bulk_update(reordered, ["position"])
    return True


@transaction.atomic
def progress_update_log(
    *, goal: Goal, by, value: Decimal | None, note: str, confidence: int
) -> ProgressUpdate:
    if goal.mentee_id != by.pk:
        raise NotAllowed("only the mentee logs progress on her goal")
    update = ProgressUpdate.objects.create(
        goal=goal,
        author=by,
        value=value if goal.has_metric else None,
        note=note,
        confidence=confidence,
    )
    if update.value is not None:
        # Not a version bump: the guided form does not carry current_value, so an open edit
        # tab is not stale because progress was logged.
        Goal.objects.filter(pk=goal.pk).update(current_value=update.value)
        goal.current_value = update.value
        goal.__dict__.pop("progress", None)
    detail = _fmt(update.value) if update.value is not None else ""
    _event(goal=goal, actor=by, action="update_logged", detail=detail)
    mentor = _mentor_following(goal)
    if mentor is not None:
        notify(
            recipient=mentor,
            kind=Kind.FEEDBACK,
            dedupe_key=f"feedback:update:{update.uuid}",
            title=_("%(mentee)s logged progress on “%(goal)s”")
            % {"mentee": by.display_name, "goal": goal.title},
            body=note[:500],
            url=reverse("goals:review_queue"),
            payload={"goal": str(goal.uuid), "update": str(update.uuid)},
        )
    return update


def _update_summary(update: ProgressUpdate) -> str:
    when = timezone.localtime(update.created_at).date().isoformat()
    if update.value is not None:
        return _("the update of %(date)s (%(value)s)") % {"date": when, "value": _fmt(update.value)}
    return _("the update of %(date)s") % {"date": when}


@transaction.atomic
def progress_update_acknowledge(*, update: ProgressUpdate, by, reply: str = "") -> bool:
    """One-click acknowledgement by the mentor, with an optional reply (a comment on the
    update). Returns False when it had already been acknowledged."""
    if update.author_id == by.pk or update.goal.mentee_id == by.pk:
        raise NotAllowed("a mentee does not acknowledge her own update")
    now = timezone.now()
    rows = ProgressUpdate.objects.filter(pk=update.pk, acknowledged_at__isnull=True).update(
        acknowledged_by=by, acknowledged_at=now
    )
    if reply.strip():
        comment_add(goal=update.goal, by=by, body=reply, update=update)
    if rows != 1:
        return False
    update.acknowledged_by, update.acknowledged_at = by, now
    goal = update.goal
    _event(goal=goal, actor=by, action="update_acknowledged", detail=_update_summary(update))
    notify(
        recipient=goal.mentee,
        kind=Kind.FEEDBACK,
        dedupe_key=f"feedback:ack:{update.uuid}",
        title=_("%(mentor)s acknowledged your update on “%(goal)s”")
        % {"mentor": by.display_name, "goal": goal.title},
        url=_goal_url(goal),
        payload={"goal": str(goal.uuid), "update": str(update.uuid)},
    )
    return True


@transaction.atomic
def comment_add(
    *,
    goal: Goal,
    by,
    body: str,
    is_kudos: bool = False,
    update: ProgressUpdate | None = None,
    milestone: Milestone | None = None,
) -> Comment:
    comment = Comment.objects.create(
        goal=goal, author=by, body=body, is_kudos=is_kudos, update=update, milestone=milestone
    )
    _event(goal=goal, actor=by, action="kudos" if is_kudos else "comment", detail=body[:200])
    recipient = goal.mentee if by.pk != goal.mentee_id else _mentor_following(goal)
    if recipient is not None and recipient.pk != by.pk:
        title = (
            _("%(author)s sent kudos on “%(goal)s”")
            if is_kudos
            else _("%(author)s commented on “%(goal)s”")
        )
        notify(
            recipient=recipient,
            kind=Kind.FEEDBACK,
            dedupe_key=f"feedback:comment:{comment.uuid}",
            title=title % {"author": by.display_name, "goal": goal.title},
            body=body[:500],
            url=_goal_url(goal) + "#feedback",
            payload={"goal": str(goal.uuid), "comment": str(comment.uuid)},
        )
    return comment
