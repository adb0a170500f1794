"""The outcomes report page, its CSV and the lists its figures link to."""

import re
from html import unescape

import pytest
import time_machine
from django.urls import resolve, reverse

from mentorship.models import Role
from tests.factories import MembershipFactory, UserFactory
from tests.spreadsheets import read_csv

from .report_world import NOW, build, grow

pytestmark = pytest.mark.django_db

# The signed-in user, the program, the viewer's facts, the unread count, then the report's
# own four: the counts and medians, the meeting rule's rows, the goals, the surveys.
REPORT_QUERIES = 8


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(program):
    return build(program)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def report_url(program, **params):
    url = reverse("mentorship:program_report", args=[program.uuid])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">(.*?)</dd>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def links(html: str) -> list[tuple[str, str, int]]:
    """(kind, url, count) of every figure's link on the page."""
    found = []
    for tag in re.findall(r"<a [^>]*data-count[^>]*>", html):
        href = unescape(re.search(r'href="([^"]*)"', tag).group(1))
        count = int(re.search(r'data-count="(\d+)"', tag).group(1))
        kind = re.search(r'data-link="([^"]*)"', tag).group(1)
        found.append((kind, href, count))
    return found


def rows_on(client, url: str) -> int:
    """How many rows the list at `url` has (all its pages)."""
    response = client.get(url)
    assert response.status_code == 200, url
    name = resolve(url.split("?")[0]).url_name
    if name == "program_goals":
        return len(response.context["goals"])
    return response.context["page"].paginator.count


def test_the_page_shows_the_hand_worked_figures(admin_client, world):
    response = admin_client.get(report_url(world.program))
    assert response.status_code == 200
    html = response.content.decode()
    assert figure(html, "match_rate") == "86%"
    assert figure(html, "median_days_to_match") == "24.0"
    assert figure(html, "meetings_per_pair_month") == "0.71"
    assert figure(html, "meeting_rule_share") == "50%"
    assert figure(html, "median_closed_days") == "42.0"
    assert figure(html, "median_running_days") == "93.5"
    assert figure(html, "premature") == "2"
    assert figure(html, "goals") == "5"
    assert figure(html, "goals_completed") == "1"
    assert figure(html, "median_progress") == "20.0%"
    assert "Feb 26" in html
    assert "Mentor moved away" in html
    # Two charts, each with its table of figures; the surveys say there are no answers yet
    # (and draw no chart).
    assert html.count("<svg") == 2
    assert 'id="meetings-table"' in html and 'id="goals-table"' in html
    assert "No answers yet." in _survey_section(html)


def test_a_cohort_changes_the_figures(admin_client, world):
    html = admin_client.get(
        report_url(world.program, started_from="2026-02", started_to="2026-03")
    ).content.decode()
    assert figure(html, "match_rate") == "100%"
    assert figure(html, "median_days_to_match") == "19.0"
    assert figure(html, "meetings_per_pair_month") == "0.78"
    assert figure(html, "meeting_rule_share") == "—"
    assert figure(html, "median_running_days") == "—"
    assert figure(html, "goals") == "2"
    assert figure(html, "median_progress") == "10.0%"
    # Only the start: pairings from May on (E alone).
    html = admin_client.get(report_url(world.program, started_from="2026-05")).content.decode()
    assert figure(html, "meeting_rule_share") == "0%"
    assert figure(html, "median_running_days") == "41.0"


@pytest.mark.parametrize(
    "params",
    [{}, {"started_from": "2026-02", "started_to": "2026-03"}, {"started_from": "2026-05"}],
)
def test_each_figure_links_to_a_list_of_exactly_that_many_rows(admin_client, world, params):
    html = admin_client.get(report_url(world.program, **params)).content.decode()
    found = links(html)
    kinds = {kind for kind, _url, _count in found}
    assert {
        "matched",
        "mentees",
        "closed",
        "running",
        "premature",
        "pairings",
        "meets",
        "active",
        "below",
        "goals",
        "goals-completed",
        "goals-active",
        "health",
        "month-pairs",
        "month-created",
        "month-completed",
        "month-health",
    } <= kinds
    for kind, url, count in found:
        assert rows_on(admin_client, url) == count, (kind, url)


def test_the_lists_hold_the_right_people(admin_client, world):
    """Spot checks of what the links show (not only how many)."""
    html = admin_client.get(report_url(world.program)).content.decode()
    urls = {kind: url for kind, url, _count in links(html)}
    premature = admin_client.get(urls["premature"]).context["page"].object_list
    assert {p.pk for p in premature} == {world.pairings["B"].pk, world.pairings["D"].pk}
    below = admin_client.get(urls["below"]).context["page"].object_list
    assert [p.pk for p in below] == [world.pairings["E"].pk]
    unmatched = admin_client.get(
        reverse("mentorship:member_list", args=[world.program.uuid]) + "?role=mentee&matched=no"
    ).context["page"]
    assert [m.user for m in unmatched] == [world.mentees["F"]]


@pytest.mark.parametrize(
    "params",
    [
        {"started_from": "2026-13"},
        {"started_from": "soon"},
        {"started_to": "2026-1"},
        {"started_from": "2026-05", "started_to": "2026-02"},
        {"started_from": "0000-01"},
    ],
)
def test_bad_months_are_a_form_error(admin_client, world, params):
    response = admin_client.get(report_url(world.program, **params))
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    # The report still shows everyone's figures beside the error.
    assert figure(response.content.decode(), "match_rate") == "86%"
    csv_response = admin_client.get(
        reverse("mentorship:program_report_csv", args=[world.program.uuid]), params
    )
    assert csv_response.status_code == 400


