"""Invitations: a single-use, expiring link e-mailed with an absolute URL; accepting signs the
person up through allauth or attaches the role to their existing account; a used, expired,
withdrawn or altered link gives a clear page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentorship import services
from mentorship.models import Invitation, Membership, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def link_from(message) -> str:
    return re.search(r"https?://\S+/invitations/[\w-]+/", message.body).group(0)


def path_of(link: str) -> str:
    return link.removeprefix(settings.SITE_URL)


@pytest.fixture
def invite(client, admin, program, django_capture_on_commit_callbacks):
    """Send an invitation through the page as the admin; return the e-mail."""

    def _invite(email="newbie@example.com", role="mentee"):
        client.force_login(admin)
        # The e-mail leaves once the invitation is committed.
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("mentorship:program_invite", args=[program.uuid]),
                {"email": email, "name": "New Person", "role": role},
            )
        assert response.status_code == 302
        client.logout()
        return mail.outbox[-1]

    return _invite


def test_invitation_email_has_an_absolute_single_use_link(client, invite, program):
    message = invite()
    assert message.to == ["newbie@example.com"]
    assert "Northwind Circle" in message.subject
    link = link_from(message)
    assert link.startswith(settings.SITE_URL + "/invitations/")
    html = message.alternatives[0][0]
    assert link in html
    invitation = Invitation.objects.get()
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash  # only the hash is stored
    assert invitation.expires_at > timezone.now() + timedelta(days=13)


def test_invite_form_errors(client, admin, program):
    client.force_login(admin)
    url = reverse("mentorship:program_invite", args=[program.uuid])
    response = client.post(url, {"email": "not-an-address", "role": "boss"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address" in body
    assert "Select a valid choice" in body
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_existing_account_logs_in_and_joins(client, invite, program, stranger):
    message = invite(email=stranger.email, role="mentor")
    path = path_of(link_from(message))
    page = client.get(path).content.decode()
    assert "Log in to accept" in page
    client.force_login(stranger)
    assert "Join as Mentor" in client.get(path).content.decode()
    response = client.post(path)
    assert response.status_code == 302
    assert Membership.objects.filter(program=program, user=stranger, role=Role.MENTOR).exists()
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == stranger and invitation.accepted_at is not None
    # Single use: a second visit says so clearly.
    response = client.get(path)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_new_person_signs_up_through_allauth_and_joins(client, invite, program):
    message = invite(email="fresh@example.com")
    mail.outbox.clear()
    path = path_of(link_from(message))
    page = client.get(path).content.decode()
    assert "Create your account and join" in page
    assert not client.session.get("account_verified_email")  # looking changes nothing
    response = client.get(path + "?signup=1")
    signup = reverse("account_signup")
    assert response["Location"].startswith(signup + "?email=fresh%40example.com")
    response = client.post(
        f"{signup}?next={path}",
        {
            "email": "fresh@example.com",
            "name": "Fresh Face",
            "timezone": "Europe/Berlin",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": path,
        },
    )
    # The invitation proved the address: no confirmation e-mail, straight back to the link.
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == path
    assert not mail.outbox
    user = User.objects.get(email="fresh@example.com")
    assert user.emailaddress_set.get().verified
    # Back at the link, the person who chose "create your account and join" joins at once.
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mentorship:my_pairings")
    assert Membership.objects.filter(program=program, user=user, role=Role.MENTEE).exists()
    assert "Welcome to Northwind Circle" in client.get(response["Location"]).text


def test_anonymous_post_goes_to_login(client, invite, program):
    path = path_of(link_from(invite()))
    response = client.post(path)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert Invitation.objects.get().accepted_at is None


def test_expired_link(client, invite, program, stranger):
    path = path_of(link_from(invite()))
    client.force_login(stranger)
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.get(path)
        assert response.status_code == 410
        assert "has expired" in response.content.decode()
        assert client.post(path).status_code == 410
    assert not Membership.objects.filter(user=stranger).exists()


def test_revoked_link(client, invite, program, stranger):
    path = path_of(link_from(invite()))
    services.invitation_revoke(invitation=Invitation.objects.get())
    client.force_login(stranger)
    response = client.post(path)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()


def test_altered_link(client, invite, program, stranger):
    path = path_of(link_from(invite()))
    altered = path[:-3] + ("x" if path[-3] != "x" else "y") + path[-2:]
    client.force_login(stranger)
    response = client.get(altered)
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_service_refuses_second_use(admin, program, stranger):
    invitation, _ = services.invitation_create(
        program=program, email=stranger.email, role=Role.MENTEE, invited_by=admin
    )
    services.invitation_accept(invitation=invitation, user=stranger)
    other = UserFactory()
    with pytest.raises(services.MentorshipError, match="already been used"):
        services.invitation_accept(invitation=invitation, user=other)


def test_invite_page_lists_and_revokes(client, invite, admin, program):
    invite(email="pending@example.com")
    client.force_login(admin)
    page = client.get(reverse("mentorship:program_invite", args=[program.uuid])).content.decode()
    assert "pending@example.com" in page
    invitation = Invitation.objects.get()
    response = client.post(
        reverse("mentorship:invitation_revoke", args=[program.uuid, invitation.uuid]), follow=True
    )
    assert "The invitation to pending@example.com was withdrawn." in response.content.decode()
    page = client.get(reverse("mentorship:program_invite", args=[program.uuid])).content.decode()
    assert "pending@example.com" not in page


def test_inviting_a_member_again_is_a_form_error(client, admin, program, mentor):
    client.force_login(admin)
    response = client.post(
        reverse("mentorship:program_invite", args=[program.uuid]),
        {"email": mentor.email.upper(), "role": "mentor"},
    )
    assert response.status_code == 200
    assert "maria@example.com is already a mentor in this program." in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_sign_up_form_is_filled_in_with_the_invited_name(client, invite):
    path = path_of(link_from(invite(email="fresh@example.com")))
    signup = client.get(path + "?signup=1")["Location"]
    assert "name=New+Person" in signup
    form = client.get(signup).context["form"]
    assert form.initial["email"] == "fresh@example.com"
    assert form.initial["name"] == "New Person"
    page = client.get(signup).content.decode()
    assert 'value="New Person"' in page


def test_inviting_the_same_address_again_resends_the_one_invitation(
    client, admin, program, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    url = reverse("mentorship:program_invite", args=[program.uuid])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"email": "twice@example.com", "role": "mentee"})
    first_link = link_from(mail.outbox[-1])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"email": "Twice@Example.com", "role": "mentee", "message": "See you on Monday!"},
            follow=True,
        )
    assert "was invited already: the invitation was sent again" in response.content.decode()
    invitation = Invitation.objects.get(email="twice@example.com")  # still one
    assert invitation.sent_count == 2 and invitation.message == "See you on Monday!"
    second = mail.outbox[-1]
    assert len(mail.outbox) == 2 and "See you on Monday!" in second.body
    assert "See you on Monday!" in second.alternatives[0][0]
    # Only the newest link works; the old one says it is not valid.
    client.logout()
    assert client.get(path_of(first_link)).status_code == 404
    page = client.get(path_of(link_from(second)))
    assert page.status_code == 200 and "See you on Monday!" in page.content.decode()
    # Another role is another invitation.
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"email": "twice@example.com", "role": "mentor"})
    assert Invitation.objects.filter(email="twice@example.com").count() == 2


def test_the_admin_sends_a_waiting_invitation_again_even_after_it_expired(
    client, invite, admin, program, django_capture_on_commit_callbacks
):
    invite(email="late@example.com")
    invitation = Invitation.objects.get(email="late@example.com")
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    client.force_login(admin)
    page = client.get(reverse("mentorship:program_invite", args=[program.uuid])).content.decode()
    assert "expired" in page and "Send again" in page and "Not joined yet" in page
    resend = reverse("mentorship:invitation_resend", args=[program.uuid, invitation.uuid])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend, follow=True)
    assert "sent again with a new link" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.is_usable and invitation.sent_count == 2
    assert "sent 2 times" in response.content.decode()
    client.logout()
    assert client.get(path_of(link_from(mail.outbox[-1]))).status_code == 200


def test_a_declined_or_withdrawn_invitation_is_not_sent_again(admin, program, stranger):
    invitation, _token = services.invitation_create(
        program=program, email="gone@example.com", role="mentee", invited_by=admin
    )
    services.invitation_revoke(invitation=invitation)
    with pytest.raises(services.MentorshipError, match="declined or withdrawn"):
        services.invitation_resend(invitation=invitation, by=admin)
    # Inviting the address again makes a new invitation instead.
    again, _token = services.invitation_create(
        program=program, email="gone@example.com", role="mentee", invited_by=admin
    )
    assert again.pk != invitation.pk and again.sent_count == 1


def test_a_message_longer_than_the_limit_is_a_form_error(client, admin, program):
    client.force_login(admin)
    response = client.post(
        reverse("mentorship:program_invite", args=[program.uuid]),
        {"email": "long@example.com", "role": "mentee", "message": "x" * 1001},
    )
    assert response.status_code == 200
    assert "at most 1000 characters" in response.content.decode()
    assert not Invitation.objects.exists()
