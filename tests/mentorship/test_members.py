"""Admins manage members: correct role, capacity, skills and interests; remove a member,
whose open pairings end with the reason while their history stays; every change recorded."""

import pytest
from django.urls import reverse

from mentorship import services
from mentorship.models import MemberEvent, Membership, Pairing, PairingStatus, Role
from notifications.models import Notification
from tests.factories import MembershipFactory, PairingFactory, UserFactory

pytestmark = pytest.mark.django_db


def member(program, user, role):
    return Membership.objects.get(program=program, user=user, role=role)


def detail_url(program, membership, name="mentorship:member_detail"):
    return reverse(name, args=[program.uuid, membership.uuid])


def test_the_admin_corrects_a_member_and_the_change_is_recorded(client, program, admin, mentor):
    client.force_login(admin)
    m = member(program, mentor, Role.MENTOR)
    url = detail_url(program, m)
    page = client.get(url)
    assert page.status_code == 200 and mentor.email in page.content.decode()
    response = client.post(
        url, {"role": "mentor", "capacity": 5, "skills": "python; sql", "interests": ""}
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.capacity, m.skills) == (5, "python; sql")
    [event] = MemberEvent.objects.filter(program=program, member=mentor)
    assert event.actor == admin and "capacity 3 → 5" in event.detail
    assert "python; sql" in event.detail
    assert "capacity 3 → 5" in client.get(url).content.decode()
    # Saving without a change records nothing.
    client.post(url, {"role": "mentor", "capacity": 5, "skills": "python; sql", "interests": ""})
    assert MemberEvent.objects.count() == 1


def test_the_member_list_links_each_member(client, program, admin, mentor):
    client.force_login(admin)
    body = client.get(reverse("mentorship:member_list", args=[program.uuid])).content.decode()
    assert detail_url(program, member(program, mentor, Role.MENTOR)) in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "mentee", "capacity": 3}, "has 1 open pairing as mentor: end it first"),
        ({"role": "mentor", "capacity": 0}, "mentors 1 people now: the capacity cannot be lower"),
        ({"role": "wizard", "capacity": 3}, "Select a valid choice"),
        ({"role": "mentor", "capacity": 99}, "less than or equal to 50"),
    ],
)
def test_a_correction_that_breaks_a_rule_is_refused_with_a_message(
    client, program, admin, mentor, pairing, data, message
):
    client.force_login(admin)
    m = member(program, mentor, Role.MENTOR)
    response = client.post(detail_url(program, m), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    m.refresh_from_db()
    assert (m.role, m.capacity) == (Role.MENTOR, 3)
    assert not MemberEvent.objects.exists()


def test_the_last_admin_keeps_the_role_and_a_second_role_is_not_doubled(
    program, admin, mentor, mentee
):
    with pytest.raises(services.MentorshipConflict, match="needs at least one admin"):
        services.membership_update(
            membership=member(program, admin, Role.ADMIN), by=admin, role="mentor", capacity=3
        )
    with pytest.raises(services.MentorshipConflict, match="needs at least one admin"):
        services.membership_remove(
            membership=member(program, admin, Role.ADMIN), by=admin, reason="leaving"
        )
    MembershipFactory(program=program, user=mentee, role=Role.MENTOR)
    with pytest.raises(services.MentorshipConflict, match="is a mentor in this program already"):
        services.membership_update(
            membership=member(program, mentee, Role.MENTEE), by=admin, role="mentor", capacity=3
        )


def test_removing_a_member_ends_their_pairings_keeps_the_history_and_tells_them(
    client, program, admin, mentor, mentee, pairing, other_mentee
):
    other = PairingFactory(program=program, mentor=mentor, mentee=other_mentee)
    client.force_login(admin)
    m = member(program, mentor, Role.MENTOR)
    confirm = client.get(detail_url(program, m, "mentorship:member_remove"))
    assert confirm.status_code == 200
    assert "These 2 open pairings end with your reason" in confirm.content.decode()
    refused = client.post(detail_url(program, m, "mentorship:member_remove"), {"reason": " "})
    assert refused.status_code == 400 and Membership.objects.filter(pk=m.pk).exists()
    response = client.post(
        detail_url(program, m, "mentorship:member_remove"),
        {"reason": "Moved to another team"},
        follow=True,
    )
    assert "2 open pairings were ended" in response.content.decode()
    assert not Membership.objects.filter(pk=m.pk).exists()
    for p in (pairing, other):
        p.refresh_from_db()
        assert p.status == PairingStatus.ENDED
        assert p.end_reason == "Removed from the program: Moved to another team"
        assert p.events.filter(action="ended").exists()
    assert Pairing.objects.filter(mentor=mentor).count() == 2  # the history stays
    assert MemberEvent.objects.get(member=mentor, action="member_removed").actor == admin
    told = Notification.objects.get(recipient=mentor, dedupe_key__startswith="member-removed:")
    assert "no longer a mentor in Northwind Circle" in told.title
    # The page of a removed member is gone.
    assert client.get(detail_url(program, m)).status_code == 404


def test_a_member_of_another_program_is_not_found(client, program, other_program, admin):
    elsewhere = MembershipFactory(program=other_program, user=UserFactory(), role=Role.MENTEE)
    client.force_login(admin)
    url = reverse("mentorship:member_detail", args=[program.uuid, elsewhere.uuid])
    assert client.get(url).status_code == 404
    assert client.post(url, {"role": "mentee", "capacity": 1}).status_code == 404
