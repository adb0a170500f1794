"""Every change to goals, milestones, progress updates and comments goes through here.

Each function is atomic, records the change in the goal's history (GoalEvent) and tells the
other side of the pair through notifications.services.notify where that is due.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dedupe import recent_twin
from core.errors import Conflict, Forbidden, InvalidInput
from mentorship.models import Pairing
from notifications.kinds import Kind
from notifications.services import notification_withdraw, notify

from .models import (
    GOAL_FIELDS,
    PROGRESS_UPDATE_FIELDS,
    Category,
    Comment,
    Goal,
    GoalEvent,
    GoalStatus,
    Milestone,
    MilestoneKind,
    ProgressUpdate,
    StepCompletion,
    Visibility,
    date_outside_horizon,
)
from .selectors import goal_open_pairing
from .weeks import is_due_in_week, week_number, weeks_label
from .weeks import week_start as monday_of

DEFAULT_FOCUS_LIMIT = 3
MAX_MILESTONES_AT_CREATION = 10
MILESTONE_TITLE_LENGTH = Milestone._meta.get_field("title").max_length
CONFIDENCE_RANGE = (1, 5)
# A create identical to one the same person made this recently (a reloaded or re-posted form,
# a double click, a client retrying) returns the first one instead of making a second.
# The goal's editable fields (goals.models.GOAL_FIELDS): `goal_update` changes only these.
EDITABLE_FIELDS = GOAL_FIELDS

# Messages of the rules below; the pages' forms show the same ones (goals/forms.py).
NOT_A_NUMBER = gettext_lazy("Enter a number, such as 12 or 3.5.")
TOO_MANY_DIGITS = gettext_lazy("That number is too large: at most %(max)s digits in total.")
TOO_MANY_DECIMALS = gettext_lazy("Use at most %(max)s digits after the decimal point.")
TOO_LONG = gettext_lazy(
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d)."
)


class StaleGoalError(Conflict):
    """The goal changed since the form was opened (another tab, another device)."""

    def __init__(self, message=None, **kwargs):
        super().__init__(
            message or _("The goal changed since you read it; read it again and retry."),
            **kwargs,
        )


class FocusLimitReached(Conflict):
    """Activating the goal would go beyond the program's focus limit. A conflict with the
    mentee's other active goals, but answered as a message on the status (400): the same
    request with a goal put on hold, or confirmed, succeeds."""

    status = 400

    def __init__(self, *, limit: int, active_goals: list[Goal]):
        super().__init__(
            _(
                "You already have %(n)d active goals, the program's focus limit. Put one on "
                "hold, or send confirm_over_limit=true."
            )
            % {"n": limit},
            field="status",
        )
        self.limit = limit
        self.active_goals = active_goals


class NotAllowed(Forbidden):
    """A change the rules forbid (e.g. acknowledging one's own update)."""


# --- Rules ------------------------------------------------------------------------------------
# Every rule a goal, milestone, update or comment must follow, written once: the services
# below apply them before they write, the pages' forms call them from clean() so that a page
# shows the same message on the same field, and the API gets them through the services.


class _Broken:
    """The rules a piece of input breaks, collected by field."""

    def __init__(self):
        self.errors: dict[str | None, list] = {}

    def add(self, field: str | None, message) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.errors:
            field, messages = next(iter(self.errors.items()))
            raise InvalidInput(messages[0], field=field, errors=self.errors)


def _check_lengths(model, fields: dict, broken: _Broken) -> None:
    for name, value in fields.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            broken.add(name, TOO_LONG % {"limit_value": limit, "show_value": len(value)})


def _check_decimals(model, fields: dict, broken: _Broken) -> None:
    """Numbers the model's decimal columns can hold (digits in all, after the point)."""
    for name, value in fields.items():
        if not isinstance(value, Decimal):
            continue
        field = model._meta.get_field(name)
        if not value.is_finite():
            broken.add(name, NOT_A_NUMBER)
            continue
        try:
            DecimalValidator(field.max_digits, field.decimal_places)(value)
        except ValidationError as error:
            if error.code == "max_decimal_places":
                broken.add(name, TOO_MANY_DECIMALS % {"max": field.decimal_places})
            else:
                broken.add(name, TOO_MANY_DIGITS % {"max": field.max_digits})


def _check_choice(fields: dict, name: str, choices, message, broken: _Broken) -> None:
    if name in fields and fields[name] not in choices:
        broken.add(name, message)


def goal_rules_broken(fields: dict, *, milestone_titles: Iterable[str] | None = None) -> dict:
    """The rules `fields` (some of GOAL_FIELDS) break, as messages by field; a rule is
    checked only when all the fields it is about are given."""
    broken = _Broken()
    if "title" in fields and not (fields["title"] or "").strip():
        broken.add("title", _("Give the goal a title."))
    _check_lengths(Goal, fields, broken)
    _check_decimals(Goal, {k: v for k, v in fields.items() if k.endswith("_value")}, broken)
    _check_choice(
        fields, "category", Category.values, _("Choose one of the listed categories."), broken
    )
    _check_choice(
        fields, "visibility", Visibility.values, _("Choose who can see the goal."), broken
    )
    if "starts_on" in fields and fields["starts_on"] is None:
        broken.add("starts_on", _("Give the date you start."))
    for name in ("starts_on", "target_date"):
        if (problem := date_outside_horizon(fields.get(name))) is not None:
            broken.add(name, problem)
    starts_on, target_date = fields.get("starts_on"), fields.get("target_date")
    if starts_on and target_date and target_date <= starts_on:
        broken.add(
            "target_date",
            _("The target date must be after the start date (%(start)s).")
            % {"start": starts_on.isoformat()},
        )
    if "baseline_value" in fields and "target_value" in fields:
        baseline, target = fields["baseline_value"], fields["target_value"]
        if baseline is not None and target is not None and baseline == target:
            broken.add(
                "target_value",
                _("The target equals the starting value: there would be nothing to measure."),
            )
        elif (baseline is None) != (target is None):
            missing = "target_value" if target is None else "baseline_value"
            broken.add(missing, _("Give both a starting value and a target, or neither."))
    if milestone_titles is not None:
        titles = [t.strip() for t in milestone_titles if t and t.strip()]
        if len(titles) > MAX_MILESTONES_AT_CREATION:
            broken.add(
                "milestones",
                _("At most %(n)d milestones here; add more on the goal page.")
                % {"n": MAX_MILESTONES_AT_CREATION},
            )
        elif any(len(t) > MILESTONE_TITLE_LENGTH for t in titles):
            broken.add(
                "milestones",
                _("Each milestone can be up to %(n)d characters.") % {"n": MILESTONE_TITLE_LENGTH},
            )
    return broken.errors


def goal_validate(fields: dict, *, milestone_titles: Iterable[str] | None = None) -> None:
    """Raise InvalidInput (every broken rule, by field) unless `fields` follow the rules."""
    broken = _Broken()
    broken.errors = goal_rules_broken(fields, milestone_titles=milestone_titles)
    broken.raise_any()


def milestone_validate(*, title: str, kind: str = MilestoneKind.MILESTONE, due_on=None) -> None:
    broken = _Broken()
    if not (title or "").strip():
        broken.add("title", _("Give the milestone a title."))
    _check_lengths(Milestone, {"title": title or ""}, broken)
    _check_choice(
        {"kind": kind},
        "kind",
        MilestoneKind.values,
        _("Choose a milestone or a weekly action step."),
        broken,
    )
    if (problem := date_outside_horizon(due_on)) is not None:
        broken.add("due_on", problem)
    broken.raise_any()


def mentee_today(goal: Goal) -> date:
    """Today in the goal's mentee's own time zone: the last day progress may be for."""
    return timezone.localtime(timezone.now(), goal.mentee.tzinfo).date()


def progress_update_validate(
    *, goal: Goal, value: Decimal | None, note: str, confidence, occurred_on: date | None = None
) -> None:
    """The rules of an update; `occurred_on` (the day it is for) is checked when given: not
    after today in the mentee's time zone, not before the goal starts."""
    broken = _Broken()
    _check_lengths(ProgressUpdate, {"note": note or ""}, broken)
    low, high = CONFIDENCE_RANGE
    if not isinstance(confidence, int) or not low <= confidence <= high:
        broken.add(
            "confidence",
            _("Choose a confidence from %(low)d to %(high)d.") % {"low": low, "high": high},
        )
    if goal.has_metric and value is not None:
        _check_decimals(ProgressUpdate, {"value": value}, broken)
    if occurred_on is not None:
        today = mentee_today(goal)
        if occurred_on > today:
            broken.add(
                "occurred_on",
                _("Progress cannot be logged for a day still to come (today is %(today)s).")
                % {"today": today.isoformat()},
            )
        elif occurred_on < goal.starts_on:
            broken.add(
                "occurred_on",
                _("The goal starts on %(start)s: choose that day or a later one.")
                % {"start": goal.starts_on.isoformat()},
            )
    if (
        not broken.errors
        and not (note or "").strip()
        and not (goal.has_metric and value is not None)
    ):
        broken.add(None, _("Write a note or give a new value."))
    broken.raise_any()


def comment_validate(*, body: str) -> None:
    broken = _Broken()
    if not (body or "").strip():
        broken.add("body", _("Write something first."))
    _check_lengths(Comment, {"body": body or ""}, broken)
    broken.raise_any()


# --- Goals ------------------------------------------------------------------------------------


def _recent(queryset):
    """The twin of a create that is being sent again (core.dedupe), or None."""
    return recent_twin(queryset)


def _event(*, goal: Goal, actor, action: str, detail: str = "") -> GoalEvent:
    return GoalEvent.objects.create(goal=goal, actor=actor, action=action, detail=detail[:1000])


def _goal_url(goal: Goal) -> str:
    return reverse("goals:goal_detail", args=[goal.uuid])


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
    """A new draft goal of `mentee` (with its first milestones). `pairing`, when given, is
    one of her open pairings, and the goal joins its program."""
    fields = {f: data[f] for f in EDITABLE_FIELDS if f in data}
    fields.setdefault("starts_on", timezone.localdate())
    titles = [t.strip() for t in milestone_titles if t and t.strip()]
    broken = _Broken()
    # What is not given is empty: the rules see the goal as it will be saved.
    unset = {"title": "", "baseline_value": None, "target_value": None, "target_date": None}
    broken.errors = goal_rules_broken({**unset, **fields}, milestone_titles=titles)
    if pairing is not None and (pairing.mentee_id != mentee.pk or not pairing.is_open):
        broken.add("pairing", _("Not one of your open pairings as a mentee."))
    broken.raise_any()
    if pairing is not None and program is None:
        program = pairing.program
    if program is not None and program.ended_at is not None:
        # An ended cohort takes no new goals (mentee_goal_context leaves it out already).
        raise Conflict(_("%(program)s has ended: it takes no new goals.") % {"program": program})
    twin = _recent(
        Goal.objects.filter(
            mentee=mentee,
            program=program,
            title=fields.get("title", ""),
            specific=fields.get("specific", ""),
        )
    )
    if twin is not None:
        return twin
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
    Milestone.objects.bulk_create(
        [Milestone(goal=goal, title=title, position=i) for i, title in enumerate(titles)]
    )
    if titles:
        _event(goal=goal, actor=mentee, action="milestone_added", detail="; ".join(titles))
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, by, changes: dict, expected_version: int | None) -> Goal:
    """Save the guided form: refused with StaleGoalError when the goal changed since the form
    was opened (compare-and-swap on `version`), so a second tab never overwrites the first.
    The changed goal must follow the rules as a whole (goal_validate)."""
    if expected_version is None:
        raise InvalidInput(_("Send the version of the goal you read."), field="version")
    fields = {f: changes[f] for f in EDITABLE_FIELDS if f in changes}
    current = Goal.objects.select_for_update().get(pk=goal.pk)
    if current.version != expected_version:
        raise StaleGoalError
    goal_validate({**{f: getattr(current, f) for f in EDITABLE_FIELDS}, **fields})
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
    qs = Goal.objects.filter(
        mentee_id=goal.mentee_id, status=GoalStatus.ACTIVE, archived_at__isnull=True
    ).exclude(pk=goal.pk)
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
        raise InvalidInput(_("Choose one of the listed statuses."), field="status")
    # Lock the mentee's goals so two tabs activating at once cannot both slip under the limit.
    list(Goal.objects.select_for_update().filter(mentee_id=goal.mentee_id).values_list("pk"))
    goal.refresh_from_db()
    if goal.archived_at is not None:
        raise InvalidInput(_("This goal is archived: restore it first."), field="status")
    if goal.status == status:
        return goal
    if status == GoalStatus.ACTIVE:
        if put_on_hold is not None:
            if put_on_hold.mentee_id != goal.mentee_id or put_on_hold.pk == goal.pk:
                raise NotAllowed(_("Only another of the mentee's own goals can be put on hold."))
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
    open_goals = [g for g in goals if g.is_open and not g.is_archived]
    if not any(g.pk == goal.pk for g in open_goals):
        return False
    reordered = _move(open_goals, goal, direction)
    if reordered is None:
        return False
    closed = [g for g in goals if not g.is_open or g.is_archived]
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
    milestone_validate(title=title, kind=kind, due_on=due_on)
    title = title.strip()
    twin = _recent(goal.milestones.filter(title=title, kind=kind, due_on=due_on))
    if twin is not None:
        return twin
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


