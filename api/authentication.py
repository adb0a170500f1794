"""`Authorization: Bearer <token>` with a personal API token."""

import hmac
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiToken, hash_secret

TOKEN_SEPARATOR = "_"  # noqa: S105 - a separator, not a secret
# last_used_at is written at most this often, so a busy token does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def split_token(raw: str) -> tuple[str, str] | None:
    """'mgt_<prefix>_<secret>' -> (prefix, raw); None when it cannot be one of ours."""
    parts = raw.split(TOKEN_SEPARATOR, 2)
    if len(parts) != 3 or parts[0] != "mgt" or not parts[1] or not parts[2]:
        return None
    return parts[1], raw


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return self.authenticate_token(raw)

    def authenticate_token(self, raw: str):
        parts = split_token(raw)
        if parts is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        prefix, whole = parts
        token = (
            ApiToken.objects.select_related("user")
            .filter(prefix=prefix, revoked_at__isnull=True)
            .first()
        )
        if token is None or not hmac.compare_digest(token.token_hash, hash_secret(whole)):
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is inactive."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        if token.user.language:
            # As on the pages (accounts.middleware): the account's language, chosen on its
            # profile, over the client's Accept-Language; messages and errors speak it.
            translation.activate(token.user.language)
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 to unauthenticated calls.
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from your profile's API tokens page.",
        }
