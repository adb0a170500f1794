"""Sign-up takes the browser's time zone, and the profile page offers it again when it
differs from the saved one; a person writes a profile and sees their card. In a real
Chromium whose clock is in São Paulo (Playwright's timezone_id), against a live server."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Profile, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"
BROWSER_ZONE = "America/Sao_Paulo"


@pytest.mark.parametrize("width", [1280, 375])
def test_sign_up_stores_the_browsers_zone_and_the_profile_offers_it(
    browser, live_server, output_path, width
):
    context = browser.new_context(
        timezone_id=BROWSER_ZONE, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    shots = iter(range(1, 100))

    def shot(name):
        page.screenshot(path=f"{output_path}/{next(shots):02d}-{name}.png", full_page=True)

    email = f"rafa.{width}@example.com"
    page.goto(f"{live_server.url}/accounts/signup/")
    # The hidden field is filled from Intl.DateTimeFormat() once the page's script runs.
    expect(page.locator("input[name=timezone]")).to_have_value(BROWSER_ZONE)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Your name").fill("Rafaela Souza")
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    shot("signup")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    user = User.objects.get(email=email)
    assert (
        user.timezone
        == BROWSER_ZONE
        == page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    )

    [message] = [m for m in mail.outbox if email in m.to]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Welcome, Rafaela Souza")).to_be_visible()

    # Same zone as the browser: no offer.
    page.goto(f"{live_server.url}/profile/")
    expect(page.get_by_label("Headline")).to_be_visible()
    expect(page.locator("#timezone-offer")).to_be_hidden()

    # She writes her profile (and, travelling, sets another zone by hand).
    page.get_by_label("Time zone").fill("Europe/Lisbon")
    page.get_by_label("Headline").fill("Designer moving into research")
    page.get_by_label("What you can offer").fill("figma, workshops")
    page.get_by_label("What you want to learn").fill("interviewing")
    page.get_by_label("Portuguese").check()
    page.get_by_label("English", exact=True).check()
    page.get_by_label("Evening").check()
    page.get_by_label("Link").fill("https://www.linkedin.com/in/rafaela")
    shot("profile-form")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile has been saved.")).to_be_visible()
    profile = Profile.objects.get(user__email=email)
    assert profile.languages == ["en", "pt"] and profile.meeting_times == ["evening"]
    assert profile.offers == "figma, workshops"

    # The browser is still in São Paulo: the page offers it back, one click.
    offer = page.locator("#timezone-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text(BROWSER_ZONE)
    shot("timezone-offer")
    offer.get_by_role("button").click()
    expect(page.get_by_text(f"Your time zone is now {BROWSER_ZONE}.")).to_be_visible()
    expect(page.locator("#timezone-offer")).to_be_hidden()
    assert User.objects.get(email=email).timezone == BROWSER_ZONE

    page.get_by_role("link", name="See your profile card").click()
    card = page.locator(".profile-card")
    expect(card).to_contain_text("Designer moving into research")
    expect(card).to_contain_text("English, Portuguese")
    shot("card")
    context.close()
