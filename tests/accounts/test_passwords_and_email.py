"""Password reset and change, and e-mail address management, through real requests."""

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

from .helpers import link_in_last_mail, path_of

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-2026"


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.com", name="Ada")


def request_reset(client, email):
    return client.post(reverse("account_reset_password"), {"email": email}, follow=True)


def set_password_from_link(client, link, password=NEW_PASSWORD):
    # allauth moves the key from the URL into the session, then shows the form.
    response = client.get(path_of(link), follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path_of(link)
    return client.post(form_url, {"password1": password, "password2": password}, follow=True)


def test_password_reset_sends_a_link_that_sets_a_new_password(client, ada):
    response = request_reset(client, "ada@example.com")
    assert response.redirect_chain[-1][0] == reverse("account_reset_password_done")
    assert "We have sent you an email" in response.content.decode()
    link = link_in_last_mail("ada@example.com", "/accounts/password/reset/key/")

    response = set_password_from_link(client, link)
    assert response.redirect_chain[-1][0] == reverse("account_reset_password_from_key_done")
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)
    assert client.login(email="ada@example.com", password=NEW_PASSWORD)


def test_reset_for_unknown_address_reveals_nothing_and_sends_no_link(client, ada):
    response = request_reset(client, "nobody@example.com")
    assert response.redirect_chain[-1][0] == reverse("account_reset_password_done")
    for message in mail.outbox:
        assert "/accounts/password/reset/key/" not in message.body


def test_reused_reset_link_gives_a_clear_message(client, ada):
    request_reset(client, "ada@example.com")
    link = link_in_last_mail("ada@example.com", "/accounts/password/reset/key/")
    set_password_from_link(client, link)

    client.logout()
    response = client.get(path_of(link), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This link no longer works" in html
    assert "Send me a new link" in html
    assert "The password reset link was invalid, possibly because it has" in html
    # And it cannot be used to set another password.
    set_password_from_link(client, link, password="yet-another-passphrase-99")
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)


def test_expired_reset_link_gives_a_clear_message(client, ada, settings):
    request_reset(client, "ada@example.com")
    link = link_in_last_mail("ada@example.com", "/accounts/password/reset/key/")
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        response = client.get(path_of(link), follow=True)
        assert "The password reset link was invalid" in response.content.decode()
        set_password_from_link(client, link)
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)


def test_reset_with_weak_password_gives_a_clear_message(client, ada):
    request_reset(client, "ada@example.com")
    link = link_in_last_mail("ada@example.com", "/accounts/password/reset/key/")
    response = set_password_from_link(client, link, password="short")
    assert "This password is too short" in response.content.decode()
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)


def test_password_change(client, ada):
    client.force_login(ada)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert "Password successfully changed." in response.content.decode()
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)
    # Still logged in after the change.
    assert response.wsgi_request.user == ada


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("wrong-old-password", NEW_PASSWORD, "Please type your current password."),
        (PASSWORD, "password1234", "This password is too common."),
        (PASSWORD, "tiny", "This password is too short."),
    ],
)
def test_password_change_refusals_are_explained(client, ada, old, new, message):
    client.force_login(ada)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": old, "password1": new, "password2": new},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)


def test_email_page_lists_addresses(client, ada):
    client.force_login(ada)
    response = client.get(reverse("account_email"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ada@example.com" in html
    assert "Verified" in html
    assert 'aria-label="Account settings"' in html


def test_add_email_address_sends_verification_and_link_verifies_it(client, ada):
    client.force_login(ada)
    response = client.post(
        reverse("account_email"),
        {"action_add": "", "email": "ada.work@example.com"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Confirmation email sent to ada.work@example.com." in response.content.decode()
    added = EmailAddress.objects.get(email="ada.work@example.com")
    assert added.user == ada and not added.verified and not added.primary

    link = link_in_last_mail("ada.work@example.com", "/accounts/confirm-email/")
    client.post(path_of(link))
    added.refresh_from_db()
    assert added.verified


def test_adding_an_invalid_address_is_refused_on_the_page(client, ada):
    client.force_login(ada)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "not-an-email"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert EmailAddress.objects.filter(user=ada).count() == 1


def test_adding_someone_elses_address_does_not_take_it(client, ada):
    bob = UserFactory(email="bob@example.com")
    client.force_login(ada)
    client.post(reverse("account_email"), {"action_add": "", "email": "bob@example.com"})
    assert not EmailAddress.objects.filter(user=ada, email="bob@example.com", verified=True)
    assert EmailAddress.objects.get(email="bob@example.com", verified=True).user == bob
    # Even following the confirmation link sent to bob's address gives it no second owner.
    for message in mail.outbox:
        for link in [w for w in message.body.split() if "/accounts/confirm-email/" in w]:
            client.post(path_of(link))
    assert not EmailAddress.objects.filter(user=ada, email="bob@example.com", verified=True)
    assert EmailAddress.objects.get(email="bob@example.com", verified=True).user == bob


def test_account_pages_require_login(client):
    for name in ("account_email", "account_change_password", "mfa_index"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