def _milestone_owner_only(milestone: Milestone, by) -> None:
    if milestone.goal.mentee_id != by.pk:
        raise NotAllowed(_("Only the mentee changes the milestones of her goal."))


@transaction.atomic
def milestone_edit(
    *, milestone: Milestone, by, title: str, kind: str, due_on: date | None
) -> Milestone:
    """Correct a milestone's title, kind or due date (the goal's mentee only)."""
    _milestone_owner_only(milestone, by)
    milestone_validate(title=title, kind=kind, due_on=due_on)
    current = Milestone.objects.select_for_update().get(pk=milestone.pk)
    new = {"title": title.strip(), "kind": kind, "due_on": due_on}
    changed = {f: v for f, v in new.items() if getattr(current, f) != v}
    if not changed:
        return current
    if "kind" in changed:
        last = Milestone.objects.filter(goal_id=current.goal_id, kind=kind).aggregate(
            m=Max("position")
        )["m"]
        changed["position"] = 0 if last is None else last + 1
    Milestone.objects.filter(pk=current.pk).update(**changed)
    parts = []
    for f in ("title", "kind", "due_on"):
        if f in changed:
            old, value = getattr(current, f), changed[f]
            if f == "kind":
                old, value = MilestoneKind(old).label, MilestoneKind(value).label
            parts.append(
                _("%(field)s: %(old)s → %(new)s")
                % {
                    "field": Milestone._meta.get_field(f).verbose_name,
                    "old": _fmt(old),
                    "new": _fmt(value),
                }
            )
    _event(goal=milestone.goal, actor=by, action="milestone_edited", detail="; ".join(parts))
    current.refresh_from_db()
    return current


