"""The cache client for counters (API rate limits): one atomic call per count.

With REDIS_URL, counters live in that Redis, through one client and its connection pool for
the process, and a count is one round trip: INCR, and EXPIRE on a new counter, in a Lua
script registered once. Without it (the embedded default) they live in Django's cache, with
its public API (add and incr); the local-memory cache is per process, as the rest of that
default is.
"""

from __future__ import annotations

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver

KEY_PREFIX = "count:"

# INCR, and on a new counter EXPIRE, atomically in one round trip.
_COUNT_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""

_client: redis.Redis | None = None
_count_script = None


def client() -> redis.Redis | None:
    """The process's Redis client for REDIS_URL (None without it). Thread-safe; its pool
    notices a fork and opens fresh connections in the child."""
    global _client, _count_script
    if _client is None and settings.REDIS_URL:
        _client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        _count_script = _client.register_script(_COUNT_SCRIPT)
    return _client


def count(key: str, timeout: int) -> int:
    """Add one to the counter `key` (created to live `timeout` seconds) and return the new
    count."""
    if client() is not None:
        return int(_count_script(keys=[KEY_PREFIX + key], args=[timeout]))
    key = KEY_PREFIX + key
    try:
        return cache.incr(key)
    except ValueError:  # a new counter
        if cache.add(key, 1, timeout):
            return 1
        return cache.incr(key)  # another request created it in between


def reset() -> None:
    """Forget the client (the next count connects to the current REDIS_URL)."""
    global _client, _count_script
    if _client is not None:
        _client.close()
    _client = _count_script = None


@receiver(setting_changed)
def _redis_url_changed(*, setting, **kwargs):
    if setting == "REDIS_URL":
        reset()
