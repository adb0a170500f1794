"""A person signs up, confirms the address from the e-mail, logs in, sets the time zone and
logs out, in a real Chromium against a live server. Each page is saved as a screenshot in the
test's output folder (test-results/...)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"


@pytest.mark.parametrize("width", [1280, 375])
def test_sign_up_verify_log_in_set_timezone_log_out(page, live_server, output_path, width):
    email = f"lena.{width}@example.com"
    page.set_viewport_size({"width": width, "height": 900})
    shots = iter(range(1, 100))

    def shot(name):
        page.screenshot(path=f"{output_path}/{next(shots):02d}-{name}.png", full_page=True)

    page.goto(f"{live_server.url}/accounts/signup/")
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Your name").fill("Lena Fischer")
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    shot("signup")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    shot("verification-sent")

    messages = [m for m in mail.outbox if email in m.to]
    assert len(messages) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", messages[0].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    shot("confirm-email")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("You have confirmed")).to_be_visible()

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    shot("login")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Welcome, Lena Fischer")).to_be_visible()
    shot("home")

    page.goto(f"{live_server.url}/profile/")
    timezone_box = page.get_by_label("Time zone")
    timezone_box.fill("Asia/Kolkata")
    shot("profile")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile has been saved.")).to_be_visible()
    expect(page.get_by_text("Times shown in Asia/Kolkata")).to_be_visible()
    shot("profile-saved")
    assert User.objects.get(email=email).timezone == "Asia/Kolkata"

    # Log out through the navigation menu; on a phone it sits behind the menu button.
    toggler = page.get_by_role("button", name="Toggle navigation")
    if toggler.is_visible():
        # The button and the site name share one line at this width.
        brand = page.locator(".navbar-brand").bounding_box()
        button = toggler.bounding_box()
        assert abs(brand["y"] - button["y"]) < button["height"]
        toggler.click()
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.get_by_role("button", name="Lena Fischer").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    shot("menu")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    expect(page.get_by_role("heading", name="Mentoring that moves goals forward")).to_be_visible()
    shot("logged-out")