@transaction.atomic
def milestone_delete(*, milestone: Milestone, by) -> None:
    """Remove a milestone (the goal's mentee only); comments on it stay, on the goal. A
    celebration of it still waiting to go out is withdrawn."""
    _milestone_owner_only(milestone, by)
    goal = milestone.goal
    notification_withdraw(dedupe_key=_celebration_key(milestone))
    deleted, _by_model = Milestone.objects.filter(pk=milestone.pk).delete()
    if deleted:
        _event(goal=goal, actor=by, action="milestone_deleted", detail=milestone.title)
    goal.__dict__.pop("progress", None)


def _celebration_key(milestone: Milestone) -> str:
    # One per milestone, whatever how often it is reopened and completed again.
    return f"milestone_completed:{milestone.uuid}"


@transaction.atomic
def milestone_complete(*, milestone: Milestone, by) -> bool:
    """Mark done; returns False when it already was. Tells the mentor once per milestone:
    done, reopened and done again is one celebration (its notice was withdrawn if the
    reopening came before it went out, and is made again now)."""
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
            dedupe_key=_celebration_key(milestone),
            title=lambda: (
                _("%(mentee)s completed “%(milestone)s”")
                % {"mentee": goal.mentee.display_name, "milestone": milestone.title}
            ),
            body=lambda: _("Goal: %(goal)s") % {"goal": goal.title},
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
    # The cause is undone: a celebration not yet sent is withdrawn.
    notification_withdraw(dedupe_key=_celebration_key(milestone))
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


