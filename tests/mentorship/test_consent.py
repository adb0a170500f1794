"""Consent first: nobody becomes a member of a program, or half of a pairing, without agreeing.

- An admin who invites or imports anyone creates an invitation the person accepts or
  declines, whether or not the address has an account; until then they are no member, cannot
  be paired, and the admin learns nothing about them beyond what they typed.
- A goal without a program is shared only with the mentors of pairings that started (both
  sides accepted the agreement).
- An invitation is bound to its address: only an account with that address verified answers
  it.

Personas (tests/conftest.py): Mia is a mentee of Northwind (Ada runs it, Maria mentors
there); Ari runs Southside, another program; Sam is a stranger to both.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.errors import Forbidden
from goals.models import Comment, Visibility
from goals.policy import goal_access, visible_goals_q
from mentorship import csv_import, services
from mentorship.models import Invitation, Membership, Pairing, Role
from mentorship.selectors import program_stats
from tests.factories import GoalFactory, UserFactory

pytestmark = pytest.mark.django_db

PARTICIPANTS = "email,name,role,skills,interests,capacity\n"
PAIRINGS = "mentor_email,mentee_email\n"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_as():
    from rest_framework.test import APIClient

    from api.services import api_token_create

    def make(user):
        client = APIClient()
        secret = api_token_create(user=user, name="script").secret
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return make


@pytest.fixture
def mias_goals(mentee, program):
    """Mia's goal without a program and her goal in Northwind, both shared with mentors."""
    return {
        "own": GoalFactory(mentee=mentee, program=None, visibility=Visibility.MENTOR),
        "northwind": GoalFactory(mentee=mentee, program=program, visibility=Visibility.PROGRAM),
    }


