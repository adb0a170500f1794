"""Progress updates: logged for an earlier day, corrected and removed by their author only
(pages and API), each change in the goal's history, the goal's value and health worked out
again from what remains; a form posted twice makes one update; the chart plots each value at
its day, one point per day."""

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from core import dedupe
from core.errors import InvalidInput
from goals import services
from goals.charts import progress_chart
from goals.models import GoalEvent, ProgressUpdate
from goals.progress import Health
from goals.selectors import goal_page_details, review_queue
from goals.services import NotAllowed

pytestmark = pytest.mark.django_db


def _log(goal, by, value, *, day=None, note=""):
    return services.progress_update_log(
        goal=goal, by=by, value=Decimal(value), note=note, confidence=3, occurred_on=day
    )


def _actions(goal):
    return list(GoalEvent.objects.filter(goal=goal).values_list("action", flat=True))


# --- Back-dating ------------------------------------------------------------------------------


def test_an_update_can_be_for_an_earlier_day(goal, mentee):
    day = goal.starts_on + timedelta(days=2)
    update = _log(goal, mentee, "3", day=day)
    assert update.occurred_on == day
    goal.refresh_from_db()
    assert goal.current_value == 3


def test_a_late_update_for_an_earlier_day_does_not_become_the_current_value(goal, mentee):
    _log(goal, mentee, "5")
    _log(goal, mentee, "3", day=goal.starts_on + timedelta(days=1))
    goal.refresh_from_db()
    assert goal.current_value == 5  # the latest day's value, not the latest typed


def test_no_update_for_a_day_to_come(goal, mentee):
    with pytest.raises(InvalidInput) as error:
        _log(goal, mentee, "3", day=date.today() + timedelta(days=1))
    assert error.value.field == "occurred_on"
    assert "still to come" in str(error.value.message)
    assert not ProgressUpdate.objects.exists()


def test_no_update_before_the_goal_starts(goal, mentee):
    with pytest.raises(InvalidInput) as error:
        _log(goal, mentee, "3", day=goal.starts_on - timedelta(days=1))
    assert error.value.field == "occurred_on"
    assert goal.starts_on.isoformat() in str(error.value.message)


def test_today_is_the_mentees_own_day(goal, mentee):
    """At 23:30 UTC it is already tomorrow in Auckland and still today in Los Angeles."""
    moment = datetime(2026, 3, 10, 23, 30, tzinfo=ZoneInfo("UTC"))
    goal.starts_on = date(2026, 3, 1)
    goal.target_date = date(2026, 6, 1)
    goal.save()
    with time_machine.travel(moment, tick=False):
        mentee.timezone = "Pacific/Auckland"
        mentee.save()
        update = _log(goal, mentee, "2")
        assert update.occurred_on == date(2026, 3, 11)
        _log(goal, mentee, "3", day=date(2026, 3, 11))  # her today: allowed
        mentee.timezone = "America/Los_Angeles"
        mentee.save()
        goal.mentee.refresh_from_db()
        assert services.mentee_today(goal) == date(2026, 3, 10)
        with pytest.raises(InvalidInput):
            _log(goal, mentee, "4", day=date(2026, 3, 11))  # her tomorrow


def test_the_page_logs_for_an_earlier_day_and_says_why_not_a_later_one(client, goal, mentee):
    client.force_login(mentee)
    url = reverse("goals:update_add", args=[goal.uuid])
    day = goal.starts_on + timedelta(days=1)
    response = client.post(url, {"value": "4", "note": "", "confidence": "3", "occurred_on": day})
    assert response.status_code == 302
    assert ProgressUpdate.objects.get().occurred_on == day
    tomorrow = date.today() + timedelta(days=3)
    response = client.post(
        url, {"value": "5", "note": "", "confidence": "3", "occurred_on": tomorrow}
    )
    assert response.status_code == 400
    assert "still to come" in response.content.decode()
    assert ProgressUpdate.objects.count() == 1


# --- Correcting -------------------------------------------------------------------------------


def test_the_author_corrects_an_update_and_the_history_says_so(goal, mentee):
    update = _log(goal, mentee, "4")
    services.progress_update_edit(
        update=update,
        by=mentee,
        changes={"value": Decimal("6"), "note": "Six, not four.", "confidence": 5},
    )
    update.refresh_from_db()
    goal.refresh_from_db()
    assert (update.value, update.note, update.confidence) == (6, "Six, not four.", 5)
    assert update.edited_at is not None
    assert goal.current_value == 6
    event = GoalEvent.objects.filter(goal=goal, action="update_edited").get()
    assert event.actor == mentee
    assert "4 → 6" in event.detail
    assert "note changed" in event.detail


