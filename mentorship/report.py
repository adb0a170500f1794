"""The program outcomes report: match rate, meetings, goals, relationship length and early
closures, for a cohort of pairings (by the month they started), in a fixed number of queries
for any number of programs (the page asks for one, the admin digest for a batch).

1. `_counts`: one SQL statement of grouped counts and medians (UNION ALL of GROUP BYs, the
   medians by ROW_NUMBER over each group), computed by the database.
2. `_cadence`: the cohort's active pairings as the program dashboard's rows, judged by the
   dashboard's own rule (selectors.below_meeting_rule).
3. `_goals`: the cohort's shared goals (never a private one, goals.policy) with what their
   progress needs; health is the goals app's verdict (goals.progress), per goal.

Who is in a cohort: pairings whose start (`started_on`) falls in the chosen months; their
goals (through the goal's pairing); and, for the match rate, the mentees who joined the
program in those months. Without months, everyone.
"""

# The counts are one SQL statement built from pieces: table names come from the models,
# statuses from their choices, every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

from django.db import connection
from django.db.models import DateField, ExpressionWrapper, F, OuterRef, Q
from django.utils import timezone

from core.months import last_months, month_key, next_month
from goals.kinds import SHARED_WITH_MENTOR
from goals.models import Goal, GoalStatus
from goals.progress import ACTIVE_HEALTHS, Health, goal_progress
from goals.selectors import with_progress

from .models import CheckIn, MeetingRule, Membership, Pairing, PairingStatus, Role
from .selectors import (
    FIRST_MONTH,
    OpenPairing,
    PersonRef,
    _checkins_between,
    below_meeting_rule,
    survey_summary,
)

# A pairing ended (not completed) within this many days of its start closed prematurely.
PREMATURE_DAYS = 90
# Months shown in the by-month charts and tables, this month last.
REPORT_MONTHS = 6
# Days of a pair-month, for meetings per pair per month.
DAYS_PER_MONTH = 30
CLOSED_STATUSES = (PairingStatus.COMPLETED, PairingStatus.ENDED)
RUNNING_STATUSES = (PairingStatus.ACTIVE, PairingStatus.PAUSED)


@dataclass(frozen=True)
class Cohort:
    """Pairings started in [start, end): months as their first days, end exclusive."""

    start: date | None = None
    end: date | None = None

    @classmethod
    def of_months(cls, first: date | None, last: date | None) -> Cohort:
        return cls(first, next_month(last) if last else None)

    @property
    def is_everyone(self) -> bool:
        return self.start is None and self.end is None

    @property
    def params(self) -> dict[str, str]:
        """The cohort as the report's and the lists' query string (started_from/_to)."""
        out = {}
        if self.start:
            out["started_from"] = month_key(self.start)
        if self.end:
            out["started_to"] = month_key(self.end - timedelta(days=1))
        return out

    def pairing_q(self, prefix: str = "") -> Q:
        """Pairings (reached through `prefix`) that started in the cohort."""
        q = Q(**{f"{prefix}started_on__isnull": False})
        if self.start:
            q &= Q(**{f"{prefix}started_on__gte": self.start})
        if self.end:
            q &= Q(**{f"{prefix}started_on__lt": self.end})
        return q


@dataclass
class MonthRow:
    month: date
    meetings: int = 0
    pairs: int = 0  # pairings of the cohort running at some time in the month
    goals_created: int = 0
    goals_completed: int = 0
    # Active goals created this month, by their health now.
    health: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIVE_HEALTHS, 0))

    @property
    def key(self) -> str:
        return month_key(self.month)

    @property
    def meetings_per_pair(self) -> float | None:
        return round(self.meetings / self.pairs, 2) if self.pairs else None


