"""Throttles that read their rate from settings on each request (DRF's own read it once at
import), so an operator's environment and a test's override_settings both take effect.

They count requests in fixed windows (one counter per client per window, core.cache.count:
one round trip to Redis) instead of DRF's list of timestamps, which is read and written
whole on every request: 1,200 entries for a busy user at the default rate. A client may
send up to twice its rate across the boundary of two windows; within any one window it gets
its rate.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from core import cache as counters


def _rate(scope: str) -> str | None:
    return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope)


class FixedWindowMixin:
    def get_rate(self):
        return _rate(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self._retry_after = (window + 1) * self.duration - now
        # The window's number is in the key, so a counter outlives its window only until it
        # expires; the timeout covers the rest of the window and a second to spare.
        count = counters.count(f"{self.key}:{window}", int(self._retry_after) + 1)
        return count <= self.num_requests

    def wait(self):
        return self._retry_after


class AnonThrottle(FixedWindowMixin, AnonRateThrottle):
    pass


class UserThrottle(FixedWindowMixin, UserRateThrottle):
    pass


class TokenThrottle(FixedWindowMixin, UserRateThrottle):
    """A separate, lower budget for requests made with a personal API token (scripts), keyed
    by the token, so one runaway script does not use up its owner's browser budget."""

    scope = "token"

    def get_cache_key(self, request, view):
        from .models import ApiToken

        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