def upload_and_confirm(client, program, kind, text: str):
    """Upload a CSV file through the page; confirm it when the preview allows it. Returns
    the preview page's response and the confirmation's (None when nothing can be
    imported)."""
    preview = client.post(
        reverse("mentorship:import_upload", args=[program.uuid, kind]),
        {"file": SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")},
    )
    assert preview.status_code == 200
    token = preview.context.get("token")
    if token is None:
        return preview, None
    confirm = client.post(
        reverse("mentorship:import_confirm", args=[program.uuid, kind]), {"token": token}
    )
    return preview, confirm


def assert_no_access(api_as, client, user, goals):
    """Neither the pages nor the API let `user` know the goals exist, nor comment on them."""
    client.force_login(user)
    api = api_as(user)
    listed = {row["uuid"] for row in api.get(reverse("api:goal-list")).json()["results"]}
    for goal in goals:
        assert not goal_access(user, goal).exists
        assert client.get(reverse("goals:goal_detail", args=[goal.uuid])).status_code == 404
        assert api.get(reverse("api:goal-detail", args=[goal.uuid])).status_code == 404
        response = api.post(
            reverse("api:comment-list"), {"goal": str(goal.uuid), "body": "Hi!"}, format="json"
        )
        assert response.status_code in (400, 404), response.content
        assert str(goal.uuid) not in listed
    assert not Comment.objects.filter(goal__in=goals, author=user).exists()


# --- The cross-program import ------------------------------------------------------------


def test_an_admin_cannot_import_another_programs_member_and_mentor_her(
    client, api_as, other_program, other_admin, mentee, mias_goals
):
    """Ari (admin of Southside) imports Mia, a Northwind mentee, as his mentee, and himself
    as her mentor. She is invited, not added; the pairing row is refused; he sees none of
    her goals, by page or API, until she accepts."""
    goals = list(mias_goals.values())
    client.force_login(other_admin)
    _preview, confirm = upload_and_confirm(
        client,
        other_program,
        "participants",
        PARTICIPANTS + f"{mentee.email},M. Typed,mentee,,,\n{other_admin.email},Ari,mentor,,,3\n",
    )
    assert confirm.status_code == 302
    assert not Membership.objects.filter(program=other_program, user=mentee).exists()
    invitation = Invitation.objects.get(program=other_program, email=mentee.email)
    assert invitation.role == Role.MENTEE and invitation.accepted_at is None

    # The admin learns nothing beyond what he typed: not her name, not her other program.
    for page in ("mentorship:member_list", "mentorship:program_invite"):
        html = client.get(reverse(page, args=[other_program.uuid])).content.decode()
        assert mentee.name not in html
        assert "Northwind" not in html

    # Ari accepts his own invitation as a mentor; Mia has not accepted hers.
    services.invitation_accept(
        invitation=Invitation.objects.get(program=other_program, email=other_admin.email),
        user=other_admin,
    )
    preview, confirm = upload_and_confirm(
        client, other_program, "pairings", PAIRINGS + f"{other_admin.email},{mentee.email}\n"
    )
    assert confirm is None
    reasons = [e.reason for e in preview.context["preview"].errors]
    assert reasons == [
        f"Not accepted yet: {mentee.email} was invited as mentee and has not accepted; "
        "pair them once they have."
    ]
    assert "Not accepted yet" in preview.content.decode()
    with pytest.raises(services.ImportRejected):
        services.pairings_import(
            program=other_program,
            text=PAIRINGS + f"{other_admin.email},{mentee.email}\n",
            by=other_admin,
        )
    assert not Pairing.objects.filter(mentee=mentee, program=other_program).exists()
    assert_no_access(api_as, client, other_admin, goals)

    # She accepts: now she is a member and can be paired. The proposed pairing still shares
    # nothing until both accept its agreement; her Northwind goal never.
    services.invitation_accept(invitation=invitation, user=mentee)
    assert Membership.objects.filter(program=other_program, user=mentee, role=Role.MENTEE)
    _preview, confirm = upload_and_confirm(
        client, other_program, "pairings", PAIRINGS + f"{other_admin.email},{mentee.email}\n"
    )
    assert confirm.status_code == 302
    pairing = Pairing.objects.get(mentee=mentee, program=other_program)
    assert_no_access(api_as, client, other_admin, goals)

    services.pairing_accept_agreement(pairing=pairing, user=mentee)
    # Her acceptance alone is not enough: the pairing starts once both sides accepted.
    assert_no_access(api_as, client, other_admin, goals)
    services.pairing_accept_agreement(pairing=pairing, user=other_admin)
    assert goal_access(other_admin, mias_goals["own"]).can_comment
    assert not goal_access(other_admin, mias_goals["northwind"]).exists
    api = api_as(other_admin)
    assert api.get(reverse("api:goal-detail", args=[mias_goals["own"].uuid])).status_code == 200
    assert (
        api.get(reverse("api:goal-detail", args=[mias_goals["northwind"].uuid])).status_code == 404
    )


def test_an_import_treats_an_existing_account_and_a_new_address_alike(
    client, program, admin, stranger, django_capture_on_commit_callbacks, mailoutbox
):
    """Sam has an account elsewhere, new@ has none: both rows become invitations, and nothing
    the admin sees (the result, the members, the invitations, the e-mails) tells them apart."""
    stranger.name = "Samuel Account-Name"
    stranger.save(update_fields=["name"])
    with django_capture_on_commit_callbacks(execute=True):
        result = services.participants_import(
            program=program,
            text=PARTICIPANTS
            + f"{stranger.email},Sam,mentor,python,,4\nnew@example.com,New,mentor,python,,4\n",
            by=admin,
        )
    assert result == {"invitations": 2}
    assert not Membership.objects.filter(program=program, role=Role.MENTOR).exists()
    assert not Membership.objects.filter(user=stranger).exists()
    assert not Membership.objects.filter(user__email="new@example.com").exists()

    client.force_login(admin)
    invite_page = client.get(reverse("mentorship:program_invite", args=[program.uuid]))
    body = invite_page.content.decode()
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    rows = {
        email: uuid.sub("U", body[body.index(email) : body.index("</li>", body.index(email))])
        for email in (stranger.email, "new@example.com")
    }
    # The two rows differ only in what the admin typed (the address and the name).
    assert rows[stranger.email].replace(stranger.email, "X").replace("Sam", "N") == rows[
        "new@example.com"
    ].replace("new@example.com", "X").replace("New", "N")
    members = client.get(reverse("mentorship:member_list", args=[program.uuid])).content.decode()
    assert stranger.email not in members and "new@example.com" not in members
    assert "Samuel Account-Name" not in body + members
    sent = {m.to[0]: m for m in mailoutbox}
    assert set(sent) == {stranger.email, "new@example.com"}
    assert sent[stranger.email].subject == sent["new@example.com"].subject

    # What the admin typed waits on the invitation and goes to the membership on accepting.
    invitation = Invitation.objects.get(email=stranger.email)
    membership = services.invitation_accept(invitation=invitation, user=stranger)
    assert (membership.role, membership.capacity, membership.skills) == ("mentor", 4, "python")


def test_importing_the_same_people_twice_invites_once(program, admin, stranger):
    text = PARTICIPANTS + f"{stranger.email},Sam,mentee,,,\n"
    services.participants_import(program=program, text=text, by=admin)
    result = services.participants_import(program=program, text=text, by=admin)
    assert result["invitations"] == 0
    assert Invitation.objects.filter(email=stranger.email).count() == 1


def test_a_pairing_row_for_someone_never_invited_says_nothing_about_their_account(
    program, mentor, stranger
):
    """Sam has an account but no place in the program: the row reads the same as for an
    address nobody uses."""
    known = csv_import.preview_pairings(program, f"{PAIRINGS}{mentor.email},{stranger.email}\n")
    unknown = csv_import.preview_pairings(program, f"{PAIRINGS}{mentor.email},nobody@example.com\n")
    assert [e.reason for e in known.errors] == [
        f"Unknown person: {stranger.email} is not a mentee in this program."
    ]
    assert [e.reason.replace("nobody@example.com", stranger.email) for e in unknown.errors] == [
        e.reason for e in known.errors
    ]


# --- Goals without a program ---------------------------------------------------------------


def test_a_proposed_pairing_shares_no_programless_goal_until_both_accept(
    client, api_as, program, admin, mentor, mentee, mias_goals
):
    pairing = services.pairing_create(program=program, mentor=mentor, mentee=mentee, by=admin)
    own = mias_goals["own"]
    assert_no_access(api_as, client, mentor, [own])
    # The mentor accepting alone changes nothing: it is her consent that counts.
    services.pairing_accept_agreement(pairing=pairing, user=mentor)
    assert not goal_access(mentor, own).exists
    assert not own.__class__.objects.filter(visible_goals_q(mentor), pk=own.pk).exists()

    services.pairing_accept_agreement(pairing=pairing, user=mentee)
    assert goal_access(mentor, own).can_comment
    assert own.__class__.objects.filter(visible_goals_q(mentor), pk=own.pk).exists()
    client.force_login(mentor)
    assert client.get(reverse("goals:goal_detail", args=[own.uuid])).status_code == 200


def test_a_programless_goal_stays_hidden_from_the_mentor_of_a_pairing_she_only_was_put_in(
    program, admin, mentor, mentee, other_program, other_admin, mias_goals
):
    """Mia accepted a pairing with Maria in Northwind; a second, proposed pairing elsewhere
    with someone else gives that mentor nothing of hers."""
    pairing = services.pairing_create(program=program, mentor=mentor, mentee=mentee, by=admin)
    services.pairing_accept_agreement(pairing=pairing, user=mentee)
    services.pairing_accept_agreement(pairing=pairing, user=mentor)
    ari = other_admin
    Membership.objects.create(program=other_program, user=ari, role=Role.MENTOR)
    Membership.objects.create(program=other_program, user=mentee, role=Role.MENTEE)
    services.pairing_create(program=other_program, mentor=ari, mentee=mentee, by=ari)
    own = mias_goals["own"]
    assert goal_access(mentor, own).can_comment
    assert not goal_access(ari, own).exists
    assert not own.__class__.objects.filter(visible_goals_q(ari), pk=own.pk).exists()


# --- Invitations are bound to their address ----------------------------------------------


def invitation_to(program, admin, email, role=Role.MENTEE):
    invitation, token = services.invitation_create(
        program=program, email=email, role=role, invited_by=admin
    )
    return invitation, reverse("mentorship:invitation_accept", args=[token])


def test_someone_else_cannot_accept_an_invitation(client, program, admin, stranger):
    invitation, path = invitation_to(program, admin, "invited@example.com")
    client.force_login(stranger)
    page = client.get(path)
    assert page.status_code == 403
    assert "sent to another address" in page.content.decode()
    assert "Join as" not in page.content.decode()
    assert client.post(path, {"answer": "accept"}).status_code == 403
    assert client.post(path, {"answer": "decline"}).status_code == 403
    invitation.refresh_from_db()
    assert invitation.accepted_at is None and invitation.declined_at is None
    assert not Membership.objects.filter(user=stranger).exists()
    with pytest.raises(Forbidden):
        services.invitation_accept(invitation=invitation, user=stranger)


def test_an_admin_invitation_opened_by_someone_else_says_so_and_does_nothing(
    client, program, admin, stranger
):
    invitation, path = invitation_to(program, admin, "co-admin@example.com", role=Role.ADMIN)
    client.force_login(stranger)
    page = client.get(path).content.decode()
    assert "This invitation to run the program was sent to another e-mail address" in page
    assert client.post(path, {"answer": "accept"}).status_code == 403
    assert not Membership.objects.filter(user=stranger, program=program).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_the_address_must_be_verified_on_the_account(client, program, admin):
    unverified = UserFactory(email="pending@example.com", verified=False)
    EmailAddress.objects.create(user=unverified, email=unverified.email, verified=False)
    invitation, path = invitation_to(program, admin, unverified.email)
    client.force_login(unverified)
    assert client.post(path, {"answer": "accept"}).status_code == 403
    assert not Membership.objects.filter(user=unverified).exists()
    EmailAddress.objects.filter(user=unverified).update(verified=True)
    assert client.post(path, {"answer": "accept"}).status_code == 302
    assert Membership.objects.filter(user=unverified, program=program, role=Role.MENTEE)


def test_a_second_verified_address_of_the_account_counts(client, program, admin, stranger):
    EmailAddress.objects.create(user=stranger, email="sam.work@example.com", verified=True)
    _invitation, path = invitation_to(program, admin, "Sam.Work@example.com", role=Role.MENTOR)
    client.force_login(stranger)
    assert client.post(path, {"answer": "accept"}).status_code == 302
    assert Membership.objects.filter(user=stranger, program=program, role=Role.MENTOR)


# --- Declining -----------------------------------------------------------------------------


def test_the_invitee_declines_and_the_admin_sees_it(client, program, admin, stranger):
    invitation, path = invitation_to(program, admin, stranger.email)
    client.force_login(stranger)
    page = client.get(path).content.decode()
    assert "Join as Mentee" in page and "Decline" in page
    response = client.post(path, {"answer": "decline"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.declined_at is not None and invitation.accepted_at is None
    assert not Membership.objects.filter(user=stranger).exists()
    # The link is answered: it cannot be accepted afterwards.
    again = client.post(path, {"answer": "accept"})
    assert again.status_code == 410
    assert "declined" in again.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()

    client.force_login(admin)
    html = client.get(reverse("mentorship:program_invite", args=[program.uuid])).content.decode()
    assert stranger.email in html and "declined" in html
    assert program_stats(program)["pending_invitations"] == 0


# --- The invitee's list ------------------------------------------------------------------


def test_the_invitee_finds_her_invitations_and_answers_them_without_the_link(
    client, program, admin, other_program, other_admin, mentee, stranger
):
    from notifications.models import Notification

    invitation, _path = invitation_to(other_program, other_admin, mentee.email)
    second, _path = invitation_to(program, admin, mentee.email, role=Role.MENTOR)
    invitation_to(program, admin, stranger.email)  # someone else's: not on her list
    # Her inbox points her to the list (no second e-mail: the invitation has its own).
    notice = Notification.objects.get(recipient=mentee, dedupe_key=f"invitation:{invitation.uuid}")
    assert notice.url == reverse("mentorship:my_invitations")

    client.force_login(mentee)
    html = client.get(reverse("mentorship:my_invitations")).content.decode()
    assert "Southside Guild" in html and "Northwind Circle" in html
    assert stranger.email not in html
    answer = reverse("mentorship:invitation_answer", args=[invitation.uuid])
    assert client.post(answer, {"answer": "accept"}).status_code == 302
    assert Membership.objects.filter(program=other_program, user=mentee, role=Role.MENTEE)
    decline = reverse("mentorship:invitation_answer", args=[second.uuid])
    assert client.post(decline, {"answer": "decline"}).status_code == 302
    second.refresh_from_db()
    assert second.declined_at is not None
    assert not Membership.objects.filter(program=program, user=mentee, role=Role.MENTOR)
    # Answered invitations leave the list, and cannot be answered again.
    html = client.get(reverse("mentorship:my_invitations")).content.decode()
    assert "No invitations are waiting" in html
    assert client.post(answer, {"answer": "accept"}).status_code == 404


def test_nobody_answers_someone_elses_invitation_from_the_list(client, program, admin, stranger):
    invitation, _path = invitation_to(program, admin, "invited@example.com")
    client.force_login(stranger)
    assert (
        "invited@example.com"
        not in client.get(reverse("mentorship:my_invitations")).content.decode()
    )
    answer = reverse("mentorship:invitation_answer", args=[invitation.uuid])
    assert client.post(answer, {"answer": "accept"}).status_code == 404
    assert client.post(answer, {"answer": "decline"}).status_code == 404
    assert client.get(answer).status_code == 405
    invitation.refresh_from_db()
    assert invitation.accepted_at is None and invitation.declined_at is None
    client.logout()
    assert client.post(answer, {"answer": "accept"}).status_code == 302
    assert not Membership.objects.filter(user=stranger).exists()


def test_an_invited_person_cannot_be_paired_by_hand_before_accepting(
    program, admin, mentor, stranger
):
    services.participants_import(
        program=program, text=PARTICIPANTS + f"{stranger.email},Sam,mentee,,,\n", by=admin
    )
    with pytest.raises(services.MentorshipError, match="is not a mentee in this program"):
        services.pairing_create(program=program, mentor=mentor, mentee=stranger, by=admin)
    assert not Pairing.objects.filter(mentee=stranger).exists()
