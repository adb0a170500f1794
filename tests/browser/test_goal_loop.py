"""The core loop in a real Chromium: a mentee creates a goal from a template with three
milestones and logs two updates; her mentor acknowledges one (htmx, with a reply) and
comments; she sees the comment. Screenshots of every step at 1280 and 375 px go to the
test's output folder (test-results/...)."""

import re

import pytest
from playwright.sync_api import expect

from goals.models import Goal, ProgressUpdate
from notifications.models import Notification
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url, email):
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name="Log in")).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 375])
def test_goal_loop(page, live_server, output_path, width, mentee, mentor, pairing):
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    shots = iter(range(1, 100))
    csp_errors = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    def shot(name):
        page.screenshot(path=f"{output_path}/{next(shots):02d}-{name}.png", full_page=True)

    # The mentee lands on her dashboard and starts a goal from the communication template.
    log_in(page, base, mentee.email)
    expect(page.get_by_role("heading", name="My dashboard")).to_be_visible()
    page.goto(f"{base}/goals/new/")
    page.get_by_role("link", name="Communication").click()
    milestones = page.get_by_label("First milestones")
    expect(milestones).to_have_value(re.compile(r"^[^\n]+\n[^\n]+\n[^\n]+$"))
    expect(page.get_by_label("Goal*")).to_have_value(re.compile("15-minute presentation"))

    # The SMART check follows her typing (htmx): a vague title is named at once.
    title = page.get_by_label("Goal*")
    title.fill("Get better at talks")
    expect(page.locator("#smart-check [data-code=vague_title]")).to_be_visible()
    title.fill("Deliver a 15-minute roadmap talk to stakeholders 🎤")
    expect(page.locator("#smart-check [data-code=vague_title]")).to_have_count(0)
    shot("goal-form")
    page.get_by_role("button", name="Save and start working on it").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Deliver a 15-minute roadmap talk to stakeholders 🎤"
    )
    expect(page.locator("#milestones .milestone-list").first.locator("li")).to_have_count(3)
    goal = Goal.objects.get(mentee=mentee)
    assert goal.status == "active" and goal.milestones.count() == 3

    # Two progress updates.
    for value, note, confidence in [
        ("1", "First practice run: 22 minutes.", "3 · Okay"),
        ("3", "Two more runs, down to 16 minutes.", "4 · Confident"),
    ]:
        page.locator("#id_value").fill(value)
        page.locator("#id_note").fill(note)
        page.get_by_label(confidence).check()
        page.get_by_role("button", name="Log progress").click()
        expect(page.get_by_text("Progress logged.")).to_be_visible()
        expect(page.locator(".update-history")).to_contain_text(note)
    expect(page.locator(".goal-chart svg")).to_be_visible()
    shot("goal-with-updates")
    assert ProgressUpdate.objects.filter(goal=goal).count() == 2

    # Her mentor acknowledges the first update from the review queue, with a reply.
    log_in(page, base, mentor.email)
    expect(page.get_by_role("heading", name="Mentor dashboard")).to_be_visible()
    expect(page.locator(".review-count")).to_have_text("2")
    shot("mentor-dashboard")
    page.goto(f"{base}/goals/mentor/review/")
    items = page.locator(".review-item")
    expect(items).to_have_count(2)
    first = items.first
    expect(first).to_contain_text("First practice run")
    first.get_by_label("Reply (optional)").fill("Good start: time yourself on the Q&A too.")
    first.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".review-item").first).to_contain_text("Acknowledged")
    shot("review-queue-after-ack")
    acknowledged = ProgressUpdate.objects.filter(goal=goal, acknowledged_by=mentor)
    assert [u.note for u in acknowledged] == ["First practice run: 22 minutes."]

    # And comments on the goal.
    page.goto(f"{base}/goals/{goal.uuid}/")
    page.get_by_label("Your comment").fill("Sixteen minutes already — great pace! مرحبا")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("#feedback")).to_contain_text("Sixteen minutes already")
    shot("mentor-goal-page")

    # She sees the comment, the reply and which update was acknowledged.
    log_in(page, base, mentee.email)
    page.goto(f"{base}/goals/{goal.uuid}/")
    feedback = page.locator("#feedback")
    expect(feedback).to_contain_text("Sixteen minutes already — great pace! مرحبا")
    expect(feedback).to_contain_text("Good start: time yourself on the Q&A too.")
    expect(page.locator(".update-history")).to_contain_text("acknowledged by Maria Mentor")
    shot("mentee-sees-feedback")
    page.goto(f"{base}/goals/dashboard/")
    expect(page.get_by_text("Sixteen minutes already")).to_be_visible()
    shot("mentee-dashboard")

    assert Notification.objects.filter(recipient=mentee, kind="feedback").count() == 3
    assert csp_errors == []