def test_a_changed_acknowledged_update_goes_back_to_the_mentor(goal, mentee, mentor):
    update = _log(goal, mentee, "4", day=goal.starts_on + timedelta(days=1))
    assert services.progress_update_acknowledge(update=update, by=mentor)
    assert not review_queue(mentor).exists()
    # A new day only: what the mentor saw still stands.
    services.progress_update_edit(update=update, by=mentee, changes={"occurred_on": goal.starts_on})
    update.refresh_from_db()
    assert update.acknowledged_at is not None
    # A new value: the mentor acknowledged "4", not "6"; it is in the review queue again.
    services.progress_update_edit(update=update, by=mentee, changes={"value": Decimal("6")})
    update.refresh_from_db()
    assert update.acknowledged_at is None and update.acknowledged_by is None
    assert [row[0] for row in review_queue(mentor)] == [update.uuid]
    event = GoalEvent.objects.filter(goal=goal, action="update_edited").latest("id")
    assert "back for review" in event.detail
    assert services.progress_update_acknowledge(update=update, by=mentor)


def test_the_correction_page_says_an_acknowledged_update_goes_back(client, goal, mentee, mentor):
    update = _log(goal, mentee, "4")
    services.progress_update_acknowledge(update=update, by=mentor)
    client.force_login(mentee)
    address = reverse("goals:update_edit", args=[update.uuid])
    assert "goes back to them to acknowledge again" in client.get(address).text
    response = client.post(
        address,
        {"value": "5", "note": "", "confidence": "3", "occurred_on": update.occurred_on},
        follow=True,
    )
    assert "back with your mentor to acknowledge" in response.text
    update.refresh_from_db()
    assert update.value == 5 and update.acknowledged_at is None


def test_moving_an_update_to_an_earlier_day_recomputes_the_current_value(goal, mentee):
    _log(goal, mentee, "3", day=goal.starts_on + timedelta(days=1))
    latest = _log(goal, mentee, "7")
    services.progress_update_edit(update=latest, by=mentee, changes={"occurred_on": goal.starts_on})
    goal.refresh_from_db()
    assert goal.current_value == 3


def test_a_correction_follows_the_same_rules(goal, mentee):
    update = _log(goal, mentee, "4")
    with pytest.raises(InvalidInput):
        services.progress_update_edit(
            update=update, by=mentee, changes={"occurred_on": date.today() + timedelta(days=2)}
        )
    with pytest.raises(InvalidInput):
        services.progress_update_edit(update=update, by=mentee, changes={"confidence": 9})
    update.refresh_from_db()
    assert update.edited_at is None
    assert "update_edited" not in _actions(goal)


def test_an_unchanged_correction_writes_no_history(goal, mentee):
    update = _log(goal, mentee, "4")
    services.progress_update_edit(update=update, by=mentee, changes={"value": Decimal("4")})
    assert "update_edited" not in _actions(goal)


def test_only_the_author_corrects_or_removes(goal, mentee, mentor):
    update = _log(goal, mentee, "4")
    with pytest.raises(NotAllowed):
        services.progress_update_edit(update=update, by=mentor, changes={"note": "x"})
    with pytest.raises(NotAllowed):
        services.progress_update_delete(update=update, by=mentor)
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()


# --- Removing ---------------------------------------------------------------------------------


def test_deleting_the_latest_update_falls_back_to_the_one_before(goal, mentee):
    _log(goal, mentee, "3", day=goal.starts_on + timedelta(days=1))
    latest = _log(goal, mentee, "9")
    goal.refresh_from_db()
    assert goal.current_value == 9
    services.progress_update_delete(update=latest, by=mentee)
    goal.refresh_from_db()
    assert goal.current_value == 3
    event = GoalEvent.objects.filter(goal=goal, action="update_deleted").get()
    assert event.actor == mentee
    assert "(9)" in event.detail


def test_deleting_the_only_update_returns_to_the_baseline_and_the_health_follows(goal, mentee):
    goal.starts_on = date.today() - timedelta(days=50)
    goal.target_date = date.today() + timedelta(days=50)
    goal.save()
    update = _log(goal, mentee, "6")
    goal.refresh_from_db()
    assert goal.progress.health == Health.ON_TRACK
    services.progress_update_delete(update=update, by=mentee)
    goal.refresh_from_db()
    assert goal.current_value == goal.baseline_value
    assert goal.progress.health == Health.OFF_TRACK