# A second identical create within this many seconds is the same form posted twice (a
# reload, a double click, a retried request): the first one is returned, nothing is added.
def _recent_duplicate(queryset, **same):
    return recent_twin(queryset, **same)


def _refresh_current_value(goal: Goal) -> None:
    """The goal's current value is the value of its latest update by the day it is for (the
    last logged that day): what remains after an edit or a deletion, else the baseline."""
    latest = (
        ProgressUpdate.objects.filter(goal_id=goal.pk, value__isnull=False)
        .order_by("-occurred_on", "-created_at", "-id")
        .values_list("value", flat=True)
        .first()
    )
    current = latest if latest is not None else goal.baseline_value
    # Not a version bump: the guided form does not carry current_value, so an open edit tab
    # is not stale because progress was logged or corrected.
    Goal.objects.filter(pk=goal.pk).update(current_value=current)
    goal.current_value = current
    goal.__dict__.pop("progress", None)


@transaction.atomic
def progress_update_log(
    *,
    goal: Goal,
    by,
    value: Decimal | None,
    note: str,
    confidence: int,
    occurred_on: date | None = None,
) -> ProgressUpdate:
    """A new update for `occurred_on` (default: today in the mentee's time zone). The same
    update posted again within core.dedupe.DUPLICATE_WINDOW is not added: the first one is
    returned with `duplicate` set."""
    if goal.mentee_id != by.pk:
        raise NotAllowed(_("Only the mentee logs progress on her goal."))
    occurred_on = occurred_on or mentee_today(goal)
    progress_update_validate(
        goal=goal, value=value, note=note, confidence=confidence, occurred_on=occurred_on
    )
    value = value if goal.has_metric else None
    # Lock the goal: two copies of one post racing each other see each other's row.
    Goal.objects.select_for_update().filter(pk=goal.pk).values_list("pk").first()
    existing = _recent_duplicate(
        ProgressUpdate.objects.filter(goal_id=goal.pk, author_id=by.pk),
        value=value,
        occurred_on=occurred_on,
        note=note,
        confidence=confidence,
    )
    if existing is not None:
        existing.duplicate = True
        return existing
    update = ProgressUpdate.objects.create(
        goal=goal,
        author=by,
        value=value,
        note=note,
        confidence=confidence,
        occurred_on=occurred_on,
    )
    update.duplicate = False
    if update.value is not None:
        _refresh_current_value(goal)
    detail = _update_summary(update)
    _event(goal=goal, actor=by, action="update_logged", detail=detail)
    mentor = _mentor_following(goal)
    if mentor is not None:
        notify(
            recipient=mentor,
            kind=Kind.FEEDBACK,
            dedupe_key=f"feedback:update:{update.uuid}",
            title=lambda: (
                _("%(mentee)s logged progress on “%(goal)s”")
                % {"mentee": by.display_name, "goal": goal.title}
            ),
            body=note[:500],
            url=reverse("goals:review_queue"),
            payload={"goal": str(goal.uuid), "update": str(update.uuid)},
        )
    return update


