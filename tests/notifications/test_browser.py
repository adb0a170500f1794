"""The inbox and the notification settings in a real Chromium, at 1280 and 375 px: mark one
read with htmx (the navigation's count follows), save settings, no horizontal scrolling and
no Content-Security-Policy complaints."""

import pytest
from playwright.sync_api import expect

from notifications.kinds import Kind
from notifications.models import FeedbackMode, Preferences
from notifications.services import notify
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url, email):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name="Log in")).to_have_count(0)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 375])
def test_inbox_and_settings(page, live_server, output_path, width, mentee):
    page.set_viewport_size({"width": width, "height": 900})
    csp = []
    page.on(
        "console",
        lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    for i, title in enumerate(
        ["Check-in with Maria Mentor due tomorrow", "Maria Mentor commented on “Speak up”"]
    ):
        notify(
            recipient=mentee,
            kind=Kind.FEEDBACK,
            dedupe_key=f"b{i}",
            title=title,
            body="A longer explanation " * 8,
            url="/",
            send_email=False,
        )
    base = live_server.url
    log_in(page, base, mentee.email)

    page.goto(f"{base}/notifications/")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.locator("[data-unread-count]")).to_have_attribute("data-unread-count", "2")
    assert no_horizontal_scroll(page)
    page.screenshot(path=f"{output_path}/inbox.png", full_page=True)

    page.get_by_role("button", name="Mark read").first.click()
    expect(page.get_by_role("button", name="Mark read")).to_have_count(1)
    expect(page.locator("[data-unread-count]")).to_have_attribute("data-unread-count", "1")

    page.goto(f"{base}/notifications/preferences/")
    assert no_horizontal_scroll(page)
    page.get_by_label("Send each one straight away").check()
    page.get_by_label("Weekly digest day").select_option(label="Friday")
    page.get_by_label("Quiet hours from").select_option(label="22:00")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("both the start and the end")).to_be_visible()  # until missing
    page.get_by_label("Quiet hours until").select_option(label="07:00")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your notification settings have been saved.")).to_be_visible()
    page.screenshot(path=f"{output_path}/settings.png", full_page=True)
    prefs = Preferences.objects.get(user=mentee)
    assert prefs.feedback_mode == FeedbackMode.INSTANT and prefs.digest_weekday == 4
    assert (prefs.quiet_hours_start, prefs.quiet_hours_end) == (22, 7)
    assert csp == []