@dataclass
class Report:
    program_id: int
    cohort: Cohort
    today: date
    mentees: int = 0
    matched: int = 0
    median_days_to_match: float | None = None
    pairings: int = 0  # started pairings of the cohort
    running: int = 0
    closed: int = 0
    meetings: int = 0
    pair_days: int = 0
    meeting_rule: str = MeetingRule.MENTOR
    active: int = 0  # active now, the pairs the meeting rule judges
    below_rule: int = 0
    median_closed_days: float | None = None
    median_running_days: float | None = None
    premature: int = 0
    premature_reasons: list[tuple[str, int]] = field(default_factory=list)
    goals: int = 0
    goals_completed: int = 0
    goals_active: int = 0
    median_progress: float | None = None
    health: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIVE_HEALTHS, 0))
    months: list[MonthRow] = field(default_factory=list)
    # Pulse and close-out aggregates (report_survey_summary); the page's only, not the digest's.
    surveys: dict | None = None

    @property
    def match_rate(self) -> int | None:
        return round(100 * self.matched / self.mentees) if self.mentees else None

    @property
    def meetings_per_pair_month(self) -> float | None:
        if not self.pairings:
            return None
        return round(self.meetings / (self.pair_days / DAYS_PER_MONTH), 2)

    @property
    def meeting_rule_met(self) -> int:
        return self.active - self.below_rule

    @property
    def meeting_rule_share(self) -> int | None:
        if self.meeting_rule == MeetingRule.NONE or not self.active:
            return None
        return round(100 * self.meeting_rule_met / self.active)

    def as_headlines(self) -> dict:
        """The headline numbers as plain values (the digest's payload and the CSV)."""
        return {
            "mentees": self.mentees,
            "matched": self.matched,
            "match_rate": self.match_rate,
            "median_days_to_match": self.median_days_to_match,
            "pairings": self.pairings,
            "meetings": self.meetings,
            "meetings_per_pair_month": self.meetings_per_pair_month,
            "active": self.active,
            "meeting_rule_met": self.meeting_rule_met,
            "meeting_rule_share": self.meeting_rule_share,
            "goals": self.goals,
            "goals_completed": self.goals_completed,
            "median_progress": self.median_progress,
            "closed": self.closed,
            "median_closed_days": self.median_closed_days,
            "running": self.running,
            "median_running_days": self.median_running_days,
            "premature": self.premature,
        }


def program_report(program, *, cohort: Cohort | None = None, today: date | None = None) -> Report:
    """The outcomes report of one program (three queries)."""
    [report] = program_reports([program], cohort=cohort, today=today).values()
    report.surveys = report_survey_summary(program=program, cohort=report.cohort)
    return report


def program_reports(
    programs, *, cohort: Cohort | None = None, today: date | None = None
) -> dict[int, Report]:
    """The outcomes report of each of `programs` (objects with pk, meeting_rule and
    checkin_cadence_days), by program id: three queries however many programs."""
    cohort = cohort or Cohort()
    today = today or timezone.localdate()
    by_id = {p.pk: p for p in programs}
    months = last_months(today, REPORT_MONTHS)
    reports = {
        pk: Report(
            program_id=pk,
            cohort=cohort,
            today=today,
            meeting_rule=p.meeting_rule,
            months=[MonthRow(m) for m in months],
        )
        for pk, p in by_id.items()
    }
    if not reports:
        return reports
    _counts(reports, cohort, today, months)
    _cadence(reports, by_id, cohort, today)
    _goals(reports, cohort, today, months)
    return reports


def report_survey_summary(*, program, cohort: Cohort) -> dict:
    """The pulse and close-out aggregates of the cohort's pairings (selectors.survey_summary:
    one query, no figure over fewer than three answers)."""
    return survey_summary(program=program, pairings=cohort_pairings(program, cohort))


def cohort_pairings(program, cohort: Cohort):
    """The cohort's started pairings of `program`, as a lazy queryset (no query of its own)."""
    return Pairing.objects.filter(cohort.pairing_q(), program=program)


# --- 1. Counts and medians, in the database --------------------------------------------------


class _Sql:
    """What differs between SQLite and PostgreSQL in the report's statement."""

    def __init__(self):
        self.sqlite = connection.vendor == "sqlite"

    def day(self) -> str:
        """A date parameter."""
        return "%s" if self.sqlite else "CAST(%s AS date)"

    def days(self, later: str, earlier: str) -> str:
        """Days from the date `earlier` to the date `later`."""
        if self.sqlite:
            return f"(julianday({later}) - julianday({earlier}))"
        return f"(({later}) - ({earlier}))"

    def seconds_days(self, later: str, earlier: str) -> str:
        """Days (with fractions) between two timestamps."""
        if self.sqlite:
            return f"(julianday({later}) - julianday({earlier}))"
        return f"(EXTRACT(EPOCH FROM ({later}) - ({earlier})) / 86400.0)"

    def month(self, column: str) -> str:
        if self.sqlite:
            return f"strftime('%%Y-%%m', {column})"
        return f"to_char({column}, 'YYYY-MM')"


class _Part:
    """A piece of SQL with its parameters, in the order they appear."""

    def __init__(self, text: str = "", params: list | None = None):
        self.text, self.params = text, list(params or [])

    def __add__(self, other: _Part | str) -> _Part:
        if isinstance(other, str):
            other = _Part(other)
        return _Part(self.text + other.text, self.params + other.params)

    def __radd__(self, other: str) -> _Part:
        return _Part(other) + self