def test_comments_on_a_deleted_update_stay_on_the_goal(goal, mentee, mentor):
    update = _log(goal, mentee, "6")
    comment = services.comment_add(goal=goal, by=mentor, body="Great!", update=update)
    services.progress_update_delete(update=update, by=mentee)
    comment.refresh_from_db()
    assert comment.update is None


# --- One update per post ---------------------------------------------------------------------


def test_the_same_update_posted_twice_is_kept_once(goal, mentee):
    first = _log(goal, mentee, "4", note="Ran it.")
    again = _log(goal, mentee, "4", note="Ran it.")
    assert again.pk == first.pk
    assert again.duplicate and not first.duplicate
    assert ProgressUpdate.objects.count() == 1
    assert _actions(goal).count("update_logged") == 1


def test_the_same_update_after_the_window_is_a_new_one(goal, mentee):
    _log(goal, mentee, "4")
    later = datetime.now(tz=ZoneInfo("UTC")) + timedelta(
        seconds=dedupe.DUPLICATE_WINDOW.total_seconds() + 1
    )
    with time_machine.travel(later):
        _log(goal, mentee, "4")
    assert ProgressUpdate.objects.count() == 2


def test_a_different_update_within_the_window_is_a_new_one(goal, mentee):
    _log(goal, mentee, "4")
    _log(goal, mentee, "5")
    _log(goal, mentee, "5", day=goal.starts_on)
    assert ProgressUpdate.objects.count() == 3


def test_reposting_the_page_form_makes_one_update_and_says_so(client, goal, mentee):
    client.force_login(mentee)
    url = reverse("goals:update_add", args=[goal.uuid])
    data = {"value": "4", "note": "Ran it.", "confidence": "3"}
    first = client.post(url, data)
    assert first.status_code == 302  # post/redirect/get
    second = client.post(url, data, follow=True)
    assert ProgressUpdate.objects.count() == 1
    assert "already logged" in second.content.decode()


