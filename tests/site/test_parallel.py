"""The suite runs on several pytest-xdist workers (make test): each has its own test
database (pytest-django) and its own Redis database (tests/conftest.py)."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache

from config.celery import app
from core import cache as counters
from tests.conftest import redis_url_for_worker


def test_each_worker_has_its_own_redis_database():
    assert redis_url_for_worker("redis://127.0.0.1:6379/15", "gw0") == "redis://127.0.0.1:6379/15"
    assert redis_url_for_worker("redis://127.0.0.1:6379/15", "gw1") == "redis://127.0.0.1:6379/13"
    assert redis_url_for_worker("redis://h:6379/1", "gw1") == "redis://h:6379/15"
    assert redis_url_for_worker("redis://h:6379", "gw2") == "redis://h:6379/12"
    assert redis_url_for_worker("redis://h:6379/15", "") == "redis://h:6379/15"
    assert redis_url_for_worker("", "gw1") == ""
    with pytest.raises(pytest.UsageError):
        redis_url_for_worker("redis://h:6379/15", "gw4")


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")
@pytest.mark.redis
def test_cache_broker_and_counters_use_this_workers_database():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = settings.REDIS_URL
    assert url == redis_url_for_worker(os.environ["REDIS_URL"], worker)
    assert cache.redis._servers == [url]  # Django's RedisCache inside core.cache_backend
    assert app.conf.broker_url == url == settings.CELERY_BROKER_URL
    db = int(url.rsplit("/", 1)[1])
    assert counters.client().connection_pool.connection_kwargs["db"] == db
