"""A cohort ended and the next one started, in a real Chromium: the admin reads what ending
does, ends it (the pair's pairing closes), then starts the next cohort, which links back to
it and invites the mentor by e-mail. Every page is saved as a screenshot in the test's output
folder."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from mentorship.models import Invitation, Membership, Pairing, PairingStatus, Program, Role
from tests.factories import PASSWORD, AgreementFactory, PairingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email, password):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.parametrize("width", [1280, 375])
def test_admin_ends_a_cohort_and_starts_the_next(
    page, live_server, output_path, program, admin, mentor, mentee, settings, width
):
    pairing = PairingFactory(program=program, mentor=mentor, mentee=mentee)
    AgreementFactory(pairing=pairing)
    shots = iter(range(1, 100))

    def shot(name):
        page.screenshot(path=f"{output_path}/{next(shots):02d}-{name}.png", full_page=True)

    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    settings.SITE_URL = base

    # 1. The admin opens the program and reads what ending the cohort does.
    page.goto(f"{base}/accounts/login/")
    log_in(page, admin.email, PASSWORD)
    # 0. Its settings: the agreement template and the goal templates its mentees are offered.
    page.goto(f"{base}/programs/{program.uuid}/edit/")
    page.locator("#id_agreement_expectations").fill("Bring one question each time.")
    page.get_by_label("Leadership").check()
    page.get_by_label("Communication").check()
    shot("settings-templates")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Program settings saved.")).to_be_visible()
    shot("dashboard")
    page.get_by_role("link", name="End this cohort").click()
    effects = page.locator("#cohort-end-effects")
    expect(effects).to_contain_text("1 open pairing")
    expect(effects).to_contain_text("close-out survey")
    expect(effects).to_contain_text("keep read access to their history")
    shot("end-confirm")

    # 2. An empty reason is refused on the form; then the cohort ends.
    page.locator("#id_reason").fill("")
    page.get_by_role("button", name="End this cohort").click()
    expect(page.get_by_text("This field is required.", exact=True)).to_be_visible()
    page.locator("#id_reason").fill("The spring cohort ended")
    page.get_by_role("button", name="End this cohort").click()
    expect(page.get_by_text("1 open pairing was closed.")).to_be_visible()
    expect(page.locator("#cohort-ended")).to_contain_text("Ended on")
    expect(page.get_by_role("link", name="End this cohort")).to_have_count(0)
    shot("dashboard-ended")
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENDED
    assert pairing.end_reason == "The spring cohort ended"

    # 3. The next cohort: its name, short name and dates; the mentor is invited.
    page.get_by_role("link", name="Start the next cohort").click()
    expect(page.locator("#next-cohort-effects")).to_contain_text("1 mentor is invited")
    page.locator("#id_name").fill("Northwind Circle, autumn")
    page.locator("#id_slug").fill(f"northwind-autumn-{width}")
    page.locator("#id_starts_on").fill("2027-09-01")
    page.locator("#id_ends_on").fill("2028-02-28")
    shot("next-cohort-form")
    page.get_by_role("button", name="Start the next cohort").click()
    expect(page.get_by_text("1 mentor of Northwind Circle was invited")).to_be_visible()
    expect(page.locator("#cohort-line")).to_contain_text("Previous cohort: Northwind Circle")
    shot("next-cohort-dashboard")
    new = Program.objects.get(slug=f"northwind-autumn-{width}")
    assert new.previous_cohort_id == program.pk
    assert new.agreement_expectations == "Bring one question each time."
    assert sorted(new.goal_template_keys) == ["communication", "leadership"]
    assert Invitation.objects.filter(program=new, email=mentor.email, role=Role.MENTOR).exists()
    assert not Membership.objects.filter(program=new, user=mentor).exists()
    assert not Pairing.objects.filter(program=new).exists()
    assert any(mentor.email in m.to and new.name in m.subject for m in mail.outbox)

    # 4. The old cohort links forward to the new one.
    page.get_by_role("link", name="Northwind Circle", exact=True).click()
    expect(page.locator("#cohort-line")).to_contain_text("Next cohort: Northwind Circle, autumn")
    shot("old-cohort-links-forward")
