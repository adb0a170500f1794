"""Errors as JSON with field messages, never a 500; pagination, filters and throttling."""

import time
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from goals.models import Goal, GoalStatus
from mentorship.models import Program
from tests.factories import GoalFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def test_goal_create_validates_like_the_page(mentee, as_user):
    client = as_user(mentee)
    response = client.post(
        reverse("api:goal-list"),
        {"title": "Run a 10k", "starts_on": "2030-05-01", "target_date": "2030-04-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "target_date" in response.json()
    response = client.post(
        reverse("api:goal-list"),
        {"title": "Run a 10k", "baseline_value": "5", "target_value": "5"},
        format="json",
    )
    assert response.status_code == 400 and "target_value" in response.json()
    assert not Goal.objects.exists()


def test_goal_create_and_stale_update(mentee, pairing, as_user):
    client = as_user(mentee)
    response = client.post(
        reverse("api:goal-list"),
        {
            "title": "Run a 10k",
            "metric_name": "km",
            "baseline_value": "2",
            "target_value": "10",
            "target_date": (date.today() + timedelta(days=90)).isoformat(),
            "pairing": str(pairing.uuid),
            "milestones": ["Run 5k", "Run 8k"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["access"] == "owner" and body["status"] == "draft"
    assert body["pairing"] == str(pairing.uuid)
    goal = Goal.objects.get(uuid=body["uuid"])
    assert goal.milestones.count() == 2
    url = reverse("api:goal-detail", args=[goal.uuid])
    first = client.patch(
        url, {"title": "Run a half marathon", "version": body["version"]}, format="json"
    )
    assert first.status_code == 200 and first.json()["title"] == "Run a half marathon"
    stale = client.patch(
        url, {"title": "Something else", "version": body["version"]}, format="json"
    )
    assert stale.status_code == 409
    assert client.patch(url, {"title": "No version"}, format="json").status_code == 400
    assert client.put(url, {"title": "x", "version": 1}, format="json").status_code == 405


def test_goal_create_with_someone_elses_pairing_is_refused(stranger, pairing, as_user):
    response = as_user(stranger).post(
        reverse("api:goal-list"), {"title": "Sneak in", "pairing": str(pairing.uuid)}, format="json"
    )
    assert response.status_code == 400 and "pairing" in response.json()


def test_focus_limit_is_a_field_message(mentee, program, as_user):
    program.max_active_goals = 1
    program.save()
    GoalFactory(mentee=mentee, program=program, status=GoalStatus.ACTIVE)
    draft = GoalFactory(mentee=mentee, program=program, status=GoalStatus.DRAFT)
    url = reverse("api:goal-set-status", args=[draft.uuid])
    response = as_user(mentee).post(url, {"status": "active"})
    assert response.status_code == 400 and response.json()["status"]
    confirmed = as_user(mentee).post(url, {"status": "active", "confirm_over_limit": True})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "active"


def test_program_with_a_taken_slug_is_400_not_500(admin, program, as_user):
    response = as_user(admin).post(
        reverse("api:program-list"), {"name": "Again", "slug": program.slug}, format="json"
    )
    assert response.status_code == 400
    assert "slug" in response.json() or "non_field_errors" in response.json()
    assert Program.objects.filter(slug=program.slug).count() == 1


def test_program_with_end_before_start_is_a_field_message(admin, as_user):
    response = as_user(admin).post(
        reverse("api:program-list"),
        {
            "name": "Backwards",
            "slug": "backwards",
            "starts_on": "2030-01-02",
            "ends_on": "2030-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert not Program.objects.filter(slug="backwards").exists()


def test_stranger_cannot_create_programs(stranger, as_user):
    response = as_user(stranger).post(reverse("api:program-list"), {"name": "Mine", "slug": "mine"})
    assert response.status_code == 403


def test_bad_filter_values_are_field_messages(mentee, as_user):
    client = as_user(mentee)
    for params in (
        {"status": "nonsense"},
        {"target_date_after": "yesterday"},
        {"mentee": "not-a-uuid"},
    ):
        response = client.get(reverse("api:goal-list"), params)
        assert response.status_code == 400
        assert set(response.json()) == set(params)


def test_filters_by_status_and_dates(mentee, as_user):
    soon = GoalFactory(mentee=mentee, target_date=date(2031, 1, 1), starts_on=date(2030, 1, 1))
    GoalFactory(mentee=mentee, target_date=date(2032, 1, 1), starts_on=date(2030, 1, 1))
    GoalFactory(mentee=mentee, status=GoalStatus.DRAFT)
    client = as_user(mentee)

    def titles(url, **params):
        return {r["uuid"] for r in client.get(reverse(url), params).json()["results"]}

    assert titles("api:goal-list", target_date_before="2031-06-01", status="active") == {
        str(soon.uuid)
    }
    assert len(titles("api:goal-list", status="draft")) == 1
    MilestoneFactory(goal=soon, due_on=date(2030, 6, 1))
    MilestoneFactory(goal=soon, due_on=date(2030, 9, 1))
    assert len(titles("api:milestone-list", due_after="2030-07-01")) == 1
    assert len(titles("api:milestone-list", goal=str(soon.uuid), done="false")) == 2


def test_pagination(mentee, as_user):
    for _ in range(55):
        GoalFactory(mentee=mentee)
    client = as_user(mentee)
    first = client.get(reverse("api:goal-list")).json()
    assert first["count"] == 55 and len(first["results"]) == 50 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    assert client.get(reverse("api:goal-list"), {"page": 9}).status_code == 404


def test_throttling_per_token_and_for_anonymous(settings, mentee, as_user, api):
    rest = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "100/minute", "token": "3/minute"},
    }
    # The counters are per minute: the calls are made at the start of one, so that none of
    # them falls into the next window however slow the machine.
    started = datetime.fromtimestamp(time.time() // 60 * 60 + 1, UTC)
    with override_settings(REST_FRAMEWORK=rest), time_machine.travel(started, tick=True):
        client = as_user(mentee)
        codes = [client.get(reverse("api:me")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert "detail" in client.get(reverse("api:me")).json()
        # Anonymous calls (the schema, the documentation) are counted per address.
        anon = [api.get(reverse("api:schema")).status_code for _ in range(3)]
        assert anon[-1] == 429


def test_throttle_counts_per_window_and_says_when_to_retry(settings, mentee, as_user):
    rest = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "100/minute", "token": "2/minute"},
    }
    with (
        override_settings(REST_FRAMEWORK=rest),
        time_machine.travel("2026-03-02 10:00:15Z", tick=False) as clock,
    ):
        client = as_user(mentee)
        assert [client.get(reverse("api:me")).status_code for _ in range(3)] == [200, 200, 429]
        refused = client.get(reverse("api:me"))
        assert refused.status_code == 429
        # The window ends on the minute: 45 seconds from now.
        assert int(refused["Retry-After"]) == 45
        clock.move_to("2026-03-02 10:01:00Z")
        assert client.get(reverse("api:me")).status_code == 200


def test_bad_inbox_filter_values_are_field_messages(mentee, as_user):
    client = as_user(mentee)
    for params in ({"unread": "maybe"}, {"kind": "\x00"}, {"kind": "no-such-kind"}):
        response = client.get(reverse("api:notification-list"), params)
        assert response.status_code == 400, params
        assert set(response.json()) == set(params)
    ok = client.get(reverse("api:notification-list"), {"unread": "yes", "kind": "feedback"})
    assert ok.status_code == 200
