"""The program outcomes report, its CSV, and the program's pairings list its figures link to.

For the program's admins only: everyone else, the program's other members included, gets 404
(the report names no one, but says how the program is doing)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.csvsafe import csv_response
from goals.charts import bar_chart
from goals.progress import ACTIVE_HEALTHS, HEALTH_BADGE, Health

from .. import policy
from ..forms import CohortForm, PairingListFilterForm
from ..report import Cohort, pairing_list, program_report

PAIRINGS_PER_PAGE = 50
# Bar colours of the goal health chart, as the health badges are coloured.
HEALTH_COLOURS = {
    Health.ON_TRACK: "#198754",
    Health.AT_RISK: "#ffc107",
    Health.OFF_TRACK: "#dc3545",
    Health.NO_TARGET_DATE: "#6c757d",
    Health.NOT_MEASURED: "#adb5bd",
}


def _program(request, program_uuid):
    """The program, to its admins; 404 for everyone else."""
    try:
        return policy.get_program_for_admin(request.viewer, program_uuid)
    except PermissionDenied:
        raise Http404 from None


def _cohort(form) -> Cohort:
    if not form.is_valid():
        return Cohort()
    return Cohort.of_months(form.cleaned_data["started_from"], form.cleaned_data["started_to"])


def _url(name: str, program, **params) -> str:
    url = reverse(name, args=[program.uuid])
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


class Links:
    """The list behind each figure, filtered to the figure's rows."""

    def __init__(self, program, cohort: Cohort):
        self.program, self.cohort = program, cohort
        joined = cohort.params
        self.joined = {
            "joined_from": joined.get("started_from"),
            "joined_to": joined.get("started_to"),
        }

    def members(self, **params) -> str:
        return _url("mentorship:member_list", self.program, role="mentee", **self.joined, **params)

    def pairings(self, **params) -> str:
        return _url("mentorship:program_pairings", self.program, **self.cohort.params, **params)

    def goals(self, **params) -> str:
        return _url("goals:program_goals", self.program, **self.cohort.params, **params)


def _month_label(day) -> str:
    # Short ("Jul 26"): six of them fit under the chart on a phone.
    return date_format(day, "M y")


def _charts(report, links: Links) -> dict:
    months = report.months
    labels = [_month_label(m.month) for m in months]
    meetings = bar_chart(labels, [[m.meetings_per_pair or 0 for m in months]])
    health = bar_chart(
        labels,
        [[m.health[h] for m in months] for h in ACTIVE_HEALTHS],
        stacked=True,
        colours=[HEALTH_COLOURS[h] for h in ACTIVE_HEALTHS],
    )
    month_rows = [
        {
            "row": m,
            "label": label,
            "pairs_url": links.pairings(running_in=m.key),
            "created_url": links.goals(created=m.key),
            "completed_url": links.goals(completed=m.key, status="completed"),
            "health": [
                (h, m.health[h], links.goals(created=m.key, status="active", health=h))
                for h in ACTIVE_HEALTHS
            ],
        }
        for m, label in zip(months, labels, strict=True)
    ]
    # Pulse scores over time: the months whose mean rests on three answers or more.
    scored = [
        (month, mean)
        for month, _count, mean in (report.surveys or {}).get("pulse", {}).get("months", [])
        if mean is not None
    ]
    survey_chart = (
        bar_chart([_month_label(m) for m, _mean in scored], [[mean for _m, mean in scored]])
        if scored
        else None
    )
    return {
        "survey_chart": survey_chart,
        "meetings_chart": meetings,
        "health_chart": health,
        "health_series": [
            (Health(h).label, HEALTH_COLOURS[h], HEALTH_BADGE[Health(h)]) for h in ACTIVE_HEALTHS
        ],
        "month_rows": month_rows,
        "health_totals": [
            (
                Health(h).label,
                HEALTH_BADGE[Health(h)],
                report.health[h],
                links.goals(status="active", health=h),
            )
            for h in ACTIVE_HEALTHS
        ],
    }


