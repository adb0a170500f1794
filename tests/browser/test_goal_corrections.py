"""Correcting and recovering in a real Chromium, at 1280 and 375 px: the mentee edits and
deletes a milestone (through its confirmation page), archives a goal and restores it, and is
asked before a template replaces what she typed; her mentor edits his comment, which then
says "edited". Screenshots of every step go to the test's output folder."""

import pytest
from playwright.sync_api import expect

from goals import services
from goals.models import Goal, GoalEvent, Milestone
from tests.browser.test_goal_loop import log_in
from tests.factories import GoalFactory, MilestoneFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_corrections(page, live_server, output_path, width, mentee, mentor, pairing, program):
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    shots = iter(range(1, 100))
    script_errors = []
    page.on("console", lambda m: script_errors.append(m.text) if m.type == "error" else None)

    def shot(name):
        page.screenshot(path=f"{output_path}/{next(shots):02d}-{name}.png", full_page=True)

    goal = GoalFactory(mentee=mentee, program=program, pairing=pairing, title="Give a talk")
    outline = MilestoneFactory(goal=goal, title="Outline the talk", position=0)
    spare = MilestoneFactory(goal=goal, title="Spare milestone", position=1)
    comment = services.comment_add(goal=goal, by=mentor, body="Nice outlnie.")
    goal_url = f"{base}/goals/{goal.uuid}/"

    # The mentee corrects a milestone.
    log_in(page, base, mentee.email)
    page.goto(goal_url)
    page.get_by_role("link", name="Edit Outline the talk").click()
    page.get_by_label("Title").fill("Outline and time the talk")
    page.get_by_label("Due on").fill("2030-01-15")
    shot("milestone-edit")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(f"#milestone-{outline.uuid}")).to_contain_text("Outline and time the talk")
    # ...and deletes another after confirming.
    page.get_by_role("link", name="Delete Spare milestone").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Spare milestone")
    shot("milestone-delete-confirm")
    page.get_by_role("button", name="Delete").click()
    expect(page.locator(f"#milestone-{spare.uuid}")).to_have_count(0)
    shot("milestones-after")
    assert not Milestone.objects.filter(pk=spare.pk).exists()

    # She archives the goal (the browser asks first) and restores it from her goal list.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Archive").click()
    expect(page.locator(".goal-archived")).to_be_visible()
    shot("archived")
    page.goto(f"{base}/goals/?show=archived")
    archived = page.locator("#archived")
    expect(archived).to_contain_text("Give a talk")
    shot("goal-list-archived")
    archived.get_by_role("button", name="Restore").click()
    expect(page.locator(".goal-archived")).to_have_count(0)
    assert Goal.objects.get(pk=goal.pk).archived_at is None

    # Choosing a template after typing asks first; declining keeps what she typed.
    page.goto(f"{base}/goals/new/")
    page.get_by_label("Goal*").fill("My own words")
    asked = []

    def decline(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.get_by_role("link", name="Communication").click()
    expect(page.get_by_label("Goal*")).to_have_value("My own words")
    assert asked == ["Replace what you typed with this template?"]

    # Her mentor corrects his comment; the thread says it was edited.
    log_in(page, base, mentor.email)
    page.goto(goal_url)
    page.locator(f"#comment-{comment.uuid}").get_by_role("link", name="Edit").click()
    page.get_by_label("Your comment").fill("Nice outline.")
    shot("comment-edit")
    page.get_by_role("button", name="Save changes").click()
    card = page.locator(f"#comment-{comment.uuid}")
    expect(card).to_contain_text("Nice outline.")
    expect(card.locator(".comment-edited")).to_be_visible()
    shot("comment-edited")

    actions = set(GoalEvent.objects.filter(goal=goal).values_list("action", flat=True))
    assert {"milestone_edited", "milestone_deleted", "archived", "restored"} <= actions
    assert "comment_edited" in actions
    assert not script_errors, script_errors
