"""A program run end to end in a real Chromium: the admin creates a program and invites a
mentor and a mentee; the mentor joins with the account they have, the mentee signs up through
allauth; the admin pairs them from the suggestions; both accept the agreement; the mentor logs
a check-in. Every page is saved as a screenshot in the test's output folder."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from mentorship.models import CheckIn, Membership, Pairing, PairingStatus, Program, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def invitation_link(email: str) -> str:
    messages = [m for m in mail.outbox if email in m.to]
    assert len(messages) == 1, [m.to for m in mail.outbox]
    return re.search(r"https?://\S+/invitations/[\w-]+/", messages[0].body).group(0)


def log_in(page, email, password):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.parametrize("width", [1280, 375])
def test_admin_runs_a_program(page, live_server, output_path, admin, settings, width):
    existing = UserFactory(
        email=f"kenji.{width}@example.com", name="Kenji Watanabe", timezone="Asia/Tokyo"
    )
    newcomer = f"lena.{width}@example.com"
    shots = iter(range(1, 100))

    def shot(p, name):
        p.screenshot(path=f"{output_path}/{next(shots):02d}-{name}.png", full_page=True)

    def new_page():
        context = page.context.browser.new_context(viewport={"width": width, "height": 900})
        return context.new_page()

    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    # Links in e-mails are absolute, built from SITE_URL: point them at this server.
    settings.SITE_URL = base

    # 1. The admin logs in, lands on their programs and creates a new one.
    page.goto(f"{base}/accounts/login/")
    log_in(page, admin.email, PASSWORD)
    expect(page.get_by_role("heading", name="Programs you run")).to_be_visible()
    shot(page, "admin-programs")
    page.get_by_role("link", name="New program").click()
    page.locator("#id_name").fill("Autumn Circle")
    page.locator("#id_slug").fill(f"autumn-{width}")
    page.locator("#id_checkin_cadence_days").fill("7")
    page.locator("#id_stall_after_days").fill("21")
    page.locator("#id_starts_on").fill("2026-09-01")
    shot(page, "program-form")
    page.get_by_role("button", name="Create program").click()
    expect(page.get_by_text("Program “Autumn Circle” created.")).to_be_visible()
    shot(page, "program-dashboard-empty")
    program = Program.objects.get(slug=f"autumn-{width}")

    # 2. Two invitations.
    page.get_by_role("link", name="Invite", exact=True).click()
    for email, role in ((existing.email, "mentor"), (newcomer, "mentee")):
        page.locator("#id_email").fill(email)
        page.locator("#id_role").select_option(role)
        page.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_text(f"Invitation sent to {email}")).to_be_visible()
    shot(page, "invitations-sent")

    # 3. The mentor opens the link and joins with the account they have.
    mentor_page = new_page()
    mentor_page.goto(invitation_link(existing.email))
    expect(mentor_page.get_by_role("heading", name="Join Autumn Circle")).to_be_visible()
    shot(mentor_page, "mentor-invitation")
    mentor_page.get_by_role("link", name="Log in to accept").click()
    log_in(mentor_page, existing.email, PASSWORD)
    mentor_page.get_by_role("button", name="Join as Mentor").click()
    expect(mentor_page.get_by_text("Welcome to Autumn Circle")).to_be_visible()
    shot(mentor_page, "mentor-joined")

    # 4. The mentee opens the link and signs up; the address needs no second confirmation.
    mentee_page = new_page()
    mentee_page.goto(invitation_link(newcomer))
    shot(mentee_page, "mentee-invitation")
    mentee_page.get_by_role("link", name="Create your account and join").click()
    expect(mentee_page.get_by_label("Email")).to_have_value(newcomer)
    mentee_page.get_by_label("Your name").fill("Lena Fischer")
    mentee_page.get_by_label("Password", exact=False).first.fill(NEW_PASSWORD)
    mentee_page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    shot(mentee_page, "mentee-signup")
    mentee_page.get_by_role("button", name="Sign Up").click()
    # One link: signed up, she is in the program without another click.
    expect(mentee_page.get_by_text("Welcome to Autumn Circle")).to_be_visible()
    shot(mentee_page, "mentee-joined")
    assert Membership.objects.filter(
        program=program, role=Role.MENTEE, user__email=newcomer
    ).exists()

    # 5. The admin pairs them from the suggestions.
    page.goto(f"{base}/programs/{program.uuid}/")
    expect(page.get_by_role("heading", name="Unpaired mentees")).to_be_visible()
    shot(page, "dashboard-unpaired")
    page.get_by_role("link", name="Find a mentor").click()
    expect(page.get_by_text("Mentors for Lena Fischer")).to_be_visible()
    shot(page, "suggestions")
    page.get_by_role("button", name="Pair with Kenji Watanabe").click()
    expect(page.get_by_text("are paired")).to_be_visible()
    shot(page, "pairing-proposed")
    pairing = Pairing.objects.get(program=program)
    assert pairing.status == PairingStatus.PROPOSED

    # 6. Both accept the agreement, each from their list of mentorships.
    for p, name in ((mentor_page, "mentor"), (mentee_page, "mentee")):
        p.goto(f"{base}/mentorships/")
        shot(p, f"{name}-mentorships")
        p.locator(f'a[href="/pairings/{pairing.uuid}/"]').click()
        p.get_by_role("button", name="Accept the agreement").click()
        expect(p.get_by_text("accepted", exact=False).first).to_be_visible()
        shot(p, f"{name}-accepted")
    expect(mentee_page.get_by_text("the mentorship is active")).to_be_visible()
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ACTIVE

    # 7. The mentor logs a check-in; it appears on the timeline.
    mentor_page.reload()
    mentor_page.get_by_label("Summary").fill(
        "Agreed on a first goal: a 10-minute talk at the team meeting."
    )
    mentor_page.get_by_label("Next steps").fill("Draft the outline.")
    mentor_page.get_by_role("button", name="Log check-in").click()
    expect(mentor_page.get_by_text("Check-in logged.")).to_be_visible()
    expect(mentor_page.locator("#checkin-timeline")).to_contain_text("a 10-minute talk")
    shot(mentor_page, "checkin-logged")
    checkin = CheckIn.objects.get(pairing=pairing)
    assert checkin.logged_by == existing

    # The admin sees the pairing with its history.
    page.goto(f"{base}/pairings/{pairing.uuid}/")
    expect(page.locator("#events")).to_contain_text("Meeting logged")
    shot(page, "admin-pairing")
    for p in (mentor_page, mentee_page):
        p.context.close()