@login_required
@require_GET
def program_report_page(request, program_uuid):
    program = _program(request, program_uuid)
    form = CohortForm(request.GET or None)
    cohort = _cohort(form)
    report = program_report(program, cohort=cohort)
    links = Links(program, cohort)
    return render(
        request,
        "mentorship/program_report.html",
        {
            "program": program,
            "form": form,
            "report": report,
            "links": {
                "mentees": links.members(),
                "matched": links.members(matched="yes"),
                "unmatched": links.members(matched="no"),
                "pairings": links.pairings(state="started"),
                "running": links.pairings(state="running"),
                "closed": links.pairings(state="closed"),
                "active": links.pairings(state="active"),
                "meets": links.pairings(meeting="meets"),
                "below": links.pairings(meeting="below"),
                "premature": links.pairings(premature="yes"),
                "goals": links.goals(),
                "goals_completed": links.goals(status="completed"),
                "goals_active": links.goals(status="active"),
            },
            "reasons": [
                (reason, count, links.pairings(premature="yes", reason=reason) if reason else None)
                for reason, count in report.premature_reasons
            ],
            "csv_url": _url("mentorship:program_report_csv", program, **cohort.params),
            **_charts(report, links),
        },
        status=200 if form.is_bound is False or form.is_valid() else 400,
    )


# The figure column names each figure by a code that is the same in every language (the report
# page explains them); the other headings are in the reader's language.
REPORT_CSV_COLUMNS = (
    gettext_lazy("As of"),
    gettext_lazy("Started from"),
    gettext_lazy("Started before"),
    gettext_lazy("Month"),
    gettext_lazy("Figure"),
    gettext_lazy("Value"),
)


def report_csv_rows(report):
    """The report as long rows: one figure a row, the by-month ones with their month's first
    day; dates as YYYY-MM-DD."""
    cohort = report.cohort
    first = cohort.start.isoformat() if cohort.start else ""
    last = cohort.end.isoformat() if cohort.end else ""
    head = (report.today.isoformat(), first, last)
    for figure, value in report.as_headlines().items():
        yield (*head, "", figure, "" if value is None else value)
    for health in ACTIVE_HEALTHS:
        yield (*head, "", f"goals_active_{health}", report.health[health])
    for reason, count in report.premature_reasons:
        yield (*head, "", f"premature_reason:{reason}", count)
    for m in report.months:
        month = m.month.isoformat()
        yield (*head, month, "meetings", m.meetings)
        yield (*head, month, "pairs_running", m.pairs)
        per_pair = m.meetings_per_pair
        yield (*head, month, "meetings_per_pair", "" if per_pair is None else per_pair)
        yield (*head, month, "goals_created", m.goals_created)
        yield (*head, month, "goals_completed", m.goals_completed)
        for health in ACTIVE_HEALTHS:
            yield (*head, month, f"goals_created_active_{health}", m.health[health])
    # The surveys' aggregates: empty where fewer than three answers stand behind a figure.
    for kind, summary in (report.surveys or {}).items():
        yield (*head, "", f"survey_{kind}_answers", summary["count"])
        for figure in ("match_score", "progress_score", "nps"):
            value = summary.get(figure)
            yield (*head, "", f"survey_{kind}_{figure}", "" if value is None else round(value, 1))
        for month, count, mean in summary.get("months", []):
            yield (*head, month.isoformat(), f"survey_{kind}_answers", count)
            yield (
                *head,
                month.isoformat(),
                f"survey_{kind}_match_score",
                "" if mean is None else round(mean, 1),
            )


@login_required
@require_GET
def program_report_csv(request, program_uuid):
    program = _program(request, program_uuid)
    form = CohortForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "mentorship/program_report_bad_filter.html",
            {"program": program, "form": form},
            status=400,
        )
    report = program_report(program, cohort=_cohort(form))
    name = f"{program.slug}-report-{timezone.localdate().isoformat()}.csv"
    return csv_response(name, REPORT_CSV_COLUMNS, report_csv_rows(report))


@login_required
@require_GET
def program_pairings(request, program_uuid):
    """The program's pairings, filtered as the outcomes report counts them."""
    program = _program(request, program_uuid)
    form = PairingListFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    data = form.cleaned_data if form.is_bound and valid else {}
    pairings = pairing_list(
        program,
        cohort=_cohort(form) if data else Cohort(),
        state=data.get("state", ""),
        premature=data.get("premature") == "yes",
        meeting=data.get("meeting", ""),
        reason=data.get("reason", ""),
        running_in=data.get("running_in"),
    )
    page = Paginator(pairings, PAIRINGS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "mentorship/program_pairings.html",
        {
            "program": program,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "running_in": data.get("running_in"),
        },
        status=200 if valid else 400,
    )
