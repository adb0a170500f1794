"""Program admins see when a pair met, not what was said (DESIGN: admins see check-in dates)."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import AgreementFactory, CheckInFactory

pytestmark = pytest.mark.django_db

SUMMARY = "Talked through the worry about the reorganisation."
NEXT_STEPS = "Ask the manager about the new team."


@pytest.fixture
def checkin(pairing):
    AgreementFactory(pairing=pairing)
    return CheckInFactory(
        pairing=pairing, occurred_on=date(2026, 11, 2), summary=SUMMARY, next_steps=NEXT_STEPS
    )


@pytest.mark.parametrize("persona", ["mentor", "mentee"])
def test_the_pair_reads_what_was_said(client, request, checkin, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("mentorship:pairing_detail", args=[checkin.pairing.uuid]))
    assert page.status_code == 200
    assert SUMMARY in page.text
    assert NEXT_STEPS in page.text


def test_program_admin_sees_the_date_only(client, admin, checkin):
    client.force_login(admin)
    page = client.get(reverse("mentorship:pairing_detail", args=[checkin.pairing.uuid]))
    assert page.status_code == 200
    assert "Monday 2 Nov 2026" in page.text
    assert SUMMARY not in page.text
    assert NEXT_STEPS not in page.text
