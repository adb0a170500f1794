"""The pairing lifecycle through the services and the pages: proposed, active once both accept,
paused, resumed, completed, ended, reassigned; agreements, check-ins, feedback, the audit
trail and who hears of each change."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from mentorship import services
from mentorship.models import (
    Agreement,
    CheckIn,
    Membership,
    Pairing,
    PairingEvent,
    PairingStatus,
    Role,
)
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import MembershipFactory, PairingFactory, UserFactory

pytestmark = pytest.mark.django_db


def actions(pairing):
    return list(
        PairingEvent.objects.filter(pairing=pairing).order_by("id").values_list("action", flat=True)
    )


def test_create_proposes_with_an_agreement_and_tells_both(program, admin, mentor, mentee):
    pairing = services.pairing_create(program=program, mentor=mentor, mentee=mentee, by=admin)
    assert pairing.status == PairingStatus.PROPOSED
    assert Agreement.objects.filter(pairing=pairing).exists()
    assert actions(pairing) == ["created"]
    event = pairing.events.get()
    assert event.actor == admin
    recipients = set(
        Notification.objects.filter(kind=Kind.PAIRING_CHANGED).values_list("recipient", flat=True)
    )
    assert recipients == {mentor.pk, mentee.pk}


def test_both_accept_makes_it_active_with_a_due_date(program, admin, mentor, mentee):
    pairing = services.pairing_create(program=program, mentor=mentor, mentee=mentee, by=admin)
    services.pairing_accept_agreement(pairing=pairing, user=mentor)
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.PROPOSED
    services.pairing_accept_agreement(pairing=pairing, user=mentee)
    pairing.refresh_from_db()
    today = timezone.localdate()
    assert pairing.status == PairingStatus.ACTIVE
    assert pairing.started_on == today
    assert pairing.next_checkin_due == today + timedelta(days=program.checkin_cadence_days)
    assert actions(pairing) == ["created", "agreement_accepted", "agreement_accepted", "activated"]


def test_agreement_edit_asks_both_again(pairing, agreement, mentor, mentee):
    services.pairing_accept_agreement(pairing=pairing, user=mentor)
    services.pairing_accept_agreement(pairing=pairing, user=mentee)
    services.agreement_update(
        pairing=pairing, by=mentee, meeting_frequency="Weekly", expectations="More", boundaries=""
    )
    agreement.refresh_from_db()
    assert agreement.meeting_frequency == "Weekly"
    assert agreement.mentor_accepted_at is None and agreement.mentee_accepted_at is None
    assert Notification.objects.filter(recipient=mentor, kind=Kind.PAIRING_CHANGED).exists()
    assert "agreement_updated" in actions(pairing)


def test_an_outsider_cannot_accept(pairing, agreement, other_mentee):
    with pytest.raises(services.MentorshipError):
        services.pairing_accept_agreement(pairing=pairing, user=other_mentee)


def test_pause_resume_complete(pairing, agreement, admin):
    services.pairing_pause(pairing=pairing, by=admin)
    assert Pairing.objects.get(pk=pairing.pk).status == PairingStatus.PAUSED
    with pytest.raises(services.MentorshipError):
        services.pairing_pause(pairing=pairing, by=admin)
    services.pairing_resume(pairing=pairing, by=admin)
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ACTIVE
    services.pairing_complete(pairing=pairing, by=admin)
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.COMPLETED
    assert pairing.ended_on == timezone.localdate()
    assert pairing.next_checkin_due is None
    assert actions(pairing) == ["paused", "resumed", "completed"]
    with pytest.raises(services.MentorshipError):
        services.pairing_resume(pairing=pairing, by=admin)


def test_end_needs_a_reason(pairing, agreement, admin):
    with pytest.raises(services.MentorshipError):
        services.pairing_end(pairing=pairing, by=admin, reason="  ")
    services.pairing_end(pairing=pairing, by=admin, reason="Mentee changed teams")
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENDED
    assert pairing.end_reason == "Mentee changed teams"
    assert pairing.events.get(action="ended").detail == "Mentee changed teams"


def test_reassign_ends_old_starts_new_keeps_history(
    pairing, agreement, admin, other_mentor, mentor
):
    CheckIn.objects.create(
        pairing=pairing, occurred_on=date.today(), summary="First", logged_by=mentor
    )
    new = services.pairing_reassign(pairing=pairing, new_mentor=other_mentor, by=admin)
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENDED
    assert new.status == PairingStatus.PROPOSED
    assert new.mentor == other_mentor and new.mentee == pairing.mentee
    assert new.reassigned_from == pairing
    assert pairing.checkins.count() == 1
    assert "reassigned" in actions(pairing)
    assert actions(new) == ["created", "reassigned_from"]


def test_reassign_to_a_full_mentor_changes_nothing(
    pairing, agreement, admin, other_mentor, program
):
    Membership.objects.filter(user=other_mentor, program=program).update(capacity=0)
    with pytest.raises(services.MentorshipError, match="capacity"):
        services.pairing_reassign(pairing=pairing, new_mentor=other_mentor, by=admin)
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ACTIVE
    assert Pairing.objects.count() == 1


def test_second_open_pairing_for_a_mentee_is_refused(pairing, program, admin, other_mentor, mentee):
    with pytest.raises(services.MentorshipError, match="already has an open pairing"):
        services.pairing_create(program=program, mentor=other_mentor, mentee=mentee, by=admin)


def test_capacity_is_enforced(program, admin, mentor):
    Membership.objects.filter(user=mentor, program=program).update(capacity=2)
    mentees = []
    for n in range(3):
        user = UserFactory(email=f"m{n}@example.com")
        MembershipFactory(program=program, user=user, role=Role.MENTEE)
        mentees.append(user)
    services.pairing_create(program=program, mentor=mentor, mentee=mentees[0], by=admin)
    services.pairing_create(program=program, mentor=mentor, mentee=mentees[1], by=admin)
    with pytest.raises(services.MentorshipError, match="at capacity"):
        services.pairing_create(program=program, mentor=mentor, mentee=mentees[2], by=admin)
    # An ended pairing frees the place.
    first = Pairing.objects.get(mentee=mentees[0])
    services.pairing_end(pairing=first, by=admin, reason="Done early")
    services.pairing_create(program=program, mentor=mentor, mentee=mentees[2], by=admin)


def test_roles_are_checked(program, admin, mentor, mentee, stranger):
    with pytest.raises(services.MentorshipError, match="not a mentor"):
        services.pairing_create(program=program, mentor=mentee, mentee=mentor, by=admin)
    with pytest.raises(services.MentorshipError, match="not a mentee"):
        services.pairing_create(program=program, mentor=mentor, mentee=stranger, by=admin)
    with pytest.raises(services.MentorshipError, match="themselves"):
        services.pairing_create(program=program, mentor=mentor, mentee=mentor, by=admin)


def test_database_constraint_race_becomes_the_same_message(
    program, admin, mentor, other_mentor, mentee
):
    """If two requests pass the check at once, the named constraint stops the second; the
    person sees the same sentence as when the check catches it."""
    PairingFactory(program=program, mentor=other_mentor, mentee=mentee)
    with (
        mock.patch("mentorship.services._check_can_pair"),
        pytest.raises(services.MentorshipError, match="already has an open pairing"),
    ):
        services.pairing_create(program=program, mentor=mentor, mentee=mentee, by=admin)


def test_the_constraints_exist_in_the_database(program, mentor, mentee):
    PairingFactory(program=program, mentor=mentor, mentee=mentee)
    with pytest.raises(IntegrityError):
        PairingFactory(program=program, mentor=mentor, mentee=mentee, status=PairingStatus.PROPOSED)


def test_checkin_moves_the_due_date(pairing, mentee, program):
    day = timezone.localdate() - timedelta(days=3)
    services.checkin_log(pairing=pairing, by=mentee, occurred_on=day, summary="Talked")
    pairing.refresh_from_db()
    assert pairing.last_checkin_on == day
    assert pairing.next_checkin_due == day + timedelta(days=program.checkin_cadence_days)
    # An older meeting logged late does not move the dates back.
    services.checkin_log(
        pairing=pairing, by=mentee, occurred_on=day - timedelta(days=10), summary="Earlier"
    )
    pairing.refresh_from_db()
    assert pairing.last_checkin_on == day
    assert Notification.objects.filter(recipient=pairing.mentor, kind=Kind.PAIRING_CHANGED).exists()
    with pytest.raises(services.MentorshipError, match="future"):
        services.checkin_log(
            pairing=pairing, by=mentee, occurred_on=day + timedelta(days=30), summary="Soon"
        )


# --- Pages ----------------------------------------------------------------------------------


def test_accept_flow_through_the_pages(client, program, admin, mentor, mentee):
    pairing = services.pairing_create(program=program, mentor=mentor, mentee=mentee, by=admin)
    accept = reverse("mentorship:pairing_agreement_accept", args=[pairing.uuid])
    client.force_login(mentor)
    client.post(accept)
    client.force_login(mentee)
    response = client.post(accept, follow=True)
    assert "the mentorship is active" in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ACTIVE


def test_checkin_form_errors_are_shown(client, pairing, agreement, mentor):
    client.force_login(mentor)
    url = reverse("mentorship:pairing_checkin", args=[pairing.uuid])
    response = client.post(url, {"occurred_on": "not a date", "summary": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    future = (timezone.localdate() + timedelta(days=9)).isoformat()
    response = client.post(url, {"occurred_on": future, "summary": "Soon"})
    assert "The meeting date is in the future." in response.content.decode()
    assert not CheckIn.objects.exists()
    response = client.post(url, {"occurred_on": date.today().isoformat(), "summary": "Good talk"})
    assert response.status_code == 302
    assert CheckIn.objects.get().logged_by == mentor


def test_checkin_on_a_proposed_pairing_is_refused_clearly(client, program, admin, mentor, mentee):
    pairing = services.pairing_create(program=program, mentor=mentor, mentee=mentee, by=admin)
    client.force_login(mentor)
    response = client.post(
        reverse("mentorship:pairing_checkin", args=[pairing.uuid]),
        {"occurred_on": date.today().isoformat(), "summary": "Hi"},
    )
    assert "active pairings only" in response.content.decode()


def test_end_and_reassign_pages(client, pairing, agreement, admin, other_mentor):
    client.force_login(admin)
    response = client.post(reverse("mentorship:pairing_end", args=[pairing.uuid]), {"reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    response = client.post(
        reverse("mentorship:pairing_reassign", args=[pairing.uuid]),
        {"new_mentor": str(other_mentor.uuid), "reason": "Better fit"},
    )
    new = Pairing.objects.get(mentor=other_mentor, mentee=pairing.mentee)
    assert response["Location"] == reverse("mentorship:pairing_detail", args=[new.uuid])
    page = client.get(response["Location"]).content.decode()
    assert "Maria Mentor" in page  # the earlier pairing stays visible in the history


def test_audit_trail_is_shown(client, pairing, agreement, admin):
    services.pairing_pause(pairing=pairing, by=admin, reason="Holiday")
    client.force_login(admin)
    page = client.get(reverse("mentorship:pairing_detail", args=[pairing.uuid])).content.decode()
    assert "Paused" in page and "Holiday" in page and "Ada Admin" in page


def test_pause_with_a_reason_from_the_page(client, pairing, agreement, admin):
    client.force_login(admin)
    response = client.post(
        reverse("mentorship:pairing_pause", args=[pairing.uuid]), {"reason": "Parental leave"}
    )
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.PAUSED
    assert pairing.events.get(action="paused").detail == "Parental leave"
    # Pausing twice is refused with a message, not an error page.
    response = client.post(reverse("mentorship:pairing_pause", args=[pairing.uuid]), follow=True)
    assert "cannot be paused" in response.content.decode()
