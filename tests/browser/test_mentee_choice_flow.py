"""A mentee choosing her mentor, in a real Chromium: in a program where mentees choose, she
follows her checklist to her best-matched mentors (why each matches, their skills; a full one
cannot be asked), asks one with a message; the mentor opens the request from the inbox, sees
her message and a summary of her goals, and accepts; both land on their new, proposed
pairing. Every page is saved as a screenshot in the test's output folder."""

import pytest
from playwright.sync_api import expect

from mentorship.models import MentorRequest, MentorRequestStatus, Pairing, PairingStatus, Role
from tests.factories import PASSWORD, GoalFactory, MembershipFactory, ProgramFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_mentee_asks_and_the_mentor_accepts(page, live_server, output_path, settings, width):
    settings.SITE_URL = live_server.url
    base = live_server.url
    program = ProgramFactory(
        name="Northwind Mentoring Circle", slug=f"northwind-{width}", mentees_choose=True
    )
    admin = UserFactory(email=f"priya.{width}@example.com", name="Priya Raman")
    MembershipFactory(program=program, user=admin, role=Role.ADMIN)
    ben = UserFactory(email=f"ben.{width}@example.com", name="Ben Carter")
    MembershipFactory(program=program, user=ben, role=Role.MENTEE, interests="communication")
    GoalFactory(mentee=ben, program=program, category="communication")
    ana = UserFactory(email=f"ana.{width}@example.com", name="Ana Okafor")
    MembershipFactory(
        program=program,
        user=ana,
        role=Role.MENTOR,
        capacity=3,
        skills="leadership, public speaking, communication",
    )
    kenji = UserFactory(email=f"kenji.{width}@example.com", name="Kenji Watanabe")
    MembershipFactory(program=program, user=kenji, role=Role.MENTOR, capacity=0, skills="python")
    shots = iter(range(1, 100))

    def shot(p, name):
        p.screenshot(path=f"{output_path}/{next(shots):02d}-{name}.png", full_page=True)

    page.set_viewport_size({"width": width, "height": 900})

    # 1. Ben's dashboard: his checklist leads to choosing a mentor.
    log_in(page, base, ben.email)
    expect(page.get_by_role("heading", name="My dashboard")).to_be_visible()
    shot(page, "mentee-dashboard")
    page.get_by_role("link", name="Choose your mentor").click()

    # 2. His suggestions: why each matches and their skills; Kenji is full.
    expect(page.get_by_role("heading", name="Choose your mentor")).to_be_visible()
    expect(page.get_by_text("Shares: communication")).to_be_visible()
    expect(page.get_by_text("No free place")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(1)
    shot(page, "suggestions")
    page.get_by_role("radio").check()
    page.get_by_label("A few words to the mentor (optional)").fill(
        "I present to customers next quarter and freeze up. Could you help me practise?"
    )
    shot(page, "asking")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_text("Your request is sent to Ana Okafor")).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw my request")).to_be_visible()
    shot(page, "request-sent")
    assert MentorRequest.objects.get().status == MentorRequestStatus.PENDING

    # 3. Ana finds the request in her inbox, reads it, and accepts.
    mentor_page = page.context.browser.new_context(
        viewport={"width": width, "height": 900}
    ).new_page()
    log_in(mentor_page, base, ana.email)
    mentor_page.goto(f"{base}/notifications/")
    mentor_page.get_by_text("Ben Carter asks you to be their mentor").first.click()
    expect(mentor_page.get_by_text("I present to customers next quarter")).to_be_visible()
    expect(mentor_page.get_by_text("1 open goal, in: Communication.")).to_be_visible()
    shot(mentor_page, "mentor-reads-request")
    mentor_page.get_by_role("button", name="Accept").click()
    expect(mentor_page.get_by_text("You are now paired with Ben Carter.")).to_be_visible()
    shot(mentor_page, "mentor-paired")
    pairing = Pairing.objects.get(mentee=ben)
    assert pairing.mentor == ana and pairing.status == PairingStatus.PROPOSED

    # 4. Ben's page says he has a mentor; his pairing waits for both to accept the agreement.
    page.reload()
    expect(page.get_by_text("Accepted", exact=False).first).to_be_visible()
    shot(page, "mentee-request-accepted")
    page.goto(f"{base}/pairings/{pairing.uuid}/")
    shot(page, "mentee-pairing")
