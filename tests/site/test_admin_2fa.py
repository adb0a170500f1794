"""The Django admin needs two-factor authentication: staff without TOTP are sent to set it up,
staff with TOTP reach it once they have given a code, everyone else is answered as before."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.accounts.helpers import totp_code
from tests.factories import PASSWORD, UserFactory
from tests.two_factor import add_totp, sign_in_with_totp

pytestmark = pytest.mark.django_db


def _sign_in_with_password(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert not response["Location"].startswith(reverse("mfa_authenticate"))


@pytest.mark.parametrize(
    "flags", [{"is_staff": True}, {"is_staff": True, "is_superuser": True}], ids=str
)
def test_staff_without_totp_are_sent_to_set_it_up_with_a_message(client, flags):
    staff = UserFactory(**flags)
    _sign_in_with_password(client, staff)
    for name in ("admin:index", "admin:accounts_user_changelist", "admin:login"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("mfa_activate_totp")
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("two-factor authentication" in text for text in texts)
    # The rest of the site is not affected.
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_staff_who_signed_in_with_totp_reach_the_admin(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in_with_totp(client, staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_staff_who_set_up_totp_after_signing_in_give_a_code_first(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    _sign_in_with_password(client, staff)
    secret = add_totp(staff)
    target = reverse("admin:accounts_user_changelist")
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    wrong = client.post(response["Location"], {"code": "000000"})
    assert wrong.status_code == 200
    assert client.get(target).status_code == 302
    response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_a_signed_in_user_who_is_not_staff_is_not_sent_to_set_up_totp(client):
    user = UserFactory()
    _sign_in_with_password(client, user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.get(response["Location"]).status_code == 403
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert not any("two-factor" in text for text in texts)


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.get(response["Location"])["Location"].startswith(reverse("account_login"))