def _check_author(update: ProgressUpdate, by) -> None:
    if update.author_id is None or update.author_id != by.pk:
        raise NotAllowed(_("Only the author of an update corrects or removes it."))


@transaction.atomic
def progress_update_edit(*, update: ProgressUpdate, by, changes: dict) -> ProgressUpdate:
    """Correct an update (value, note, confidence, the day it is for), by its author only;
    the goal's current value follows what the updates now say. A mentor's acknowledgement
    was of what the update said: when its value, note or confidence changes, the
    acknowledgement is cleared and the update is back in the mentor's review queue."""
    _check_author(update, by)
    goal = update.goal
    current = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    fields = {f: changes[f] for f in PROGRESS_UPDATE_FIELDS if f in changes}
    if not goal.has_metric:
        fields.pop("value", None)
    merged = {f: fields.get(f, getattr(current, f)) for f in PROGRESS_UPDATE_FIELDS}
    if merged["occurred_on"] is None:
        raise InvalidInput(_("Give the day this update is for."), field="occurred_on")
    progress_update_validate(goal=goal, **merged)
    changed = [f for f, value in fields.items() if getattr(current, f) != value]
    if not changed:
        return current
    before = _update_summary(current)
    for f in changed:
        setattr(current, f, fields[f])
    current.edited_at = timezone.now()
    saved = [*changed, "edited_at"]
    reopened = current.acknowledged_at is not None and bool(
        {"value", "note", "confidence"} & set(changed)
    )
    if reopened:
        current.acknowledged_at = current.acknowledged_by = None
        saved += ["acknowledged_at", "acknowledged_by"]
    current.save(update_fields=saved)
    parts = []
    for f in changed:
        label = ProgressUpdate._meta.get_field(f).verbose_name
        if f == "note":
            parts.append(_("%(field)s changed") % {"field": label})
        else:
            parts.append(
                _("%(field)s: %(old)s → %(new)s")
                % {"field": label, "old": _fmt(getattr(update, f)), "new": _fmt(fields[f])}
            )
    if reopened:
        parts.append(_("back for review"))
    _event(
        goal=goal,
        actor=by,
        action="update_edited",
        detail=f"{before}: " + "; ".join(parts),
    )
    if {"value", "occurred_on"} & set(changed):
        _refresh_current_value(goal)
    return current


@transaction.atomic
def progress_update_delete(*, update: ProgressUpdate, by) -> None:
    """Remove an update, by its author only; comments on it stay, on the goal. The goal's
    current value falls back to the latest update that remains (or the baseline)."""
    _check_author(update, by)
    goal = update.goal
    summary = _update_summary(update)
    had_value = update.value is not None
    rows, _kinds = ProgressUpdate.objects.filter(pk=update.pk).delete()
    if not rows:
        return
    _event(goal=goal, actor=by, action="update_deleted", detail=summary)
    # Its notices that have not gone out yet go with it (the mentor's "logged progress", the
    # mentee's "acknowledged").
    for key in (f"feedback:update:{update.uuid}", f"feedback:ack:{update.uuid}"):
        notification_withdraw(dedupe_key=key)
    if had_value:
        _refresh_current_value(goal)


