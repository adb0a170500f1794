"""The weekly plan: steps in a week, a range of weeks or every week until a date, ticked off
per week in the mentee's own time zone, changed and removed by her only, each change in the
goal's history; "this week" on her dashboard; a form posted twice makes one step."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from core.errors import Conflict, InvalidInput
from goals import services
from goals.models import GoalEvent, Milestone, MilestoneKind, StepCompletion
from goals.selectors import mentee_dashboard
from goals.services import NotAllowed
from goals.weeks import is_due_in_week, week_number, week_start, weeks_label

pytestmark = pytest.mark.django_db

# Wednesday 4 March 2026; the goal starts on Tuesday 3 March, so week 1 is 2 to 8 March.
WEDNESDAY = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
START = date(2026, 3, 3)


@pytest.fixture
def plan_goal(goal):
    goal.starts_on = START
    goal.target_date = date(2026, 6, 30)
    goal.save()
    return goal


def _step(goal, by, title, **fields):
    return services.step_add(goal=goal, by=by, fields={"title": title, **fields})


def _actions(goal):
    return list(GoalEvent.objects.filter(goal=goal).values_list("action", flat=True))


class Step:
    def __init__(self, week_from=None, week_to=None, repeats_until=None, due_on=None):
        self.week_from, self.week_to = week_from, week_to
        self.repeats_until, self.due_on = repeats_until, due_on


def test_weeks_are_counted_from_the_goals_start():
    assert week_start(date(2026, 3, 8)) == date(2026, 3, 2)  # Sunday -> its Monday
    assert week_number(START, date(2026, 3, 2)) == 1
    assert week_number(START, date(2026, 3, 8)) == 1
    assert week_number(START, date(2026, 3, 9)) == 2
    assert week_number(START, date(2026, 3, 1)) == 0


@pytest.mark.parametrize(
    ("step", "weeks", "label"),
    [
        (Step(week_from=1), {1}, "Week 1"),
        (Step(week_from=2, week_to=3), {2, 3}, "Weeks 2–3"),
        (Step(repeats_until=date(2026, 3, 18)), {1, 2, 3}, "Every week until 18 Mar 2026"),
        (
            Step(week_from=2, repeats_until=date(2026, 3, 23)),
            {2, 3, 4},
            "Every week from week 2 until 23 Mar 2026",
        ),
        (Step(due_on=date(2026, 3, 12)), {2}, ""),
        (Step(), {1, 2, 3, 4, 5}, "Every week"),
    ],
)
def test_which_weeks_a_step_is_due_in(step, weeks, label):
    due = {
        n
        for n in range(1, 6)
        if is_due_in_week(step, starts_on=START, monday=date(2026, 3, 2) + timedelta(weeks=n - 1))
    }
    assert due == weeks
    assert weeks_label(step) == label


def test_a_plan_as_the_guides_write_it(plan_goal, mentee):
    with time_machine.travel(WEDNESDAY, tick=False):
        research = _step(plan_goal, mentee, "Research", week_from=1)
        samples = _step(plan_goal, mentee, "Gather samples", week_from=2, week_to=3)
        build = _step(plan_goal, mentee, "Build", week_from=4)
        assert all(s.kind == MilestoneKind.ACTION for s in (research, samples, build))
        assert [s.title for s in mentee_dashboard(mentee).this_week] == ["Research"]
    with time_machine.travel(WEDNESDAY + timedelta(weeks=2), tick=False):
        assert [s.title for s in mentee_dashboard(mentee).this_week] == ["Gather samples"]
    assert _actions(plan_goal).count("step_added") == 3


def test_a_step_is_ticked_off_per_week_not_once_forever(client, plan_goal, mentee):
    with time_machine.travel(WEDNESDAY, tick=False):
        step = _step(plan_goal, mentee, "Read one article", repeats_until=date(2026, 4, 30))
        monday = date(2026, 3, 2)
        assert services.step_tick(step=step, by=mentee, week_start=monday)
        assert not services.step_tick(step=step, by=mentee, week_start=monday)  # once a week
        assert mentee_dashboard(mentee).this_week[0].done
    with time_machine.travel(WEDNESDAY + timedelta(weeks=1), tick=False):
        # A new week: open again, last week's tick stays.
        assert not mentee_dashboard(mentee).this_week[0].done
        services.step_tick(step=step, by=mentee, week_start=date(2026, 3, 9))
        assert set(StepCompletion.objects.values_list("week_start", flat=True)) == {
            date(2026, 3, 2),
            date(2026, 3, 9),
        }
        client.force_login(mentee)
        page = client.get(reverse("goals:goal_detail", args=[plan_goal.uuid])).text
        assert "done in 2 weeks" in page
        assert f'aria-label="Mark {step.title} not done this week"' in page  # ticked this week
        assert services.step_tick(step=step, by=mentee, week_start=date(2026, 3, 9), done=False)
        page = client.get(reverse("goals:goal_detail", args=[plan_goal.uuid])).text
        assert "done in 1 week</div>" in page
        assert f'aria-label="Mark {step.title} done this week"' in page
    assert _actions(plan_goal).count("step_done") == 2
    assert _actions(plan_goal).count("step_undone") == 1


def test_no_tick_for_a_week_to_come_or_a_week_not_planned(plan_goal, mentee):
    with time_machine.travel(WEDNESDAY, tick=False):
        step = _step(plan_goal, mentee, "Build", week_from=1)
        with pytest.raises(InvalidInput):
            services.step_tick(step=step, by=mentee, week_start=date(2026, 3, 9))
        later = _step(plan_goal, mentee, "Later", week_from=3)
        # A well-formed week the step is not planned for: a conflict with its plan (409).
        with pytest.raises(Conflict, match="not planned for that week"):
            services.step_tick(step=later, by=mentee, week_start=date(2026, 3, 2))
        with pytest.raises(InvalidInput):
            services.step_tick(step=step, by=mentee, week_start=date(2026, 3, 4))  # a Wednesday
    assert not StepCompletion.objects.exists()


def test_this_week_is_the_mentees_own_week(plan_goal, mentee):
    """Sunday 8 March 20:00 UTC is already Monday 9 March in Tokyo: week 2 there."""
    sunday_evening = datetime(2026, 3, 8, 20, 0, tzinfo=UTC)
    with time_machine.travel(sunday_evening, tick=False):
        _step(plan_goal, mentee, "Week one", week_from=1)
        _step(plan_goal, mentee, "Week two", week_from=2)
        mentee.timezone = "Europe/London"
        mentee.save()
        assert [s.title for s in mentee_dashboard(mentee).this_week] == ["Week one"]
        mentee.timezone = "Asia/Tokyo"
        mentee.save()
        dash = mentee_dashboard(mentee)
        assert dash.week_start == date(2026, 3, 9)
        assert [s.title for s in dash.this_week] == ["Week two"]


def test_the_rules_of_a_step(plan_goal, mentee):
    for fields, field in [
        ({"title": " "}, "title"),
        ({"title": "x", "week_from": 0}, "week_from"),
        ({"title": "x", "week_to": 3}, "week_from"),
        ({"title": "x", "week_from": 3, "week_to": 2}, "week_to"),
        ({"title": "x", "repeats_until": START - timedelta(days=1)}, "repeats_until"),
    ]:
        with pytest.raises(InvalidInput) as error:
            services.step_add(goal=plan_goal, by=mentee, fields=fields)
        assert error.value.field == field, fields
    assert not Milestone.objects.filter(kind=MilestoneKind.ACTION).exists()


def test_edit_and_delete_by_the_mentee_only_with_history(plan_goal, mentee, mentor):
    step = _step(plan_goal, mentee, "Research", week_from=1)
    with pytest.raises(NotAllowed):
        services.step_edit(step=step, by=mentor, changes={"title": "x"})
    with pytest.raises(NotAllowed):
        services.step_delete(step=step, by=mentor)
    services.step_edit(step=step, by=mentee, changes={"week_from": 2, "week_to": 3})
    step.refresh_from_db()
    assert (step.week_from, step.week_to) == (2, 3)
    edited = GoalEvent.objects.get(goal=plan_goal, action="step_edited")
    assert "Week 1" in edited.detail and "Weeks 2–3" in edited.detail
    services.step_delete(step=step, by=mentee)
    assert not Milestone.objects.filter(pk=step.pk).exists()
    assert "step_deleted" in _actions(plan_goal)


def test_the_same_step_posted_twice_is_added_once(client, plan_goal, mentee):
    client.force_login(mentee)
    url = reverse("goals:step_add", args=[plan_goal.uuid])
    data = {"step-title": "Research", "step-week_from": "1"}
    assert client.post(url, data).status_code == 302  # post/redirect/get
    again = client.post(url, data, follow=True)
    assert Milestone.objects.filter(kind=MilestoneKind.ACTION).count() == 1
    assert "already added" in again.content.decode()
    assert _actions(plan_goal).count("step_added") == 1


def test_a_bad_step_on_the_page_is_a_message(client, plan_goal, mentee):
    client.force_login(mentee)
    url = reverse("goals:step_add", args=[plan_goal.uuid])
    response = client.post(url, {"step-title": "x", "step-week_from": "3", "step-week_to": "1"})
    assert response.status_code == 400
    assert "The last week comes after the first" in response.content.decode()
    assert not Milestone.objects.filter(kind=MilestoneKind.ACTION).exists()


def test_the_mentee_ticks_this_weeks_step_on_her_dashboard(client, plan_goal, mentee):
    with time_machine.travel(WEDNESDAY, tick=False):
        step = _step(plan_goal, mentee, "Research", week_from=1)
        client.force_login(mentee)
        page = client.get(reverse("goals:mentee_dashboard")).content.decode()
        assert "This week" in page and "Research" in page
        tick = reverse("goals:step_tick", args=[step.uuid])
        assert tick in page
        response = client.post(
            tick,
            {"week": "2026-03-02", "done": "1", "next": reverse("goals:mentee_dashboard")},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("goals:mentee_dashboard")
        assert StepCompletion.objects.filter(step=step, week_start=date(2026, 3, 2)).exists()


def test_the_goal_page_shows_the_plan(client, plan_goal, mentee, mentor):
    with time_machine.travel(WEDNESDAY, tick=False):
        step = _step(plan_goal, mentee, "Gather samples", week_from=2, week_to=3)
        client.force_login(mentee)
        page = client.get(reverse("goals:goal_detail", args=[plan_goal.uuid])).content.decode()
        assert "Weeks 2–3" in page and "This is week 1 of the goal." in page
        assert reverse("goals:step_edit", args=[step.uuid]) in page
        client.force_login(mentor)
        page = client.get(reverse("goals:goal_detail", args=[plan_goal.uuid])).content.decode()
        assert "Weeks 2–3" in page
        assert reverse("goals:step_edit", args=[step.uuid]) not in page


@pytest.fixture
def step(plan_goal, mentee):
    return _step(plan_goal, mentee, "Research", week_from=1)


@pytest.mark.parametrize("name", ["goals:step_edit", "goals:step_delete", "goals:step_tick"])
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("mentor", 403), ("other_mentee", 404), ("other_mentor", 404), ("stranger", 404)],
)
def test_others_get_403_or_404_and_change_nothing(client, request, step, name, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(name, args=[step.uuid])
    assert client.post(url, {"title": "changed", "week_from": "2"}).status_code == expected
    step.refresh_from_db()
    assert step.title == "Research"
    assert not StepCompletion.objects.exists()


def test_the_mentee_edits_and_deletes_on_pages_with_a_confirmation(client, plan_goal, mentee, step):
    client.force_login(mentee)
    edit = reverse("goals:step_edit", args=[step.uuid])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"title": "Research more", "week_from": "1"}).status_code == 302
    step.refresh_from_db()
    assert step.title == "Research more"
    delete = reverse("goals:step_delete", args=[step.uuid])
    assert "Delete this step?" in client.get(delete).content.decode()
    assert Milestone.objects.filter(pk=step.pk).exists()
    assert client.post(delete).status_code == 302
    assert not Milestone.objects.filter(pk=step.pk).exists()


# --- API --------------------------------------------------------------------------------------


def test_the_api_plans_ticks_edits_and_deletes(client, plan_goal, mentee):
    client.force_login(mentee)
    with time_machine.travel(WEDNESDAY, tick=False):
        body = {"goal": str(plan_goal.uuid), "title": "Research", "week_from": 1, "week_to": 2}
        created = client.post("/api/v1/steps/", json.dumps(body), content_type="application/json")
        assert created.status_code == 201, created.content
        again = client.post("/api/v1/steps/", json.dumps(body), content_type="application/json")
        assert again.status_code == 200
        assert again.json()["uuid"] == created.json()["uuid"]
        url = f"/api/v1/steps/{created.json()['uuid']}/"
        assert created.json()["due_this_week"] is True
        ticked = client.post(url + "tick/", json.dumps({}), content_type="application/json")
        assert ticked.status_code == 200, ticked.content
        assert ticked.json()["weeks_done"] == ["2026-03-02"]
        untick = client.post(
            url + "tick/", json.dumps({"done": False}), content_type="application/json"
        )
        assert untick.json()["weeks_done"] == []
        patched = client.patch(url, json.dumps({"week_to": 3}), content_type="application/json")
        assert patched.status_code == 200 and patched.json()["week_to"] == 3
        bad = client.patch(url, json.dumps({"week_to": 0}), content_type="application/json")
        assert bad.status_code == 400
        assert client.delete(url).status_code == 204
    assert {"step_added", "step_done", "step_undone", "step_edited", "step_deleted"} <= set(
        _actions(plan_goal)
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("mentor", 403), ("other_mentee", 404), ("stranger", 404)],
)
def test_the_api_refuses_others(client, request, step, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    url = f"/api/v1/steps/{step.uuid}/"
    body = json.dumps({"title": "x"})
    assert client.patch(url, body, content_type="application/json").status_code == expected
    assert client.post(url + "tick/", "{}", content_type="application/json").status_code == (
        expected
    )
    assert client.delete(url).status_code == expected
    step.refresh_from_db()
    assert step.title == "Research"
