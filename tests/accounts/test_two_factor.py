"""TOTP two-factor authentication and recovery codes, with codes computed as an app would."""

import re
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

from .helpers import totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.com", name="Ada")


def login(client, email="ada@example.com", password=PASSWORD):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, follow=True
    )


def activate_totp(client) -> str:
    """Activate TOTP for the logged-in user; return the secret the page showed."""
    page = client.get(reverse("mfa_activate_totp"))
    # Changing two-factor settings asks for the password again first.
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("account_reauthenticate"))
    page = client.post(page["Location"], {"password": PASSWORD}, follow=True)
    assert page.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.content.decode()  # shown for manual entry, next to the QR code
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)}, follow=True)
    assert response.status_code == 200
    return secret


def test_reauthentication_with_a_wrong_password_is_refused_on_the_page(client, ada):
    login(client)
    response = client.post(reverse("account_reauthenticate"), {"password": "not-it-at-all"})
    assert response.status_code == 200
    assert "Incorrect password." in response.content.decode()


def test_mfa_index_offers_the_authenticator_app(client, ada):
    login(client)
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 200
    assert "Authenticator App" in response.content.decode()


def test_activation_with_a_wrong_code_is_refused_on_the_page(client, ada):
    login(client)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not Authenticator.objects.filter(user=ada).exists()


def test_totp_activation_then_login_requires_the_code(client, ada):
    login(client)
    secret = activate_totp(client)
    types = set(Authenticator.objects.filter(user=ada).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}

    client.post(reverse("account_logout"))
    response = login(client)
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    assert not response.wsgi_request.user.is_authenticated
    # The code field takes autofill from an authenticator or the phone, and paste (3.3.8).
    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", response.content.decode()).group(0)
    assert 'autocomplete="one-time-code"' in field
    assert "onpaste" not in field and "maxlength" not in field

    response = client.post(reverse("mfa_authenticate"), {"code": "123456"}, follow=True)
    assert "Incorrect code." in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated

    # A code from the next 30-second window: the activation code may not be replayed.
    with time_machine.travel(time.time() + 31, tick=False):
        response = client.post(
            reverse("mfa_authenticate"), {"code": totp_code(secret)}, follow=True
        )
    assert response.wsgi_request.user == ada


def test_a_totp_code_cannot_be_used_twice(client, ada):
    login(client)
    secret = activate_totp(client)
    client.post(reverse("account_logout"))
    with time_machine.travel(time.time() + 31, tick=False):
        code = totp_code(secret)
        login(client)
        client.post(reverse("mfa_authenticate"), {"code": code})
        client.post(reverse("account_logout"))
        login(client)
        response = client.post(reverse("mfa_authenticate"), {"code": code}, follow=True)
    assert "Incorrect code." in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_recovery_codes_are_shown_and_each_logs_in_once(client, ada):
    login(client)
    activate_totp(client)
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 200
    codes = response.context["unused_codes"]
    assert len(codes) == 10
    assert codes[0] in response.content.decode()

    client.post(reverse("account_logout"))
    login(client)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]}, follow=True)
    assert response.wsgi_request.user == ada

    client.post(reverse("account_logout"))
    login(client)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]}, follow=True)
    assert "Incorrect code." in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_generating_new_recovery_codes_replaces_the_old_ones(client, ada):
    login(client)
    activate_totp(client)
    old = client.get(reverse("mfa_view_recovery_codes")).context["unused_codes"]
    response = client.post(reverse("mfa_generate_recovery_codes"), follow=True)
    assert response.status_code == 200
    new = client.get(reverse("mfa_view_recovery_codes")).context["unused_codes"]
    assert set(old).isdisjoint(new)