def _update_summary(update: ProgressUpdate) -> str:
    when = update.occurred_on.isoformat()
    if update.value is not None:
        return _("the update of %(date)s (%(value)s)") % {"date": when, "value": _fmt(update.value)}
    return _("the update of %(date)s") % {"date": when}


@transaction.atomic
def progress_update_acknowledge(*, update: ProgressUpdate, by, reply: str = "") -> bool:
    """One-click acknowledgement by the mentor, with an optional reply (a comment on the
    update). Returns False when it had already been acknowledged."""
    if update.author_id == by.pk or update.goal.mentee_id == by.pk:
        raise NotAllowed(_("A mentee does not acknowledge her own update."))
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
        title=lambda: (
            _("%(mentor)s acknowledged your update on “%(goal)s”")
            % {"mentor": by.display_name, "goal": goal.title}
        ),
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
    parent: Comment | None = None,
) -> Comment:
    """Feedback on the goal (on one of its updates or milestones), or a reply to one of its
    comments (`parent`). Kudos come from the mentor: the mentee's own comments never are.
    The same text sent again by the same person within core.dedupe.DUPLICATE_WINDOW returns
    the first."""
    comment_validate(body=body)
    broken = _Broken()
    if update is not None and update.goal_id != goal.pk:
        broken.add("update", _("No such update on this goal."))
    if milestone is not None and milestone.goal_id != goal.pk:
        broken.add("milestone", _("No such milestone on this goal."))
    if parent is not None and (parent.goal_id != goal.pk or parent.is_deleted):
        broken.add("parent", _("No such comment on this goal."))
    broken.raise_any()
    if parent is not None and parent.parent_id is not None:
        parent = parent.parent  # one level of replies
    is_kudos = bool(is_kudos) and by.pk != goal.mentee_id
    twin = _recent(
        Comment.objects.filter(
            goal=goal,
            author=by,
            body=body,
            update=update,
            milestone=milestone,
            parent=parent,
            deleted_at__isnull=True,
        )
    )
    if twin is not None:
        return twin
    comment = Comment.objects.create(
        goal=goal,
        author=by,
        body=body,
        is_kudos=is_kudos,
        update=update,
        milestone=milestone,
        parent=parent,
    )
    action = "kudos" if is_kudos else ("reply" if parent is not None else "comment")
    _event(goal=goal, actor=by, action=action, detail=body[:200])
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
            dedupe_key=_comment_key(comment),
            title=title % {"author": by.display_name, "goal": goal.title},
            body=body[:500],
            url=_goal_url(goal) + "#feedback",
            payload={"goal": str(goal.uuid), "comment": str(comment.uuid)},
        )
    return comment


# --- The weekly plan --------------------------------------------------------------------------

STEP_FIELDS = ("title", "due_on", "week_from", "week_to", "repeats_until")
LONGEST_PLAN_WEEKS = 520  # ten years of weeks: the date horizon of a goal


def step_validate(*, goal: Goal, fields: dict) -> None:
    """The rules of a weekly action step: a title; a week (or a range) of the plan from week
    1, or a repetition until a date from the goal's start; dates within the horizon."""
    broken = _Broken()
    if "title" in fields and not (fields["title"] or "").strip():
        broken.add("title", _("Give the step a title."))
    _check_lengths(Milestone, {"title": fields.get("title") or ""}, broken)
    week_from, week_to = fields.get("week_from"), fields.get("week_to")
    for name, week in (("week_from", week_from), ("week_to", week_to)):
        if week is not None and not 1 <= week <= LONGEST_PLAN_WEEKS:
            broken.add(
                name,
                _("Choose a week from 1 to %(n)d (week 1 holds the goal's start).")
                % {"n": LONGEST_PLAN_WEEKS},
            )
    if week_to is not None and week_from is None:
        broken.add("week_from", _("Give the week the step starts in."))
    elif week_to is not None and week_from is not None and week_to < week_from:
        broken.add(
            "week_to", _("The last week comes after the first (week %(n)d).") % {"n": week_from}
        )
    for name in ("due_on", "repeats_until"):
        if (problem := date_outside_horizon(fields.get(name))) is not None:
            broken.add(name, problem)
    until = fields.get("repeats_until")
    if until is not None and until < goal.starts_on:
        broken.add(
            "repeats_until",
            _("The goal starts on %(start)s: repeat the step until that day or later.")
            % {"start": goal.starts_on.isoformat()},
        )
    broken.raise_any()


