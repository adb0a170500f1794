"""core.cache.count: the API throttles' counter, in Redis with REDIS_URL, else in Django's
cache."""

import pytest
from django.conf import settings
from django.core.cache import cache

from core import cache as counters

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")


def test_counts_up_in_djangos_cache_without_redis(settings):
    settings.REDIS_URL = ""
    assert [counters.count("ci:window", 60) for _ in range(3)] == [1, 2, 3]
    assert counters.count("ci:other", 60) == 1
    cache.delete(counters.KEY_PREFIX + "ci:window")
    assert counters.count("ci:window", 60) == 1


@needs_redis
@pytest.mark.redis
def test_counts_up_in_redis_in_one_client_and_expires_once():
    client = counters.client()
    assert counters.client() is client  # one client, one pool, for the process
    assert [counters.count("ci:window", 30) for _ in range(3)] == [1, 2, 3]
    key = counters.KEY_PREFIX + "ci:window"
    assert 0 < client.ttl(key) <= 30
    client.expire(key, 100)
    counters.count("ci:window", 30)  # only a new counter gets the timeout
    assert client.ttl(key) > 30
    client.delete(key)


@needs_redis
@pytest.mark.redis
def test_a_new_redis_url_gets_a_new_client(settings):
    first = counters.client()
    settings.REDIS_URL = settings.REDIS_URL  # the signal fires on any override
    assert counters.client() is not first