def _counts(reports: dict[int, Report], cohort: Cohort, today: date, months: list[date]) -> None:
    """One statement: every count and median of the report but the meeting rule's and the
    goals'. Each branch yields (figure, key, program id, value)."""
    sql = _Sql()
    pairing, membership = Pairing._meta.db_table, Membership._meta.db_table
    checkin = CheckIn._meta.db_table
    ids = list(reports)

    def day(value: date) -> _Part:
        return _Part(sql.day(), [value.isoformat()])

    def of_programs(alias: str) -> _Part:
        return _Part(f"{alias}.program_id IN ({', '.join(['%s'] * len(ids))})", ids)

    def started(alias: str) -> _Part:
        where = of_programs(alias) + f" AND {alias}.started_on IS NOT NULL"
        if cohort.start:
            where += f" AND {alias}.started_on >= " + day(cohort.start)
        if cohort.end:
            where += f" AND {alias}.started_on < " + day(cohort.end)
        return where

    closed = ", ".join(f"'{s}'" for s in CLOSED_STATUSES)
    running = ", ".join(f"'{s}'" for s in RUNNING_STATUSES)
    ended_days = sql.days("p.ended_on", "p.started_on")

    def length() -> _Part:
        """Days from the start to the end, or to today while running."""
        return _Part(
            sql.days(f"COALESCE(p.ended_on, {sql.day()})", "p.started_on"), [today.isoformat()]
        )

    # The mentees (who joined in the cohort's months) with when each was first paired.
    mentees = (
        f"FROM {membership} m LEFT JOIN (SELECT p.program_id, p.mentee_id, "  # noqa: S608
        f"MIN(p.created_at) AS matched_at FROM {pairing} p WHERE "
        + of_programs("p")
        + " AND p.mentee_id IS NOT NULL GROUP BY p.program_id, p.mentee_id) f "
        "ON f.program_id = m.program_id AND f.mentee_id = m.user_id WHERE "
        + of_programs("m")
        + f" AND m.role = '{Role.MENTEE}'"
    )
    # Timestamps against the first day's midnight (UTC): the day the person joined.
    if cohort.start:
        mentees += " AND m.joined_at >= " + day(cohort.start)
    if cohort.end:
        mentees += " AND m.joined_at < " + day(cohort.end)
    months_table = _Part()
    for n, first in enumerate(months):
        months_table += (" UNION ALL " if n else "") + _Part(
            f"SELECT '{month_key(first)}' AS k, {sql.day()} AS lo, {sql.day()} AS hi",
            [first.isoformat(), next_month(first).isoformat()],
        )
    to_match = sql.seconds_days("f.matched_at", "m.joined_at")
    values = (
        # The figures whose median the report shows.
        f"SELECT p.program_id AS program_id, 'closed_days' AS what, {ended_days} AS d "
        f"FROM {pairing} p WHERE "
        + started("p")
        + f" AND p.status IN ({closed}) UNION ALL SELECT p.program_id, 'running_days', "
        + length()
        + f" FROM {pairing} p WHERE "
        + started("p")
        + f" AND p.status IN ({running}) UNION ALL SELECT m.program_id, 'days_to_match', "
        f"CASE WHEN f.matched_at < m.joined_at THEN 0 ELSE {to_match} END "
        + mentees
        + " AND f.matched_at IS NOT NULL"
    )
    month_of = sql.month("c.occurred_on")
    statement = (
        "WITH v AS (" + values + "), r AS (SELECT program_id, what, d, "
        "ROW_NUMBER() OVER (PARTITION BY program_id, what ORDER BY d) AS rn, "
        "COUNT(*) OVER (PARTITION BY program_id, what) AS n FROM v), months AS ("
        + months_table
        # Medians: the middle row, or the mean of the two middle ones.
        + ") SELECT 'median', what, program_id, AVG(d) FROM r "
        "WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2 GROUP BY program_id, what "
        "UNION ALL SELECT 'mentees', '', m.program_id, COUNT(*) "
        + mentees
        + " GROUP BY m.program_id UNION ALL SELECT 'matched', '', m.program_id, COUNT(*) "
        + mentees
        + " AND f.matched_at IS NOT NULL GROUP BY m.program_id "
        f"UNION ALL SELECT 'pairings', p.status, p.program_id, COUNT(*) FROM {pairing} p WHERE "
        + started("p")
        + " GROUP BY p.program_id, p.status UNION ALL SELECT 'pair_days', '', p.program_id, SUM("
        + length()
        + f") FROM {pairing} p WHERE "
        + started("p")
        + " GROUP BY p.program_id UNION ALL SELECT 'meetings', '', p.program_id, COUNT(*) "
        f"FROM {checkin} c JOIN {pairing} p ON p.id = c.pairing_id WHERE "
        + started("p")
        + f" GROUP BY p.program_id UNION ALL SELECT 'month_meetings', {month_of}, "
        f"p.program_id, COUNT(*) FROM {checkin} c JOIN {pairing} p ON p.id = c.pairing_id "
        "WHERE "
        + started("p")
        + " AND c.occurred_on >= "
        + day(months[0])
        + f" GROUP BY p.program_id, {month_of} "
        "UNION ALL SELECT 'month_pairs', months.k, p.program_id, COUNT(*) "
        f"FROM {pairing} p JOIN months ON p.started_on < months.hi "
        "AND (p.ended_on IS NULL OR p.ended_on >= months.lo) WHERE "
        + started("p")
        + " GROUP BY p.program_id, months.k "
        "UNION ALL SELECT 'premature', p.end_reason, p.program_id, COUNT(*) "
        f"FROM {pairing} p WHERE "
        + started("p")
        + f" AND p.status = '{PairingStatus.ENDED}' AND {ended_days} < {PREMATURE_DAYS} "
        "GROUP BY p.program_id, p.end_reason"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.text, statement.params)
        rows = cursor.fetchall()
    reasons: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for figure, key, program_id, value in rows:
        report = reports[program_id]
        if figure == "median":
            setattr(report, f"median_{key}", round(float(value), 1))
        elif figure == "mentees":
            report.mentees = int(value)
        elif figure == "matched":
            report.matched = int(value)
        elif figure == "pairings":
            report.pairings += int(value)
            if key in CLOSED_STATUSES:
                report.closed += int(value)
            elif key in RUNNING_STATUSES:
                report.running += int(value)
        elif figure == "pair_days":
            report.pair_days = int(value or 0)
        elif figure == "meetings":
            report.meetings = int(value)
        elif figure in ("month_meetings", "month_pairs"):
            for row in report.months:
                if row.key == key:
                    setattr(row, "meetings" if figure == "month_meetings" else "pairs", int(value))
        else:
            report.premature += int(value)
            reasons[program_id].append((key or "", int(value)))
    for program_id, rows_of in reasons.items():
        reports[program_id].premature_reasons = sorted(rows_of, key=lambda r: (-r[1], r[0]))


