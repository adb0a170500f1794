"""Two people talk in their pairing's conversation in a real Chromium, each in a browser of
their own: the mentee writes, the mentor sees the message arrive without reloading and the
unread count in the navigation, answers, and the mentee sees the answer arrive. Every step
is saved as a screenshot in the test's output folder."""

import pytest
from playwright.sync_api import expect

from mentorship.models import Role
from tests.factories import (
    PASSWORD,
    AgreementFactory,
    MembershipFactory,
    PairingFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.parametrize("width", [1280, 375])
def test_two_people_exchange_messages(browser, live_server, output_path, settings, width):
    settings.SITE_URL = live_server.url
    base = live_server.url
    program = ProgramFactory(name="Northwind Mentoring Circle", slug=f"northwind-{width}")
    mentor = UserFactory(email=f"maria.{width}@example.com", name="Maria Lopez")
    mentee = UserFactory(email=f"mia.{width}@example.com", name="Mia Chen")
    MembershipFactory(program=program, user=mentor, role=Role.MENTOR, capacity=3)
    MembershipFactory(program=program, user=mentee, role=Role.MENTEE)
    pairing = PairingFactory(program=program, mentor=mentor, mentee=mentee)
    AgreementFactory(pairing=pairing)
    thread = f"{base}/pairings/{pairing.uuid}/conversation/"
    shots = iter(range(1, 100))

    def shot(p, name):
        p.screenshot(path=f"{output_path}/{next(shots):02d}-{name}.png", full_page=True)

    viewport = {"width": width, "height": 900}
    mia = browser.new_context(viewport=viewport).new_page()
    maria = browser.new_context(viewport=viewport).new_page()
    log_in(mia, base, mentee.email)
    log_in(maria, base, mentor.email)

    # 1. Both open the conversation: empty so far.
    mia.goto(thread)
    expect(mia.get_by_role("heading", name="Conversation with Maria Lopez")).to_be_visible()
    maria.goto(thread)
    expect(maria.get_by_text("No messages yet.")).to_be_visible()
    shot(mia, "empty-thread")

    # 2. Mia writes; her message shows at once, and arrives at Maria's without a reload.
    mia.get_by_role("textbox", name="Message").fill(
        "Hi Maria! Could we look at my talk outline on Thursday?"
    )
    mia.get_by_role("button", name="Send").click()
    expect(mia.locator("#messages").get_by_text("Could we look at my talk outline")).to_be_visible()
    expect(mia.get_by_role("textbox", name="Message")).to_have_value("")
    expect(
        maria.locator("#messages").get_by_text("Could we look at my talk outline")
    ).to_be_visible(timeout=10_000)
    expect(maria.locator("#messages .badge", has_text="new")).to_be_visible()
    shot(maria, "message-arrives")

    # 3. Maria answers; it arrives at Mia's.
    maria.get_by_role("textbox", name="Message").fill(
        "Yes, Thursday works. Bring two examples <b>please</b>."
    )
    maria.get_by_role("button", name="Send").click()
    expect(mia.locator("#messages").get_by_text("Bring two examples <b>please</b>.")).to_be_visible(
        timeout=10_000
    )
    shot(mia, "answer-arrives")

    # 4. Elsewhere in the site, the unread count waits in the navigation until read.
    mia.get_by_role("textbox", name="Message").fill("Great, see you then.")
    mia.get_by_role("button", name="Send").click()
    expect(maria.locator("#messages").get_by_text("Great, see you then.")).to_be_visible(
        timeout=10_000
    )
    mia.get_by_role("textbox", name="Message").fill("One more thing: I'll send the slides tonight.")
    mia.get_by_role("button", name="Send").click()
    expect(mia.locator("#messages").get_by_text("I'll send the slides tonight.")).to_be_visible()
    maria.goto(f"{base}/mentorships/")
    if width < 768:
        maria.get_by_role("button", name="Toggle navigation").click()
    badge = maria.locator("nav [data-unread-messages]")
    expect(badge).to_have_attribute("data-unread-messages", "1")
    shot(maria, "unread-in-navigation")
    maria.goto(thread)
    expect(maria.get_by_text("I'll send the slides tonight.")).to_be_visible()
    expect(maria.locator("nav [data-unread-messages]")).to_have_count(0)
    shot(maria, "thread-read")
    mia.context.close()
    maria.context.close()
