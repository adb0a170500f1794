"""The cache client for counters (API rate limits): one atomic call per count.

With REDIS_URL, counters live in that Redis, through one client and its connection pool for
the process, and a count is one round trip: INCR, and EXPIRE on a new counter, in a Lua
script registered once. Without it (the embedded default) they live in Django's cache, with
its public API (add and incr); the local-memory cache is per process, as the rest of that
default is.

When Redis cannot be reached, a count is kept in this process instead (a local-memory cache
of its own), with a warning logged once per outage: each web process then enforces the full
rate on its own, so a client gets at most that many times its rate until Redis answers
again, and no request fails because the counter is gone.
"""

from __future__ import annotations

import logging
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.dispatch import receiver

KEY_PREFIX = "count:"
# After a failed count, Redis is not asked again for this many seconds.
RETRY_AFTER = 5

logger = logging.getLogger(__name__)
_UNREACHABLE = (redis.ConnectionError, redis.TimeoutError, OSError)
# Counters of this process, used while Redis is unreachable.
_local = LocMemCache("core.cache.local-counters", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
_down_until = 0.0
_outage = False

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
    global _down_until, _outage
    if client() is not None:
        if time.monotonic() >= _down_until:
            try:
                n = int(_count_script(keys=[KEY_PREFIX + key], args=[timeout]))
            except _UNREACHABLE as exc:
                if not _outage:
                    logger.warning(
                        "Redis unreachable for rate-limit counters (%s: %s): counting in "
                        "this process until it answers again",
                        type(exc).__name__,
                        exc,
                    )
                _outage = True
                _down_until = time.monotonic() + RETRY_AFTER
            else:
                _outage = False
                return n
        return _count_in(_local, KEY_PREFIX + key, timeout)
    return _count_in(cache, KEY_PREFIX + key, timeout)


def _count_in(store, key: str, timeout: int) -> int:
    try:
        return store.incr(key)
    except ValueError:  # a new counter
        if store.add(key, 1, timeout):
            return 1
        return store.incr(key)  # another request created it in between


def reset() -> None:
    """Forget the client (the next count connects to the current REDIS_URL)."""
    global _client, _count_script, _down_until, _outage
    if _client is not None:
        _client.close()
    _client = _count_script = None
    _down_until = 0.0
    _outage = False
    _local.clear()


@receiver(setting_changed)
def _redis_url_changed(*, setting, **kwargs):
    if setting == "REDIS_URL":
        reset()
