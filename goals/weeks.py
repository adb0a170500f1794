"""The weekly plan: which weekly action steps are due in which week.

Weeks run Monday to Sunday in the mentee's own time zone and are counted from the goal's
start: week 1 is the week that holds `starts_on`, as mentoring guides write a plan ("Week 1:
research; Week 2-3: gather samples; Week 4: build"). A step is due:

1. in weeks `week_from` to `week_to` (one week when `week_to` is empty);
2. every week from `week_from` (or from week 1) until the week that holds `repeats_until`,
   when that date is set;
3. otherwise, for a step from before the weekly plan: in the week of its due date, or every
   week when it has none (a weekly step).

A step is ticked off per week (goals.models.StepCompletion). Pure functions of a step's
attributes: no query, no model import.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

from core.dates import written


def week_start(day: date) -> date:
    """The Monday of the week that holds `day`."""
    return day - timedelta(days=day.weekday())


def week_number(starts_on: date, day: date) -> int:
    """The week of the plan that holds `day` (1 for the goal's first week; 0 or less before)."""
    return (week_start(day) - week_start(starts_on)).days // 7 + 1


def monday_of_week(starts_on: date, number: int) -> date:
    return week_start(starts_on) + timedelta(weeks=number - 1)


def is_due_in_week(step, *, starts_on: date, monday: date) -> bool:
    """Whether `step` (a weekly action step) is due in the week starting on `monday`."""
    number = week_number(starts_on, monday)
    if step.repeats_until is not None:
        first = step.week_from or 1
        return number >= first and monday <= step.repeats_until
    if step.week_from is not None:
        return step.week_from <= number <= (step.week_to or step.week_from)
    if step.due_on is not None:
        return week_start(step.due_on) == monday
    return number >= 1


def weeks_label(step) -> str:
    """The step's place in the plan in words: "Week 2", "Weeks 2–3", "Every week until …"."""
    if step.repeats_until is not None:
        until = written(step.repeats_until)
        if step.week_from and step.week_from > 1:
            return _("Every week from week %(n)d until %(d)s") % {"n": step.week_from, "d": until}
        return _("Every week until %(d)s") % {"d": until}
    if step.week_from is not None:
        if step.week_to and step.week_to != step.week_from:
            return _("Weeks %(a)d–%(b)d") % {"a": step.week_from, "b": step.week_to}
        return _("Week %(n)d") % {"n": step.week_from}
    if step.due_on is not None:
        return ""
    return _("Every week")
