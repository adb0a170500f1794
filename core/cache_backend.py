"""A Redis cache that a Redis outage turns into a cache that is always empty.

`ResilientRedisCache` is a cache backend on Django's public `BaseCache` that hands every call
to Django's own `RedisCache`. When Redis cannot be reached (a connection error or a timeout),
a read is a miss, a write is skipped (`add` answers True, as on an empty cache) and an
increment raises ValueError as on a missing key. Keys that start with one of
`LOCAL_FALLBACK_PREFIXES` (allauth's rate limits, "allauth:rl:") are kept meanwhile in a
local-memory cache of the process, so that those limits still count, per process. Each
outage is logged once as a warning, and for `RETRY_AFTER` seconds (default 5) the process
does not try Redis again, so a dead server costs one connection timeout per process and
pause rather than one per cache call.

Keys that could not be written or deleted during an outage may still hold an older value in
a Redis that comes back with its data (a session that was ended, say): they are remembered,
up to `MAX_STALE_KEYS` per process, and deleted as soon as Redis answers again.

Settings (CACHES["default"]): "BACKEND": "core.cache_backend.ResilientRedisCache", and
"LOCATION", "KEY_PREFIX", "TIMEOUT", "OPTIONS" as for RedisCache; "RETRY_AFTER",
"MAX_STALE_KEYS" and "LOCAL_FALLBACK_PREFIXES" are read here.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Outage:
    """What the process knows about one Redis location. Django makes a cache object per
    thread; the threads of a process share this."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.down = False
        self.stale: set[tuple[str, int | None]] = set()


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_of(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


class ResilientRedisCache(BaseCache):
    def __init__(self, server, params):
        super().__init__(params)
        self.redis = RedisCache(server, params)
        self.retry_after = float(params.get("RETRY_AFTER", 5))
        self.max_stale_keys = int(params.get("MAX_STALE_KEYS", 10_000))
        location = server if isinstance(server, str) else ",".join(server)
        self._state = _outage_of(location)
        self.local_prefixes = tuple(params.get("LOCAL_FALLBACK_PREFIXES", ()))
        self.local = LocMemCache(
            f"resilient-fallback:{location}", {"OPTIONS": {"MAX_ENTRIES": 10_000}}
        )

    # --- outage bookkeeping ---------------------------------------------------------------

    @property
    def is_down(self) -> bool:
        """True while this process treats Redis as unreachable."""
        return time.monotonic() < self._state.down_until

    def _failed(self, exc: Exception, stale=()) -> None:
        with self._state.lock:
            if not self._state.down:
                logger.warning(
                    "Redis cache unreachable (%s: %s): reads are misses and writes are "
                    "skipped until it answers again",
                    type(exc).__name__,
                    exc,
                )
            self._state.down = True
            self._state.down_until = time.monotonic() + self.retry_after
            for item in stale:
                if len(self._state.stale) >= self.max_stale_keys:
                    logger.warning("Too many cache keys to forget after the outage: dropped")
                    break
                self._state.stale.add(item)

    def _recovered(self) -> None:
        with self._state.lock:
            if not self._state.down:
                return
            self._state.down = False
            stale, self._state.stale = self._state.stale, set()
        logger.warning("Redis cache reachable again; forgetting %d stale keys", len(stale))
        by_version: dict[int | None, list[str]] = {}
        for key, version in stale:
            by_version.setdefault(version, []).append(key)
        try:
            for version, keys in by_version.items():
                self.redis.delete_many(keys, version=version)
        except UNREACHABLE as exc:
            self._failed(exc, stale)

    def _call(self, default, name, *args, key=None, stale=(), **kwargs):
        """RedisCache's method `name`, or, when Redis is unreachable, `default` (or the
        local-memory cache's method for a `key` with a local fallback prefix); `stale` names
        the keys whose value may be out of date if the call does not reach Redis."""
        if not self.is_down:
            try:
                result = getattr(self.redis, name)(*args, **kwargs)
            except UNREACHABLE as exc:
                self._failed(exc, stale)
            else:
                if self._state.down:
                    self._recovered()
                return result
        else:
            self._failed_quietly(stale)
        if key is not None and key.startswith(self.local_prefixes):
            return getattr(self.local, name)(*args, **kwargs)
        return default

    def _failed_quietly(self, stale) -> None:
        if stale:
            with self._state.lock:
                for item in stale:
                    if len(self._state.stale) >= self.max_stale_keys:
                        break
                    self._state.stale.add(item)

    # --- the cache API ----------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            True, "add", key, value, timeout, version, key=key, stale=[(key, version)]
        )

    def get(self, key, default=None, version=None):
        return self._call(default, "get", key, default, version, key=key)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call(None, "set", key, value, timeout, version, key=key, stale=[(key, version)])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, "touch", key, timeout, version, key=key)

    def delete(self, key, version=None):
        return self._call(False, "delete", key, version, key=key, stale=[(key, version)])

    def get_many(self, keys, version=None):
        return self._call({}, "get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call(False, "has_key", key, version, key=key)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._call(missing, "incr", key, delta, version, key=key, stale=[(key, version)])
        if result is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        stale = [(key, version) for key in data]
        return self._call(list(data), "set_many", data, timeout, version, stale=stale)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        stale = [(key, version) for key in keys]
        self._call(None, "delete_many", keys, version, stale=stale)

    def clear(self):
        self.local.clear()
        return self._call(False, "clear")

    def close(self, **kwargs):
        self.redis.close(**kwargs)
