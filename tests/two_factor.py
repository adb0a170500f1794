"""Staff who use the Django admin need two-factor authentication: give a user a TOTP
authenticator (allauth's Authenticator model, the secret stored as allauth stores it) and sign
them in as a person would, password first and then a code from their app."""

import base64
import secrets

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.urls import reverse

from .accounts.helpers import totp_code
from .factories import PASSWORD


def add_totp(user) -> str:
    """Give `user` a TOTP authenticator; return its secret."""
    secret = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)}
    )
    return secret


def sign_in_with_totp(client, user, *, password: str = PASSWORD) -> str:
    """Give `user` (with a verified address) a TOTP authenticator and sign them in with the
    password and a code; return the secret."""
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    secret = add_totp(user)
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response["Location"].startswith(reverse("mfa_authenticate")), response
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:500]
    return secret