def _step_summary(step: Milestone) -> str:
    label = weeks_label(step)
    return f"{step.title} ({label})" if label else step.title


@transaction.atomic
def step_add(*, goal: Goal, by, fields: dict) -> Milestone:
    """A weekly action step of the goal's plan. The same step posted again within
    core.dedupe.DUPLICATE_WINDOW is not added: the first one is returned with `duplicate` set."""
    if goal.mentee_id != by.pk:
        raise NotAllowed(_("Only the mentee plans her goal."))
    fields = {f: fields.get(f) for f in STEP_FIELDS}
    fields["title"] = (fields["title"] or "").strip()
    step_validate(goal=goal, fields=fields)
    Goal.objects.select_for_update().filter(pk=goal.pk).values_list("pk").first()
    existing = _recent_duplicate(
        Milestone.objects.filter(goal_id=goal.pk, kind=MilestoneKind.ACTION), **fields
    )
    if existing is not None:
        existing.duplicate = True
        return existing
    last = goal.milestones.filter(kind=MilestoneKind.ACTION).aggregate(m=Max("position"))["m"]
    step = Milestone.objects.create(
        goal=goal,
        kind=MilestoneKind.ACTION,
        position=0 if last is None else last + 1,
        **fields,
    )
    step.duplicate = False
    _event(goal=goal, actor=by, action="step_added", detail=_step_summary(step))
    return step


def _check_owner(step: Milestone, by) -> None:
    if step.goal.mentee_id != by.pk:
        raise NotAllowed(_("Only the mentee changes her plan."))


@transaction.atomic
def step_edit(*, step: Milestone, by, changes: dict) -> Milestone:
    """Change a step's title, due date or weeks; ticks of past weeks stay."""
    _check_owner(step, by)
    current = Milestone.objects.select_for_update().get(pk=step.pk)
    fields = {f: changes[f] for f in STEP_FIELDS if f in changes}
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
    merged = {f: fields.get(f, getattr(current, f)) for f in STEP_FIELDS}
    step_validate(goal=step.goal, fields=merged)
    changed = [f for f, value in fields.items() if getattr(current, f) != value]
    if not changed:
        return current
    before = _step_summary(current)
    for f in changed:
        setattr(current, f, fields[f])
    current.save(update_fields=changed)
    _event(
        goal=step.goal,
        actor=by,
        action="step_edited",
        detail=_("%(old)s → %(new)s") % {"old": before, "new": _step_summary(current)},
    )
    return current


@transaction.atomic
def step_delete(*, step: Milestone, by) -> None:
    _check_owner(step, by)
    summary = _step_summary(step)
    rows, _kinds = Milestone.objects.filter(pk=step.pk).delete()
    if rows:
        _event(goal=step.goal, actor=by, action="step_deleted", detail=summary)


@transaction.atomic
def step_tick(*, step: Milestone, by, week_start: date, done: bool = True) -> bool:
    """Tick the step off for the week starting on `week_start` (or untick it, `done` false).
    Only for a week it is due in, up to the mentee's current week. Returns whether anything
    changed (ticking twice records one completion)."""
    _check_owner(step, by)
    goal = step.goal
    this_week = monday_of(mentee_today(goal))
    if week_start != monday_of(week_start) or week_start > this_week:
        raise InvalidInput(_("Tick a step off for this week or an earlier one."), field="week")
    if not is_due_in_week(step, starts_on=goal.starts_on, monday=week_start):
        # The week is well formed; the step's plan (and the date) decide: a conflict.
        raise Conflict(_("The step is not planned for that week."), field="week")
    label = _("%(step)s, week %(n)d") % {
        "step": step.title,
        "n": week_number(goal.starts_on, week_start),
    }
    if done:
        _row, created = StepCompletion.objects.get_or_create(
            step=step, week_start=week_start, defaults={"done_by": by}
        )
        if created:
            _event(goal=goal, actor=by, action="step_done", detail=label)
        return created
    rows, _kinds = StepCompletion.objects.filter(step=step, week_start=week_start).delete()
    if rows:
        _event(goal=goal, actor=by, action="step_undone", detail=label)
    return bool(rows)


def _comment_key(comment: Comment) -> str:
    return f"feedback:comment:{comment.uuid}"


def _comment_author_only(comment: Comment, by) -> None:
    if comment.author_id is None or comment.author_id != by.pk:
        raise NotAllowed(_("Only its author changes a comment."))
    if comment.is_deleted:
        raise InvalidInput(_("This comment was deleted."))