@pytest.mark.parametrize(
    "name,params",
    [
        ("mentorship:program_pairings", {"running_in": "June"}),
        ("mentorship:program_pairings", {"started_from": "2026-99"}),
        ("mentorship:program_pairings", {"state": "lost"}),
        ("mentorship:member_list", {"joined_from": "yesterday"}),
        ("goals:program_goals", {"created": "2026-00"}),
        ("goals:program_goals", {"health": "great"}),
    ],
)
def test_bad_list_filters_are_a_form_error(admin_client, world, name, params):
    response = admin_client.get(reverse(name, args=[world.program.uuid]), params)
    assert response.status_code in (200, 400)
    assert response.status_code != 500
    if name != "mentorship:member_list":
        assert response.status_code == 400


def test_the_csv_holds_the_same_figures_with_iso_dates(admin_client, world):
    response = admin_client.get(
        reverse("mentorship:program_report_csv", args=[world.program.uuid]),
        {"started_from": "2026-02", "started_to": "2026-03"},
    )
    rows = read_csv(response)
    assert list(rows[0]) == ["As of", "Started from", "Started before", "Month", "Figure", "Value"]
    assert {r["As of"] for r in rows} == {"2026-06-15"}
    assert {(r["Started from"], r["Started before"]) for r in rows} == {
        ("2026-02-01", "2026-04-01")
    }
    totals = {r["Figure"]: r["Value"] for r in rows if not r["Month"]}
    assert totals["match_rate"] == "100"
    assert totals["median_days_to_match"] == "19.0"
    assert totals["meetings_per_pair_month"] == "0.78"
    assert totals["meeting_rule_share"] == ""
    assert totals["premature"] == "2"
    assert totals["premature_reason:Mentor moved away"] == "2"
    by_month = {(r["Month"], r["Figure"]): r["Value"] for r in rows if r["Month"]}
    assert by_month[("2026-03-01", "pairs_running")] == "3"
    assert by_month[("2026-02-01", "goals_created")] == "1"


def test_an_end_reason_cannot_run_as_a_formula_in_the_csv(admin_client, world):
    world.pairings["D"].__class__.objects.filter(pk=world.pairings["D"].pk).update(
        end_reason="=HYPERLINK(1)"
    )
    body = admin_client.get(
        reverse("mentorship:program_report_csv", args=[world.program.uuid])
    ).content.decode()
    assert "'premature_reason:=HYPERLINK(1)" not in body  # the figure's name starts plainly
    assert "premature_reason:=HYPERLINK(1)" in body
    assert "\n=" not in body and ",=" not in body


def test_the_report_makes_the_same_queries_at_two_sizes(
    admin_client, world, django_assert_num_queries
):
    url = report_url(world.program)
    admin_client.get(url)
    with django_assert_num_queries(REPORT_QUERIES):
        assert admin_client.get(url).status_code == 200
    grow(world.program, 30)
    with django_assert_num_queries(REPORT_QUERIES):
        assert admin_client.get(url).status_code == 200
    with django_assert_num_queries(REPORT_QUERIES):
        assert admin_client.get(url + "?started_from=2026-01&started_to=2026-06").status_code == 200


def test_only_the_programs_admins_see_it(client, world, mentor, mentee, other_admin):
    urls = [
        reverse(name, args=[world.program.uuid])
        for name in (
            "mentorship:program_report",
            "mentorship:program_report_csv",
            "mentorship:program_pairings",
        )
    ]
    outsider = UserFactory(email="outsider@example.com")
    MembershipFactory(program=world.program, user=outsider, role=Role.MENTOR)
    for user in (mentor, mentee, other_admin, outsider):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)


def test_the_dashboard_links_the_report(admin_client, world):
    html = admin_client.get(
        reverse("mentorship:program_dashboard", args=[world.program.uuid])
    ).content.decode()
    assert reverse("mentorship:program_report", args=[world.program.uuid]) in html


def _pulse(pairing, author, score):
    from mentorship.models import SurveyKind, SurveyResponse

    return SurveyResponse.objects.create(
        pairing=pairing, author=author, kind=SurveyKind.PULSE, round=1, match_score=score
    )


def _survey_section(html: str) -> str:
    return html[html.index('id="report-surveys"') :]


def test_the_report_shows_survey_scores_of_its_cohort_never_over_fewer_than_three(
    admin_client, world
):
    """Pulse answers: A's mentee 4 and mentor 5 (started in January), B 3, C 4, D 2 (February
    and March). The whole program: 5 answers, mean 3.6; February to March: B, C and D, mean
    3.0; from March: C and D only, two answers, so no mean at all."""
    p = world.pairings
    _pulse(p["A"], p["A"].mentee, 4)
    _pulse(p["A"], p["A"].mentor, 5)
    _pulse(p["B"], p["B"].mentee, 3)
    _pulse(p["C"], p["C"].mentee, 4)
    _pulse(p["D"], p["D"].mentee, 2)
    whole = _survey_section(admin_client.get(report_url(world.program)).content.decode())
    assert "3.6 / 5" in whole
    cohort = _survey_section(
        admin_client.get(
            report_url(world.program, started_from="2026-02", started_to="2026-03")
        ).content.decode()
    )
    assert "3.0 / 5" in cohort and "3.6" not in cohort
    few = _survey_section(
        admin_client.get(report_url(world.program, started_from="2026-03")).content.decode()
    )
    assert "fewer than 3 answers" in few
    assert "/ 5" not in few  # neither mean can be read off two answers
    rows = read_csv(
        admin_client.get(
            reverse("mentorship:program_report_csv", args=[world.program.uuid])
            + "?started_from=2026-03"
        )
    )
    by_figure = {r["Figure"]: r["Value"] for r in rows if not r["Month"]}
    assert by_figure["survey_pulse_answers"] == "2"
    assert by_figure["survey_pulse_match_score"] == ""
