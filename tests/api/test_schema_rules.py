"""The API's schema states the rules the API enforces, and the API keeps to what it states:
each rule is read from the schema and tried against the API."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from goals.models import latest_date
from mentorship.models import PairingStatus


@pytest.fixture
def schema(api):
    return api.get(reverse("api:schema"), {"format": "json"}).json()


def component(schema, name):
    return schema["components"]["schemas"][name]


def test_request_bodies_are_json_only(schema):
    bodies = [
        operation["requestBody"]["content"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        if "requestBody" in operation
    ]
    assert bodies
    assert all(list(content) == ["application/json"] for content in bodies)


def test_goal_dates_state_the_horizon_the_api_enforces(schema, mentee, as_user):
    pattern = component(schema, "GoalCreateRequest")["properties"]["target_date"]["pattern"]
    last = latest_date()
    assert re.match(pattern, last.isoformat())
    assert re.match(pattern, "2000-01-01")
    assert not re.match(pattern, (last + timedelta(days=1)).isoformat())
    assert not re.match(pattern, "1999-12-31")
    assert not re.match(pattern, "9999-12-31")

    client = as_user(mentee)
    url = reverse("api:goal-list")
    beyond = (last + timedelta(days=1)).isoformat()
    refused = client.post(url, {"title": "Far", "target_date": beyond}, format="json")
    assert refused.status_code == 400 and "target_date" in refused.json()
    accepted = client.post(url, {"title": "Near", "target_date": last.isoformat()}, format="json")
    assert accepted.status_code == 201, accepted.content


# Every date the goal services hold to the horizon (goals.models.date_outside_horizon).
HORIZON_FIELDS = {"starts_on", "target_date", "due_on", "repeats_until"}
GOAL_REQUESTS = ("Goal", "Milestone", "Step")


def test_every_goal_date_in_a_request_states_the_horizon(schema):
    stated = {
        (name, field): prop.get("pattern")
        for name, body in schema["components"]["schemas"].items()
        if name.endswith("Request") and any(part in name for part in GOAL_REQUESTS)
        for field, prop in body.get("properties", {}).items()
        if field in HORIZON_FIELDS
    }
    assert ("PatchedMilestoneEditRequest", "due_on") in stated
    assert {key for key, pattern in stated.items() if not pattern} == set()


def test_a_milestone_moved_beyond_the_horizon_is_a_400(world, mentee, as_user):
    url = reverse("api:milestone-detail", args=[world.milestone.uuid])
    beyond = (latest_date() + timedelta(days=1)).isoformat()
    response = as_user(mentee).patch(url, {"due_on": beyond}, format="json")
    assert response.status_code == 400 and "due_on" in response.json()


def test_text_rules_are_stated(schema):
    title = component(schema, "GoalCreateRequest")["properties"]["title"]["pattern"]
    assert not re.match(title, "   ") and not re.match(title, "a\x00b") and re.match(title, " a ")
    note = component(schema, "ProgressUpdateCreateRequest")["properties"]["note"]["pattern"]
    assert re.match(note, "") and not re.match(note, "\x00")
    value = component(schema, "ProgressUpdateCreateRequest")["properties"]["value"]["pattern"]
    assert all(re.match(value, good) for good in ("1", "-1.5", ".5", "12."))
    assert not any(re.match(value, bad) for bad in ("", "-", ".", "-."))
    assert component(schema, "PatchedGoalUpdateRequest")["required"] == ["version"]
    assert component(schema, "PairingEndRequest")["required"] == ["reason"]
    cadence = component(schema, "ProgramRequest")["properties"]["checkin_cadence_days"]
    assert cadence["minimum"] == 1


def test_creates_link_to_the_object_they_made(schema):
    links = schema["paths"]["/api/v1/goals/"]["post"]["responses"]["201"]["links"]
    assert {"goals_retrieve", "goals_partial_update"} <= set(links)
    assert links["goals_retrieve"]["parameters"] == {"uuid": "$response.body#/uuid"}


@pytest.mark.parametrize("value", ["abc", "0", "201", "-3", "1.5", "٣"])
def test_a_bad_page_size_is_a_400(value, mentee, world, as_user):
    response = as_user(mentee).get(reverse("api:goal-list"), {"page_size": value})
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_page_size_given_twice_is_a_400(mentee, world, as_user):
    response = as_user(mentee).get(reverse("api:goal-list") + "?page_size=1&page_size=2")
    assert response.status_code == 400


def test_page_size_empty_or_in_range_is_taken(mentee, world, as_user):
    client = as_user(mentee)
    assert client.get(reverse("api:goal-list"), {"page_size": ""}).status_code == 200
    page = client.get(reverse("api:goal-list"), {"page_size": "1"}).json()
    assert len(page["results"]) == 1


def test_a_step_the_pairing_state_does_not_allow_is_a_409(pairing, admin, as_user):
    pairing.status = PairingStatus.COMPLETED
    pairing.ended_on = timezone.localdate()
    pairing.save()
    response = as_user(admin).post(reverse("api:pairing-pause", args=[pairing.uuid]))
    assert response.status_code == 409
    assert "cannot be paused" in response.json()["detail"]
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.COMPLETED


def test_program_numbers_are_small_integers_on_every_database(admin, as_user):
    response = as_user(admin).post(
        reverse("api:program-list"),
        {"name": "Slow", "slug": "slow", "checkin_cadence_days": 10**12},
        format="json",
    )
    assert response.status_code == 400 and "checkin_cadence_days" in response.json()


def test_the_not_blank_pattern_refuses_exactly_what_drf_trims_to_nothing():
    """Found by the stateful run: a summary of "\\x85" matched a pattern written with \\s (a
    client reads it as ECMAScript's), while DRF's str.strip() trims it to a blank."""
    import re

    from rest_framework import serializers

    from api.schema import NOT_BLANK_PATTERN

    # \s means another set in each regex engine (Python's, a client's ECMAScript): the
    # pattern names its characters instead.
    assert r"\s" not in NOT_BLANK_PATTERN
    field = serializers.CharField()
    for code in range(0x3001):
        text = chr(code)
        if text == "\x00":
            continue
        try:
            field.run_validation(text)
            accepted = True
        except serializers.ValidationError:
            accepted = False
        assert (re.match(NOT_BLANK_PATTERN, text) is not None) == accepted, hex(code)
