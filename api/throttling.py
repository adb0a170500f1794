"""Throttles that read their rate from settings on each request (DRF's own read it once at
import), so an operator's environment and a test's override_settings both take effect."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


def _rate(scope: str) -> str | None:
    return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope)


class AnonThrottle(AnonRateThrottle):
    def get_rate(self):
        return _rate(self.scope)


class UserThrottle(UserRateThrottle):
    def get_rate(self):
        return _rate(self.scope)


class TokenThrottle(UserRateThrottle):
    """A separate, lower budget for requests made with a personal API token (scripts), keyed
    by the token, so one runaway script does not use up its owner's browser budget."""

    scope = "token"

    def get_rate(self):
        return _rate(self.scope)

    def get_cache_key(self, request, view):
        from .models import ApiToken

        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
