"""The everyday loop in a real Chromium, at 1280 and 375 px: the mentee ticks this week's
step on her dashboard, logs progress for an earlier day (which the chart and the list show
at that day), and on a phone the SMART check stays in sight while she types a new goal.
Screenshots of every step go to the test's output folder."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from goals.models import MilestoneKind, ProgressUpdate, StepCompletion
from tests.browser.test_goal_loop import log_in
from tests.factories import GoalFactory, MilestoneFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_weekly_plan_and_backdated_progress(
    page, live_server, output_path, width, mentee, pairing, program
):
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    shots = iter(range(1, 100))

    def shot(name):
        page.screenshot(path=f"{output_path}/{next(shots):02d}-{name}.png", full_page=True)

    today = timezone.localtime(timezone.now(), mentee.tzinfo).date()
    goal = GoalFactory(
        mentee=mentee,
        program=program,
        pairing=pairing,
        title="Run a 10k",
        unit="km",
        baseline_value=0,
        target_value=10,
        current_value=0,
        starts_on=today - timedelta(days=20),
        target_date=today + timedelta(days=60),
    )
    step = MilestoneFactory(
        goal=goal, title="Three runs this week", kind=MilestoneKind.ACTION, week_from=1
    )
    step.repeats_until = goal.target_date
    step.save(update_fields=["repeats_until"])

    # This week's step, ticked off on the dashboard.
    log_in(page, base, mentee.email)
    page.goto(f"{base}/goals/dashboard/")
    this_week = page.locator(".this-week")
    expect(this_week).to_contain_text("Three runs this week")
    shot("dashboard-this-week")
    this_week.get_by_role("button", name="Mark Three runs this week done this week").click()
    expect(
        page.get_by_role("button", name="Mark Three runs this week not done this week")
    ).to_be_visible()
    shot("dashboard-ticked")
    assert StepCompletion.objects.filter(step=step).count() == 1

    # Progress logged today for three days ago.
    earlier = today - timedelta(days=3)
    page.goto(f"{base}/goals/{goal.uuid}/")
    page.locator("#id_value").fill("4")
    page.locator("#id_note").fill("Forgot to log Saturday's run.")
    page.get_by_label("For the day").fill(earlier.isoformat())
    page.get_by_role("button", name="Log progress").click()
    expect(page.get_by_text("Progress logged.")).to_be_visible()
    expect(page.locator(".update-history")).to_contain_text("Forgot to log Saturday's run.")
    expect(page.locator(".goal-chart svg")).to_be_visible()
    shot("goal-backdated")
    update = ProgressUpdate.objects.get(goal=goal)
    assert update.occurred_on == earlier
    # A day to come is refused with a message, and nothing is saved.
    page.locator("#id_value").fill("5")
    page.get_by_label("For the day").fill((today + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Log progress").click()
    expect(page.locator(".update-form .invalid-feedback, .update-form .alert")).not_to_have_count(0)
    shot("goal-future-refused")
    assert ProgressUpdate.objects.filter(goal=goal).count() == 1

    # Typing a new goal: the SMART check answers, and on a phone it stays on screen.
    page.goto(f"{base}/goals/new/")
    page.get_by_label("Goal*").fill("Get better at running")
    expect(page.locator("#smart-check")).to_contain_text("names a direction")
    box = page.locator(".smart-check-card").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 900 + 1
    if width == 375:
        assert box["y"] > 450  # a bar along the bottom of the screen, not the page's end
    shot("goal-form-smart-check")
