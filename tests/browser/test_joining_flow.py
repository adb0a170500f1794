"""From sign-up to approved member in a real Chromium: a person signs up on her own, finds the
programs open to new people (an invite-only one is not among them), applies; the admin
approves from the program's queue; she is a member, sees her first steps on her dashboard and
the answer in her inbox and her e-mail. Every page is saved as a screenshot in the test's
output folder."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from mentorship.models import Application, JoinPolicy, Membership, Role
from tests.factories import PASSWORD, MembershipFactory, ProgramFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def log_in(page, email, password):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.parametrize("width", [1280, 375])
def test_sign_up_apply_and_be_approved(page, live_server, output_path, settings, width):
    settings.SITE_URL = live_server.url
    base = live_server.url
    program = ProgramFactory(
        name="Northwind Mentoring Circle",
        slug=f"northwind-{width}",
        join_policy=JoinPolicy.APPROVAL,
        description="A six-month program pairing experienced colleagues with early-career "
        "ones. Pairs meet every two weeks.",
    )
    ProgramFactory(name="Board Members Circle", slug=f"board-{width}")  # invite only
    admin = UserFactory(email=f"priya.{width}@example.com", name="Priya Raman")
    MembershipFactory(program=program, user=admin, role=Role.ADMIN)
    email = f"maya.{width}@example.com"
    shots = iter(range(1, 100))

    def shot(p, name):
        p.screenshot(path=f"{output_path}/{next(shots):02d}-{name}.png", full_page=True)

    page.set_viewport_size({"width": width, "height": 900})

    # 1. She signs up and confirms her address.
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Your name").fill("Maya Chen")
    page.get_by_label("Password", exact=False).first.fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    [message] = [m for m in mail.outbox if email in m.to]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    log_in(page, email, NEW_PASSWORD)

    # 2. In no program yet: the programs she may join.
    expect(page.get_by_role("heading", name="Welcome, Maya Chen")).to_be_visible()
    expect(page.get_by_text("You are not part of a mentoring program yet.")).to_be_visible()
    expect(page.get_by_role("heading", name="Northwind Mentoring Circle")).to_be_visible()
    expect(page.get_by_text("Pairs meet every two weeks.")).to_be_visible()
    expect(page.get_by_text("Board Members Circle")).to_have_count(0)
    shot(page, "joinable-programs")

    # 3. She applies as a mentee.
    page.get_by_role("link", name="Apply to Northwind Mentoring Circle").click()
    expect(page.get_by_role("heading", name="Apply to Northwind Mentoring Circle")).to_be_visible()
    page.get_by_label("Mentee: I want to learn and grow with a mentor").check()
    page.get_by_label("What do you hope to get out of it?").fill(
        "I lead my first team next spring and want to run better meetings."
    )
    page.get_by_label("Skills you can offer").fill("data analysis, sql")
    page.get_by_label("What you want to learn").fill("leadership, public speaking")
    shot(page, "application-form")
    page.get_by_role("button", name="Send my application").click()
    sent = page.get_by_text("Your application to Northwind Mentoring Circle is sent.")
    expect(sent).to_be_visible()
    expect(page.get_by_text("Applied as mentee, waiting")).to_be_visible()
    shot(page, "application-sent")
    assert not Membership.objects.filter(user__email=email).exists()

    # 4. The admin approves it from the queue the dashboard links to.
    admin_page = page.context.browser.new_context(
        viewport={"width": width, "height": 900}
    ).new_page()
    admin_page.goto(f"{base}/accounts/login/")
    log_in(admin_page, admin.email, PASSWORD)
    admin_page.goto(f"{base}/programs/{program.uuid}/")
    expect(admin_page.get_by_text("Set up the program")).to_be_visible()
    shot(admin_page, "admin-dashboard")
    admin_page.get_by_role("link", name="1 application waiting for approval").click()
    expect(admin_page.get_by_text("1 application waiting for your answer")).to_be_visible()
    expect(admin_page.get_by_text("I lead my first team next spring")).to_be_visible()
    shot(admin_page, "admin-queue")
    admin_page.get_by_role("button", name="Approve Maya Chen").click()
    expect(
        admin_page.get_by_text("Maya Chen is now a mentee in Northwind Mentoring Circle.")
    ).to_be_visible()
    shot(admin_page, "admin-approved")
    membership = Membership.objects.get(user__email=email, program=program)
    assert (membership.role, membership.skills) == (Role.MENTEE, "data analysis, sql")
    assert Application.objects.get(user__email=email).decided_by == admin

    # 5. She is a member: her dashboard shows her first steps; the inbox and e-mail the answer.
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="My dashboard")).to_be_visible()
    expect(page.get_by_text("First steps in Northwind Mentoring Circle")).to_be_visible()
    expect(page.get_by_role("link", name="Create your first goal")).to_be_visible()
    shot(page, "mentee-checklist")
    page.goto(f"{base}/notifications/")
    expect(
        page.get_by_text("Your application to Northwind Mentoring Circle was approved")
    ).to_be_visible()
    shot(page, "inbox")
    answers = [m for m in mail.outbox if email in m.to and "approved" in m.subject]
    assert len(answers) == 1
    assert "You are now a mentee in Northwind Mentoring Circle." in answers[0].body
    page.goto(answers[0].alternatives[0][0].split('href="')[1].split('"')[0])
    expect(page.get_by_role("heading", name="My dashboard")).to_be_visible()

    # 6. She hides the checklist; it stays hidden.
    page.get_by_role("button", name="Hide this checklist").click()
    expect(page.get_by_text("Checklist closed.")).to_be_visible()
    page.reload()
    expect(page.get_by_text("First steps in Northwind Mentoring Circle")).to_have_count(0)
    shot(page, "checklist-hidden")