# --- 2. The meeting rule, as the program dashboard judges it ---------------------------------


def _rule_rows(pairings):
    """Active pairings as the dashboard's rows (selectors.OpenPairing): what
    below_meeting_rule reads, with their meetings in the first 30 days."""
    first_month_end = ExpressionWrapper(
        OuterRef("started_on") + FIRST_MONTH, output_field=DateField()
    )
    nobody = PersonRef("", "")
    rows = (
        pairings.filter(status=PairingStatus.ACTIVE)
        .annotate(first_month=_checkins_between(OuterRef("started_on"), first_month_end))
        .order_by()
        .values_list("program_id", "pk", "started_on", "last_checkin_on", "first_month")
    )
    for program_id, pk, started_on, last_checkin_on, first_month in rows:
        yield (
            program_id,
            OpenPairing(
                pk=pk,
                uuid=None,
                status=PairingStatus.ACTIVE,
                mentor_id=0,
                mentee_id=0,
                mentor=nobody,
                mentee=nobody,
                started_on=started_on,
                last_checkin_on=last_checkin_on,
                next_checkin_due=None,
                first_month_meetings=first_month,
            ),
        )


def _cadence(reports: dict[int, Report], programs: dict, cohort: Cohort, today: date) -> None:
    pairings = Pairing.objects.filter(cohort.pairing_q(), program_id__in=list(reports))
    for program_id, row in _rule_rows(pairings):
        report = reports[program_id]
        report.active += 1
        if below_meeting_rule(row, programs[program_id], today):
            report.below_rule += 1


def below_rule_pairing_ids(program, *, cohort: Cohort, today: date | None = None) -> list[int]:
    """The cohort's active pairings below the program's meeting rule (the pairings list's
    `meeting=below` filter): the same rows and rule as the report's figure. One query."""
    today = today or timezone.localdate()
    pairings = cohort_pairings(program, cohort)
    return [row.pk for _id, row in _rule_rows(pairings) if below_meeting_rule(row, program, today)]


