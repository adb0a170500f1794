"""Sign-up, e-mail verification, log in and log out through real requests."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

from .helpers import link_in_last_mail, path_of

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a-long-and-unusual-passphrase"


def signup(client, **overrides):
    data = {
        "email": "new.person@example.com",
        "name": "New Person",
        "timezone": "Europe/Berlin",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    } | overrides
    return client.post(reverse("account_signup"), data, follow=True)


def login(client, email, password):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, follow=True
    )


def test_signup_page_renders_in_site_layout(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "auth-card" in html
    # The time zone is the browser's, filled in by static/js/site.js.
    assert 'type="hidden" name="timezone"' in html
    assert "data-browser-timezone" in html


def test_signup_sends_verification_mail_whose_link_verifies_the_address(client):
    response = signup(client)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert "We have sent an email to you for verification" in response.content.decode()

    user = User.objects.get(email="new.person@example.com")
    assert user.name == "New Person"
    assert user.timezone == "Europe/Berlin"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1

    link = link_in_last_mail("new.person@example.com", "/accounts/confirm-email/")
    confirm_page = client.get(path_of(link))
    assert confirm_page.status_code == 200
    assert "new.person@example.com" in confirm_page.content.decode()
    # Opening the link shows a button; a GET alone must not confirm (mail scanners follow links).
    assert not EmailAddress.objects.get(user=user).verified

    response = client.post(path_of(link), follow=True)
    assert response.status_code == 200
    assert EmailAddress.objects.get(user=user).verified
    assert "You have confirmed" in response.content.decode()


def test_unverified_address_cannot_log_in_until_confirmed(client):
    from django.core.cache import cache

    signup(client)
    client.logout()
    response = login(client, "new.person@example.com", GOOD_PASSWORD)
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    # At most one verification e-mail per address every three minutes (counted in the cache).
    assert len(mail.outbox) == 1
    cache.clear()
    login(client, "new.person@example.com", GOOD_PASSWORD)
    assert len(mail.outbox) == 2
    assert link_in_last_mail("new.person@example.com", "/accounts/confirm-email/")


def test_signup_with_an_address_already_in_use_does_not_reveal_the_account(client):
    """allauth prevents account enumeration: the page looks the same as for a new address,
    and the owner of the address is told by e-mail instead."""
    owner = UserFactory(email="taken@example.com")
    response = signup(client, email="taken@example.com")
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="taken@example.com").count() == 1
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["taken@example.com"]
    assert "/accounts/confirm-email/" not in mail.outbox[0].body


def test_signup_with_mismatched_passwords_is_refused_on_the_page(client):
    response = signup(client, password2=GOOD_PASSWORD + "x")
    assert response.status_code == 200
    assert "You must type the same password each time." in response.content.decode()
    assert not User.objects.filter(email="new.person@example.com").exists()


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "x" * 200])
def test_signup_with_an_unknown_or_missing_timezone_stores_utc(client, zone):
    """The zone comes from a hidden field: a value we do not know (no script, a forged
    form) is not stored; the person starts in UTC and the profile offers the browser's."""
    response = signup(client, timezone=zone)
    assert response.status_code == 200
    assert User.objects.get(email="new.person@example.com").timezone == "UTC"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-pw1", "This password is too short. It must contain at least 12 characters."),
        ("1q2w3e4r5t6y7u8i9o0p", "This password is too common."),
        ("123456789012345", "This password is entirely numeric."),
    ],
)
def test_weak_password_is_refused_with_a_clear_message(client, password, message):
    response = signup(client, password1=password, password2=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="new.person@example.com").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "password",
    [
        "x" * 40 + "-a-very-long-passphrase-that-goes-on",  # 76 characters
        "Zürich-café-naïve-façade",  # non-ASCII
        "合言葉はとても長くて安全です",  # 14 characters, none of them ASCII
    ],
)
def test_long_and_non_ascii_passwords_are_accepted_and_work(client, password):
    signup(client, password1=password, password2=password)
    user = User.objects.get(email="new.person@example.com")
    EmailAddress.objects.filter(user=user).update(verified=True)
    client.logout()
    response = login(client, "new.person@example.com", password)
    assert response.wsgi_request.user == user


def test_login_and_logout(client):
    user = UserFactory(email="ada@example.com", name="Ada")
    response = login(client, "ADA@example.com", PASSWORD)
    assert response.status_code == 200
    assert response.wsgi_request.user == user
    assert "Log out" in response.content.decode()

    assert client.get(reverse("account_logout")).status_code == 200  # a question, not an action
    assert "_auth_user_id" in client.session
    response = client.post(reverse("account_logout"), follow=True)
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert "_auth_user_id" not in client.session


def test_wrong_password_gives_a_clear_message(client):
    UserFactory(email="ada@example.com")
    response = login(client, "ada@example.com", "not-the-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The email address and/or password you specified are not correct." in html
    assert not response.wsgi_request.user.is_authenticated


def test_unknown_email_gives_the_same_clear_message(client):
    response = login(client, "nobody@example.com", PASSWORD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The email address and/or password you specified are not correct." in html


def test_login_page_redirects_signed_in_user(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("account_login"))
    assert response.status_code == 302


def test_repeated_failed_logins_are_rate_limited(client, settings):
    """allauth counts failures in the cache: five per address in five minutes."""
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"
    UserFactory(email="ada@example.com")
    for _ in range(5):
        response = login(client, "ada@example.com", "wrong-password-here")
        assert "are not correct" in response.content.decode()
    response = login(client, "ada@example.com", "wrong-password-here")
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    # Even the right password is refused while the limit holds.
    response = login(client, "ada@example.com", PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_rate_limit_is_counted_in_the_cache(client):
    from django.core.cache import cache

    UserFactory(email="ada@example.com")
    for _ in range(6):
        login(client, "ada@example.com", "wrong-password-here")
    cache.clear()  # a restart with an empty cache forgets the failures
    response = login(client, "ada@example.com", PASSWORD)
    assert response.wsgi_request.user.is_authenticated
