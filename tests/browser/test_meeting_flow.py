"""A pair's meeting in a real Chromium, at 1280 and 375 px: the mentor proposes two times,
the mentee picks one and adds to the agenda; after the meeting the mentor logs it with two
action items and is offered to schedule the next one; the mentee ticks hers off and finds
the other on the next agenda. Screenshots of every step go to the test's output folder."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentorship.models import ActionItem, CheckIn, Meeting, MeetingStatus
from tests.factories import PASSWORD, AgreementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url, email):
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name="Log in")).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 375])
def test_meeting_flow(page, live_server, output_path, width, mentee, mentor, pairing):
    AgreementFactory(pairing=pairing)
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    pairing_url = f"{base}/pairings/{pairing.uuid}/"
    shots = iter(range(1, 100))
    csp_errors = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    def shot(name):
        page.screenshot(path=f"{output_path}/{next(shots):02d}-{name}.png", full_page=True)

    # The mentor proposes two times (her clock: UTC).
    first = (timezone.now() + timedelta(days=2)).replace(hour=16, minute=0, second=0)
    second = first + timedelta(days=1)
    log_in(page, base, mentor.email)
    page.goto(pairing_url)
    expect(page.get_by_role("heading", name="Meetings")).to_be_visible()
    shot("pairing-before")
    page.get_by_role("link", name="Propose a meeting").click()
    expect(page.locator("#cadence-hint")).to_be_visible()
    page.get_by_label("Time 1").fill(first.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Time 2 (optional)").fill(second.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Length (minutes)").fill("30")
    page.get_by_label("Place or video link").fill("https://meet.example.org/maria-mia")
    shot("propose")
    page.get_by_role("button", name="Propose the meeting").click()
    expect(page.get_by_text("Meeting proposed")).to_be_visible()
    expect(page.locator("#candidates li")).to_have_count(2)
    meeting = Meeting.objects.get(pairing=pairing)

    # The mentee picks the first time and adds a point to the agenda.
    log_in(page, base, mentee.email)
    page.goto(pairing_url)
    page.get_by_role("link", name="2 times proposed").click()
    shot("pick")
    page.get_by_role("button", name="Pick this time").first.click()
    expect(page.get_by_text("Meeting confirmed")).to_be_visible()
    expect(page.locator("#meeting-status")).to_have_text("Confirmed")
    page.get_by_label("Add a point").fill("Outline of the team talk")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#agenda-items")).to_contain_text("Outline of the team talk")
    shot("agenda")
    page.goto(pairing_url)
    expect(page.locator("#next-meeting")).to_be_visible()
    expect(page.locator("#meetings")).to_contain_text("Outline of the team talk")
    shot("pairing-next-meeting")

    # The meeting takes place (its start moved to an hour ago), and the mentor logs it.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    log_in(page, base, mentor.email)
    page.goto(pairing_url)
    page.get_by_role("link", name="Log the meeting").click()
    expect(page.get_by_label("Notes")).to_have_value("- Outline of the team talk")
    page.get_by_label("Notes").fill("- Outline of the team talk\nThe middle part runs long.")
    page.locator("#id_action_1_title").fill("Draft the slides")
    page.locator("#id_action_1_owner").select_option(label=mentee.display_name)
    page.locator("#id_action_1_due").fill((timezone.localdate() + timedelta(days=4)).isoformat())
    page.locator("#id_action_2_title").fill("Send two example talks")
    page.locator("#id_action_2_owner").select_option(label=mentor.display_name)
    shot("log")
    page.get_by_role("button", name="Log the meeting").click()
    expect(page.get_by_role("heading", name="Schedule the next meeting")).to_be_visible()
    shot("schedule-next")
    assert CheckIn.objects.filter(pairing=pairing).count() == 1
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.DONE
    # The next one, at the day the cadence suggests.
    page.get_by_role("button", name="Propose the meeting").click()
    expect(page.get_by_text("Meeting proposed")).to_be_visible()

    # The mentee ticks her action item off; the other is on the next agenda.
    log_in(page, base, mentee.email)
    page.goto(pairing_url)
    expect(page.locator("#meetings")).to_contain_text("Draft the slides")
    expect(page.locator("#meetings")).to_contain_text("Send two example talks")
    page.locator("#meetings li", has_text="Draft the slides").get_by_role("button").click()
    expect(page.get_by_text("Action item done.")).to_be_visible()
    expect(page.locator("#meetings")).not_to_contain_text("Draft the slides")
    assert ActionItem.objects.get(title="Draft the slides").done_at is not None
    shot("ticked")
    page.get_by_role("link", name="1 time proposed").click()
    expect(page.locator("#action-items")).to_contain_text("Send two example talks")
    expect(page.locator("#action-items")).not_to_contain_text("Draft the slides")
    shot("next-agenda")
    assert not csp_errors