# --- 3. Goals ---------------------------------------------------------------------------------


def report_goals(program_ids, cohort: Cohort):
    """The goals the report counts: shared beyond the mentee (never a private one), not
    archived, of the programs (through the goal or its pairing); with months, those of the
    cohort's pairings. The program's goal list filters the same way."""
    goals = Goal.objects.filter(visibility__in=SHARED_WITH_MENTOR, archived_at__isnull=True).filter(
        Q(program_id__in=program_ids) | Q(pairing__program_id__in=program_ids)
    )
    if not cohort.is_everyone:
        goals = goals.filter(cohort.pairing_q("pairing__"))
    return goals


GOAL_FIELDS = (
    "program_id",
    "pairing__program_id",
    "created_at",
    "completed_at",
    "status",
    "baseline_value",
    "target_value",
    "current_value",
    "starts_on",
    "target_date",
    "milestones_total",
    "milestones_done",
)


def _goals(reports: dict[int, Report], cohort: Cohort, today: date, months: list[date]) -> None:
    by_month = {pk: {row.key: row for row in r.months} for pk, r in reports.items()}
    progress: dict[int, list[int]] = defaultdict(list)
    zone = timezone.get_current_timezone()
    rows = with_progress(report_goals(list(reports), cohort).order_by()).values_list(*GOAL_FIELDS)
    for row in rows:
        goal = SimpleNamespace(**dict(zip(GOAL_FIELDS, row, strict=True)))
        program_id = goal.program_id if goal.program_id in reports else goal.pairing__program_id
        report = reports[program_id]
        report.goals += 1
        created = month_key(goal.created_at.astimezone(zone).date())
        month = by_month[program_id].get(created)
        if month is not None:
            month.goals_created += 1
        if goal.status == GoalStatus.COMPLETED:
            report.goals_completed += 1
            if goal.completed_at is not None:
                done = by_month[program_id].get(
                    month_key(goal.completed_at.astimezone(zone).date())
                )
                if done is not None:
                    done.goals_completed += 1
        if goal.status != GoalStatus.ACTIVE:
            continue
        verdict = goal_progress(goal, today=today)
        report.goals_active += 1
        progress[program_id].append(verdict.percent)
        health = verdict.health if verdict.health in report.health else Health.NOT_MEASURED
        report.health[health] += 1
        if month is not None:
            month.health[health] += 1
    for program_id, percents in progress.items():
        reports[program_id].median_progress = round(float(statistics.median(percents)), 1)


# --- The pairings list behind the figures ----------------------------------------------------

PAIRING_LIST_STATES = {
    "started": (),
    "running": RUNNING_STATUSES,
    "active": (PairingStatus.ACTIVE,),
    "closed": CLOSED_STATUSES,
}


def pairing_list(
    program,
    *,
    cohort: Cohort,
    state: str = "",
    premature: bool = False,
    meeting: str = "",
    reason: str = "",
    running_in: date | None = None,
    today: date | None = None,
):
    """The program's pairings as the report counts them: `state` (PAIRING_LIST_STATES; any
    of them, or a cohort, means started pairings only), ended early, meeting the rule or not
    (`meeting`: meets / below, of the active ones), with an end reason, or running at some
    time in the month `running_in`. A queryset with the two people; one more query for
    `meeting`."""
    today = today or timezone.localdate()
    pairings = Pairing.objects.filter(program=program)
    if state in PAIRING_LIST_STATES or not cohort.is_everyone or premature or meeting:
        pairings = pairings.filter(cohort.pairing_q())
    if PAIRING_LIST_STATES.get(state):
        pairings = pairings.filter(status__in=PAIRING_LIST_STATES[state])
    if premature:
        pairings = pairings.filter(
            status=PairingStatus.ENDED,
            ended_on__lt=ExpressionWrapper(
                F("started_on") + timedelta(days=PREMATURE_DAYS), output_field=DateField()
            ),
        )
    if reason:
        pairings = pairings.filter(end_reason=reason)
    if running_in:
        pairings = pairings.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=running_in),
            started_on__lt=next_month(running_in),
        )
    if meeting in ("meets", "below"):
        below = below_rule_pairing_ids(program, cohort=cohort, today=today)
        pairings = pairings.filter(status=PairingStatus.ACTIVE)
        pairings = (
            pairings.filter(pk__in=below) if meeting == "below" else pairings.exclude(pk__in=below)
        )
    return pairings.select_related("mentor", "mentee").order_by("-started_on", "-pk")
