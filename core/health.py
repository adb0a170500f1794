"""Health of the services the site depends on, for /healthz and for operators."""

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import connection

from .cache_backend import ResilientRedisCache


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the reason is reported
        return f"{type(exc).__name__}: {exc}"
    return None


def check_broker() -> str | None:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def check_cache() -> str | None:
    # The resilient backend hides an outage from pages; health asks its Redis directly.
    cache = caches["default"]
    target = cache.redis if isinstance(cache, ResilientRedisCache) else cache
    try:
        target.set("healthz", "ok", 10)
        if target.get("healthz") != "ok":
            return "the cache did not return what was stored"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def service_health() -> dict[str, dict]:
    """Each configured service with its state: {"database": {"ok": True}, ...}.

    The broker and a shared cache are only checked when REDIS_URL is configured; the embedded
    defaults (eager tasks, local-memory cache) have nothing that can be down.
    """
    checks = {"database": check_database}
    if settings.REDIS_URL:
        checks["broker"] = check_broker
        checks["cache"] = check_cache
    result = {}
    for name, check in checks.items():
        error = check()
        result[name] = {"ok": error is None} | ({"error": error} if error else {})
    return result
