"""The needs-attention list in a real Chromium: the admin follows the dashboard's count to the
list, snoozes one occasion and sends a nudge with a message about another. Screenshots at
1280 and 375 px are saved in the test's output folder (and under /tmp/nudges/ when it
exists)."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentorship.models import Agreement, Membership, Nudge, PairingStatus, Role
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import PASSWORD, MembershipFactory, PairingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def world(program, admin, width):
    mentor = UserFactory(email=f"kenji.{width}@example.com", name="Kenji Watanabe")
    MembershipFactory(program=program, user=mentor, role=Role.MENTOR)
    ben = UserFactory(email=f"ben.{width}@example.com", name="Ben Waiting")
    MembershipFactory(program=program, user=ben, role=Role.MENTEE)
    priya = UserFactory(email=f"priya.{width}@example.com", name="Priya Proposed")
    proposed = PairingFactory(
        program=program, mentor=mentor, mentee=priya, status=PairingStatus.PROPOSED
    )
    Agreement.objects.create(pairing=proposed)
    PairingFactory(
        program=program,
        mentor=mentor,
        mentee=UserFactory(email=f"omar.{width}@example.com", name="Omar Quiet"),
        started_on=timezone.localdate() - timedelta(days=30),
    )
    Membership.objects.filter(program=program).update(joined_at=timezone.now() - timedelta(days=10))
    proposed.__class__.objects.filter(pk=proposed.pk).update(
        created_at=timezone.now() - timedelta(days=6)
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_admin_snoozes_and_nudges_from_the_needs_attention_list(
    page, live_server, output_path, program, admin, width
):
    world(program, admin, width)
    shots = iter(range(1, 100))
    copies = "/tmp/nudges" if os.path.isdir("/tmp/nudges") else None

    def shot(name):
        path = f"{output_path}/{next(shots):02d}-{name}.png"
        page.screenshot(path=path, full_page=True)
        if copies:
            page.screenshot(path=f"{copies}/{width}-{name}.png", full_page=True)

    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{base}/programs/{program.uuid}/")
    link = page.locator("#attention-link")
    expect(link).to_have_text("3 need attention")
    shot("dashboard")
    link.click()
    expect(page.locator("#attention-count")).to_have_text("3")
    shot("attention")

    # Snooze the waiting mentee for five days.
    ben = page.locator(".attention-item", has_text="Ben Waiting")
    ben.locator("input[name=days]").fill("5")
    ben.get_by_role("button", name="Snooze").click()
    expect(page.locator(".alert-success")).to_contain_text("Snoozed until")
    expect(page.locator("#attention-count")).to_have_text("2")
    expect(page.locator("#snoozed-list")).to_contain_text("Ben Waiting")

    # A nudge with a message to Kenji and Priya, who have not accepted.
    proposal = page.locator("#attention-list .attention-item", has_text="Priya Proposed")
    proposal.locator("textarea[name=message]").fill("Please read the agreement this week.")
    proposal.get_by_role("button", name="Send nudge").click()
    expect(page.locator(".alert-success")).to_contain_text("Nudge sent.")
    expect(
        page.locator("#attention-list .attention-item", has_text="Priya Proposed")
    ).to_contain_text("Please read the agreement this week.")
    shot("after-snooze-and-nudge")

    # An empty message is a form error, shown on its item.
    quiet = page.locator("#attention-list .attention-item", has_text="Omar Quiet")
    quiet.get_by_role("button", name="Send nudge").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    shot("empty-message")

    assert Nudge.objects.filter(sent_by=admin, snoozed_until__isnull=False).count() == 1
    assert Notification.objects.filter(kind=Kind.NUDGE).count() == 2