@transaction.atomic
def comment_edit(*, comment: Comment, by, body: str) -> Comment:
    """Correct one's own comment or reply; the thread shows it was edited, and when."""
    _comment_author_only(comment, by)
    comment_validate(body=body)
    if body == comment.body:
        return comment
    now = timezone.now()
    _forget_text(comment)
    Comment.objects.filter(pk=comment.pk).update(body=body, edited_at=now)
    comment.body, comment.edited_at = body, now
    _event(goal=comment.goal, actor=by, action="comment_edited", detail=body[:200])
    return comment


_COMMENT_ACTIONS = ("comment", "kudos", "reply", "comment_edited")


def _forget_text(comment: Comment) -> None:
    """The history keeps a comment's words only while the comment says them: an edit or a
    deletion blanks the earlier entries that quoted its text (the entries stay)."""
    GoalEvent.objects.filter(
        goal_id=comment.goal_id,
        actor_id=comment.author_id,
        action__in=_COMMENT_ACTIONS,
        detail=comment.body[:200],
    ).update(detail="")


@transaction.atomic
def comment_delete(*, comment: Comment, by) -> bool:
    """Delete one's own comment or reply. One with replies keeps its place in the thread as
    "comment deleted" (its text is gone, the replies stay); one without is removed, and so
    is a deleted comment whose last reply goes. A notice of it not yet sent is withdrawn.
    Returns whether the row was removed (False: kept as "comment deleted")."""
    _comment_author_only(comment, by)
    goal = comment.goal
    notification_withdraw(dedupe_key=_comment_key(comment))
    _forget_text(comment)
    removed = not comment.replies.exists()
    if removed:
        Comment.objects.filter(pk=comment.pk).delete()
        parent = comment.parent
        if parent is not None and parent.is_deleted and not parent.replies.exists():
            Comment.objects.filter(pk=parent.pk).delete()
    else:
        Comment.objects.filter(pk=comment.pk).update(
            body="", is_kudos=False, deleted_at=timezone.now()
        )
    _event(goal=goal, actor=by, action="comment_deleted")
    return removed


# --- Deleting, archiving and restoring goals ------------------------------------------------


def _goal_owner_only(goal: Goal, by) -> None:
    if goal.mentee_id != by.pk:
        raise NotAllowed(_("Only the mentee changes her goal."))


@transaction.atomic
def goal_delete(*, goal: Goal, by) -> None:
    """Delete a draft goal with everything in it. A goal past draft has a history others
    may have taken part in: it is archived instead (goal_archive)."""
    _goal_owner_only(goal, by)
    current = Goal.objects.select_for_update().get(pk=goal.pk)
    if current.status != GoalStatus.DRAFT:
        raise Conflict(
            _("Only a draft goal can be deleted; archive this one instead."), field="status"
        )
    current.delete()


@transaction.atomic
def goal_archive(*, goal: Goal, by) -> Goal:
    """Put the goal away: out of the focus count, the dashboards and the program's figures,
    kept in the goal list's "Archived" section and in exports. Returns the goal; archiving
    an archived goal changes nothing."""
    _goal_owner_only(goal, by)
    rows = Goal.objects.filter(pk=goal.pk, archived_at__isnull=True).update(
        archived_at=timezone.now(), updated_at=timezone.now()
    )
    goal.refresh_from_db()
    if rows:
        _event(goal=goal, actor=by, action="archived", detail=goal.get_status_display())
    return goal


@transaction.atomic
def goal_restore(*, goal: Goal, by) -> Goal:
    """Bring an archived goal back with the status it had; an active goal that would go
    beyond the focus limit comes back on hold (and says so in its history)."""
    _goal_owner_only(goal, by)
    list(Goal.objects.select_for_update().filter(mentee_id=goal.mentee_id).values_list("pk"))
    goal.refresh_from_db()
    if goal.archived_at is None:
        return goal
    fields = {"archived_at": None, "updated_at": timezone.now()}
    detail = goal.get_status_display()
    if goal.status == GoalStatus.ACTIVE and _active_goals_competing(goal).count() >= _focus_limit(
        goal
    ):
        fields["status"] = GoalStatus.ON_HOLD
        detail = _("%(old)s → %(new)s (the focus limit is reached)") % {
            "old": goal.get_status_display(),
            "new": GoalStatus.ON_HOLD.label,
        }
    Goal.objects.filter(pk=goal.pk).update(**fields)
    goal.refresh_from_db()
    _event(goal=goal, actor=by, action="restored", detail=detail)
    goal.__dict__.pop("progress", None)
    return goal
