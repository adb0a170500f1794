"""Deleting an account never deletes another person's history: the pairings, with their
agreement, meetings and feedback, stay, shown with "a deleted user". A pairing made without
an agreement (in the Django admin, by a factory) renders.

Personas (tests/conftest.py): Mia (mentee) and Maria (mentor) in Northwind, run by Ada.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.services import account_delete, api_token_create
from mentorship import services
from mentorship.models import Agreement, CheckIn, Pairing, PairingStatus, SurveyResponse
from tests.factories import AgreementFactory, CheckInFactory, PairingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(program, mentor, mentee):
    """An active pairing of Maria and Mia with a meeting logged by each and a survey answer
    from each, shared."""
    pairing = PairingFactory(program=program, mentor=mentor, mentee=mentee)
    AgreementFactory(pairing=pairing)
    for person in (mentor, mentee):
        CheckInFactory(pairing=pairing, logged_by=person, summary=f"Met, noted by {person.name}")
        SurveyResponse.objects.create(
            pairing=pairing,
            author=person,
            match_score=4,
            progress_score=4,
            comment="Useful",
            shared=True,
        )
    return pairing


def delete(user):
    user.set_password("pw-of-the-account")
    user.save()
    account_delete(user=user, password="pw-of-the-account")


@pytest.mark.parametrize("leaving, staying", [("mentee", "mentor"), ("mentor", "mentee")])
def test_the_other_side_keeps_the_pairing_and_its_history(
    client, request, history, admin, leaving, staying
):
    leaver, stayer = request.getfixturevalue(leaving), request.getfixturevalue(staying)
    delete(leaver)

    pairing = Pairing.objects.get(pk=history.pk)
    assert getattr(pairing, f"{leaving}_id") is None
    assert getattr(pairing, f"{staying}_id") == stayer.pk
    assert pairing.status == PairingStatus.ENDED  # not left open with nobody
    assert Agreement.objects.filter(pairing=pairing).exists()
    assert CheckIn.objects.filter(pairing=pairing).count() == 2
    assert SurveyResponse.objects.filter(pairing=pairing).count() == 2
    assert SurveyResponse.objects.filter(pairing=pairing, author=None).count() == 1
    assert pairing.events.filter(action="ended").exists()

    client.force_login(stayer)
    page = client.get(reverse("mentorship:pairing_detail", args=[pairing.uuid]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "a deleted user" in html
    assert f"Met, noted by {leaver.name}" in html  # the meeting the leaver logged stays
    mine = client.get(reverse("mentorship:my_pairings")).content.decode()
    assert "a deleted user" in mine
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=stayer, name='s').secret}")
    [row] = api.get(reverse("api:pairing-list")).json()["results"]
    assert row[leaving] == {"uuid": None, "name": "a deleted user"}
    assert api.get(reverse("api:me-export")).status_code == 200

    client.force_login(admin)
    for name in ("mentorship:program_dashboard", "mentorship:program_export_pairings"):
        assert client.get(reverse(name, args=[pairing.program.uuid])).status_code == 200
    assert client.get(reverse("mentorship:pairing_detail", args=[pairing.uuid])).status_code == 200
    assert client.get(reverse("goals:mentor_dashboard")).status_code == 200


def test_a_mentors_pages_leave_out_a_deleted_mentee(client, history, mentor, mentee):
    delete(mentee)
    client.force_login(mentor)
    for name in ("goals:mentor_dashboard", "goals:mentor_mentees", "goals:review_queue"):
        assert client.get(reverse(name)).status_code == 200
    dash = client.get(reverse("goals:mentor_dashboard")).context["dash"]
    assert dash.mentee_count == len(client.get(reverse("goals:mentor_mentees")).context["rows"])
    assert dash.mentee_count == 0


def test_a_pairing_without_an_agreement_renders_and_can_be_agreed(
    client, program, admin, mentor, mentee
):
    pairing = PairingFactory(
        program=program, mentor=mentor, mentee=mentee, status=PairingStatus.PROPOSED
    )
    assert not Agreement.objects.filter(pairing=pairing).exists()
    url = reverse("mentorship:pairing_detail", args=[pairing.uuid])
    for person in (admin, mentor, mentee):
        client.force_login(person)
        assert client.get(url).status_code == 200
    client.force_login(mentor)
    edit = reverse("mentorship:pairing_agreement", args=[pairing.uuid])
    assert client.get(edit).status_code == 200
    for person in (mentor, mentee):
        services.pairing_accept_agreement(pairing=pairing, user=person)
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ACTIVE
    assert Agreement.objects.get(pairing=pairing).is_accepted_by_both


def test_an_open_pairing_whose_account_was_deleted_in_the_admin_still_renders(
    client, program, admin, pairing, mentee
):
    """The Django admin deletes the account without ending its pairings (the account
    deletion service does): the program dashboard still shows the row, naming the gap."""
    mentee.delete()
    pairing.refresh_from_db()
    assert pairing.mentee_id is None and pairing.status == PairingStatus.ACTIVE
    client.force_login(admin)
    page = client.get(reverse("mentorship:program_dashboard", args=[program.uuid]))
    assert page.status_code == 200
    assert "a deleted user" in page.text