def test_reposting_through_the_api_returns_the_first_update(client, goal, mentee):
    client.force_login(mentee)
    body = json.dumps({"goal": str(goal.uuid), "value": "4", "note": "Ran it."})
    first = client.post("/api/v1/updates/", body, content_type="application/json")
    second = client.post("/api/v1/updates/", body, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["uuid"] == second.json()["uuid"]
    assert ProgressUpdate.objects.count() == 1


# --- Pages: who may, and the confirmation step ------------------------------------------------


@pytest.fixture
def logged(goal, mentee):
    return _log(goal, mentee, "4", note="Four runs.")


def test_the_author_edits_on_a_page(client, goal, mentee, logged):
    client.force_login(mentee)
    url = reverse("goals:update_edit", args=[logged.uuid])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="occurred_on"' in page.content.decode()
    response = client.post(
        url,
        {"value": "5", "note": "Five.", "confidence": "4", "occurred_on": logged.occurred_on},
    )
    assert response.status_code == 302
    logged.refresh_from_db()
    assert logged.value == 5
    detail = client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    assert "<em>edited</em>" in detail


def test_a_bad_correction_on_the_page_is_a_message_and_changes_nothing(client, mentee, logged):
    client.force_login(mentee)
    url = reverse("goals:update_edit", args=[logged.uuid])
    response = client.post(
        url,
        {"value": "5", "note": "", "confidence": "4", "occurred_on": "2999-01-01"},
    )
    assert response.status_code == 400
    logged.refresh_from_db()
    assert logged.value == 4


def test_deleting_on_a_page_asks_first(client, goal, mentee, logged):
    client.force_login(mentee)
    url = reverse("goals:update_delete", args=[logged.uuid])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Delete this update?" in confirm.content.decode()
    assert ProgressUpdate.objects.filter(pk=logged.pk).exists()  # asking deletes nothing
    response = client.post(url)
    assert response.status_code == 302
    assert not ProgressUpdate.objects.filter(pk=logged.pk).exists()
    assert "update_deleted" in _actions(goal)


def test_the_goal_page_offers_edit_and_delete_to_the_author_only(
    client, goal, mentee, mentor, logged
):
    edit = reverse("goals:update_edit", args=[logged.uuid])
    client.force_login(mentee)
    assert edit in client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    client.force_login(mentor)
    assert edit not in client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()


@pytest.mark.parametrize("name", ["goals:update_edit", "goals:update_delete"])
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("mentor", 403), ("other_mentee", 404), ("other_mentor", 404), ("stranger", 404)],
)
def test_others_get_403_or_404_and_change_nothing(client, request, logged, name, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(name, args=[logged.uuid])
    assert client.get(url).status_code == expected
    data = {"value": "9", "note": "x", "confidence": "3", "occurred_on": logged.occurred_on}
    assert client.post(url, data).status_code == expected
    logged.refresh_from_db()
    assert logged.value == 4


# --- API --------------------------------------------------------------------------------------


def _api(logged):
    return f"/api/v1/updates/{logged.uuid}/"


def test_the_author_corrects_and_deletes_through_the_api(client, goal, mentee, logged):
    client.force_login(mentee)
    day = goal.starts_on + timedelta(days=1)
    response = client.patch(
        _api(logged),
        json.dumps({"value": "7", "occurred_on": day.isoformat()}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["occurred_on"] == day.isoformat()
    assert response.json()["edited_at"] is not None
    assert client.delete(_api(logged)).status_code == 204
    assert not ProgressUpdate.objects.filter(pk=logged.pk).exists()
    assert {"update_edited", "update_deleted"} <= set(_actions(goal))


def test_the_api_refuses_a_day_to_come(client, mentee, logged):
    client.force_login(mentee)
    day = (date.today() + timedelta(days=5)).isoformat()
    response = client.patch(
        _api(logged), json.dumps({"occurred_on": day}), content_type="application/json"
    )
    assert response.status_code == 400
    assert "occurred_on" in json.dumps(response.json())


def test_put_is_not_offered(client, mentee, logged):
    client.force_login(mentee)
    response = client.put(_api(logged), json.dumps({}), content_type="application/json")
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("mentor", 403), ("other_mentee", 404), ("other_mentor", 404), ("stranger", 404)],
)
def test_the_api_refuses_others(client, request, logged, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    body = json.dumps({"note": "changed"})
    assert client.patch(_api(logged), body, content_type="application/json").status_code == (
        expected
    )
    assert client.delete(_api(logged)).status_code == expected
    logged.refresh_from_db()
    assert logged.note == "Four runs."


# --- The chart --------------------------------------------------------------------------------


def test_the_chart_plots_values_at_their_day_one_point_per_day(goal, mentee):
    goal.starts_on = date.today() - timedelta(days=10)
    goal.save()
    day = goal.starts_on + timedelta(days=3)
    _log(goal, mentee, "2", day=day)
    _log(goal, mentee, "5", day=day)  # the same day, later: this one is plotted
    _log(goal, mentee, "6")  # today
    _log(goal, mentee, "1", day=goal.starts_on)  # the start day: replaces the baseline point
    goal.refresh_from_db()
    chart = progress_chart(goal, goal_page_details(goal, events_shown=5).updates)
    points = [(p.when, p.value) for p in chart.actual]
    assert points == [(goal.starts_on, 1), (day, 5), (date.today(), 6)]
    xs = [p.x for p in chart.actual]
    assert len(set(xs)) == len(xs)  # no two points on one x: no vertical line


def test_the_chart_speaks_the_pages_dates_and_names_whose_values(client, goal, mentee, mentor):
    _log(goal, mentee, "3", day=goal.starts_on + timedelta(days=1))
    client.force_login(mentor)
    page = client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    figure = page[page.index('<figure class="goal-chart') : page.index("</figure>")]
    start = goal.starts_on
    assert f">{start.day} {start:%b} {start.year}</text>" in figure
    assert start.isoformat() + "</text>" not in figure
    assert "Mia Mentee&#x27;s values" in figure or "Mia Mentee's values" in figure


def test_deleting_an_update_withdraws_the_notice_that_has_not_gone_out(goal, mentee, mentor):
    """The mentor's "logged progress" waits to be gathered; once the update is deleted it is
    withdrawn, and nothing about it reaches him. One already sent stays sent."""
    from notifications.models import Notification

    kept = _log(goal, mentee, "2")
    gone = _log(goal, mentee, "3")
    key = f"feedback:update:{gone.uuid}"
    assert Notification.objects.filter(dedupe_key=key, recipient=mentor).exists()
    Notification.objects.filter(dedupe_key=f"feedback:update:{kept.uuid}").update(
        sent_at=datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))
    )
    services.progress_update_delete(update=gone, by=mentee)
    assert not Notification.objects.filter(dedupe_key=key).exists()
    services.progress_update_delete(update=kept, by=mentee)
    assert Notification.objects.filter(dedupe_key=f"feedback:update:{kept.uuid}").exists()
