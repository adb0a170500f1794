"""Bad input to the API gets a clear JSON answer, never a 500 or an HTML page: dates beyond
the horizon, a calendar feed over any stored date, a NUL in a filter, JSON nested too deep,
malformed ids; and every CSV it writes is safe to open in a spreadsheet."""

import csv
import io
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from api.services import calendar_feed_rotate
from goals.models import Goal, Milestone
from mentorship.models import Pairing
from tests.factories import GoalFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://example.com","x")',
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


def assert_json_error(response, status: int):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


# --- Dates beyond the horizon -----------------------------------------------------------------


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"target_date": "9999-12-31"}, "target_date"),
        ({"starts_on": "1999-12-31", "target_date": "2000-06-01"}, "starts_on"),
        ({"target_date": (date.today() + timedelta(days=366 * 10 + 2)).isoformat()}, "target_date"),
    ],
)
def test_goal_create_refuses_dates_beyond_the_horizon(mentee, as_user, changes, field):
    response = as_user(mentee).post(
        reverse("api:goal-list"), {"title": "Run a 10k", **changes}, format="json"
    )
    body = assert_json_error(response, 400)
    assert field in body and "between 2000-01-01 and" in body[field][0]
    assert not Goal.objects.exists()


def test_goal_update_refuses_a_target_date_beyond_the_horizon(world, mentee, as_user):
    url = reverse("api:goal-detail", args=[world.goal.uuid])
    response = as_user(mentee).patch(
        url, {"target_date": "9999-12-31", "version": world.goal.version}, format="json"
    )
    body = assert_json_error(response, 400)
    assert "between 2000-01-01 and" in body["target_date"][0]
    world.goal.refresh_from_db()
    assert world.goal.target_date != date(9999, 12, 31)


def test_milestone_create_refuses_a_due_date_beyond_the_horizon(world, mentee, as_user):
    response = as_user(mentee).post(
        reverse("api:milestone-list"),
        {"goal": str(world.goal.uuid), "title": "Outline", "due_on": "9999-12-31"},
        format="json",
    )
    body = assert_json_error(response, 400)
    assert "between 2000-01-01 and" in body["due_on"][0]
    assert not Milestone.objects.filter(title="Outline").exists()


def test_calendar_feed_never_fails_on_a_stored_date(client, mentee, pairing):
    """Dates written to the database directly (before the rule, or by hand): the feed still
    answers, with every event."""
    goal = GoalFactory(mentee=mentee, pairing=pairing)
    Goal.objects.filter(pk=goal.pk).update(starts_on=date(1, 1, 1), target_date=date.max)
    far = MilestoneFactory(goal=goal, title="Far away")
    Milestone.objects.filter(pk=far.pk).update(due_on=date.max)
    early = MilestoneFactory(goal=goal, title="Long ago")
    Milestone.objects.filter(pk=early.pk).update(due_on=date(1, 1, 1))
    Pairing.objects.filter(pk=pairing.pk).update(next_checkin_due=date.max)

    url = reverse("api:calendar_feed", args=[calendar_feed_rotate(user=mentee).secret])
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    events = {
        str(e["UID"]).split("-")[0]: e for e in Calendar.from_ical(response.content).walk("VEVENT")
    }
    starts = sorted(
        e.decoded("dtstart") for e in Calendar.from_ical(response.content).walk("VEVENT")
    )
    assert set(events) == {"checkin", "milestone", "goal"}
    assert starts == [date(1, 1, 1), date.max, date.max, date.max]


# --- Query strings and bodies -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["%00", "a%00b"])
def test_nul_in_a_filter_is_a_400(mentee, as_user, value):
    body = assert_json_error(as_user(mentee).get(f"/api/v1/notifications/?kind={value}"), 400)
    assert "kind" in body


@pytest.mark.parametrize("depth", [100_000, 500])
@pytest.mark.parametrize("opening,closing", [("[", "]"), ('{"a":', "}")])
def test_json_nested_too_deep_is_a_400(world, mentee, as_user, opening, closing, depth):
    """100,000 deep broke Python's recursion limit; 500 deep parses, and is refused too."""
    deep = opening * depth + "1" + closing * depth
    client = as_user(mentee)
    for method, url in [
        (client.post, reverse("api:goal-list")),
        (client.patch, reverse("api:goal-detail", args=[world.goal.uuid])),
    ]:
        body = assert_json_error(method(url, data=deep, content_type="application/json"), 400)
        assert "nested more than" in body["detail"]
    assert Goal.objects.count() == 4


def test_json_nested_a_few_levels_still_parses(mentee, as_user):
    response = as_user(mentee).post(
        reverse("api:goal-list"), {"title": "Run a 10k", "milestones": ["Run 5k"]}, format="json"
    )
    assert response.status_code == 201, response.content


# --- Malformed ids ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/goals/not-a-uuid/",
        "/api/v1/goals/------------------------------------/",
        "/api/v1/goals/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz/",
        "/api/v1/goals/8f2c7a8e-2b7e-4a55-9b8f-0c8d2f0b6a1/",
        "/api/v1/notifications/123/read/",
        "/api/v1/pairings/%00/",
        "/api/v1/no-such-collection/",
    ],
)
def test_malformed_ids_get_a_json_404(mentee, as_user, path):
    body = assert_json_error(as_user(mentee).get(path), 404)
    assert body["detail"]


def test_an_unknown_address_asks_the_anonymous_to_authenticate_first(api):
    """Like every endpoint: 401 before anything is said about what exists."""
    assert_json_error(api.get("/api/v1/goals/not-a-uuid/"), 401)
    assert_json_error(api.post("/api/v1/no-such-collection/", {}), 401)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_malformed_ids_get_a_json_404_whatever_the_method(mentee, as_user, method):
    response = getattr(as_user(mentee), method)("/api/v1/goals/not-a-uuid/", {}, format="json")
    assert assert_json_error(response, 404)["detail"]


def test_unknown_program_export_part_is_a_json_404(admin, program, as_user):
    path = f"/api/v1/programs/{program.uuid}/export/passwords/"
    assert assert_json_error(as_user(admin).get(path), 404)["detail"]


def test_a_well_formed_unknown_id_is_still_a_json_404(mentee, as_user):
    path = "/api/v1/goals/8F2C7A8E-2B7E-4A55-9B8F-0C8D2F0B6A11/"
    assert assert_json_error(as_user(mentee).get(path), 404)["detail"]


# --- CSV exports ------------------------------------------------------------------------------


def test_personal_export_csv_neutralises_formulas(client, mentee):
    for title in FORMULAS:
        GoalFactory(mentee=mentee, title=title)
    client.force_login(mentee)
    response = client.get(reverse("api:export"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    rows = list(csv.DictReader(io.StringIO(archive.read("goals.csv").decode(), newline="")))
    assert sorted(r["title"] for r in rows) == sorted("'" + f for f in FORMULAS)
    assert {r["baseline_value"] for r in rows} == {"0.00"}


def test_program_export_csv_neutralises_formulas(world, admin, program, as_user):
    Goal.objects.filter(pk=world.goal.pk).update(title="=1+1")
    Goal.objects.filter(pk=world.program_goal.pk).update(title="-2+3")
    response = as_user(admin).get(reverse("api:program-export", args=[program.uuid, "goals"]))
    assert response.status_code == 200
    titles = {r["title"] for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert {"'=1+1", "'-2+3"} <= titles
