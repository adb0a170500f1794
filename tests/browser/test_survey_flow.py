"""A mentee answers her pulse survey in a real Chromium, at 1280 and 375 px: the prompt on
her dashboard, the survey's two questions as rows of radio buttons, a missing answer shown
as an error, the answer on the pairing page, shared with her mentor afterwards.
Screenshots of every step go to the test's output folder."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentorship.models import SurveyResponse
from tests.browser.test_goal_loop import log_in
from tests.factories import AgreementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_a_mentee_answers_a_pulse_survey(page, live_server, output_path, width, mentee, pairing):
    pairing.started_on = timezone.localdate() - timedelta(days=31)
    pairing.save(update_fields=["started_on"])
    AgreementFactory(pairing=pairing)
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    shots = iter(range(1, 100))

    def shot(name):
        path = Path(output_path) / f"{next(shots):02d}-{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        copies = Path("/tmp/surveys") / f"survey-{width}"
        copies.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, copies / path.name)

    log_in(page, base, mentee.email)
    page.goto(f"{base}/goals/dashboard/")
    prompt = page.locator(".survey-prompts")
    expect(prompt).to_contain_text("How is your mentorship with Maria Mentor going?")
    shot("dashboard-prompt")
    prompt.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Pulse survey 1")).to_be_visible()
    shot("survey-form")

    # One question left out: an error, nothing saved.
    page.get_by_role("radio", name="4").first.check()
    page.get_by_role("button", name="Send your answer").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    shot("survey-missing-answer")
    assert not SurveyResponse.objects.exists()

    page.locator("input[name=match_score][value='4']").check()
    page.locator("input[name=progress_score][value='5']").check()
    page.get_by_label("Anything you would like to add?").fill("The weekly check-ins help.")
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_text("Thank you for answering the survey.")).to_be_visible()
    surveys = page.locator("#surveys")
    expect(surveys).to_contain_text("The weekly check-ins help.")
    expect(surveys).to_contain_text("Private: only you read it")
    surveys.scroll_into_view_if_needed()
    shot("pairing-answer")
    saved = SurveyResponse.objects.get()
    assert (saved.match_score, saved.progress_score, saved.shared) == (4, 5, False)

    surveys.get_by_role("button", name="Share with the other side").click()
    expect(page.locator("#surveys")).to_contain_text("Shared with the other side")
    shot("pairing-shared")
    saved.refresh_from_db()
    assert saved.shared
    # Answered: the dashboard no longer asks.
    page.goto(f"{base}/goals/dashboard/")
    expect(page.locator(".survey-prompts")).to_have_count(0)
