"""/healthz: the state of the database and, when configured, the broker and the cache."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

CLOSED = "redis://127.0.0.1:1/0"


def test_healthz_is_200_with_json_when_up(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert body["services"]["database"] == {"ok": True}
    if settings.REDIS_URL:
        assert body["services"]["broker"] == {"ok": True}
        assert body["services"]["cache"] == {"ok": True}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_naming_broker_and_cache_when_redis_is_unreachable(client):
    with override_settings(
        REDIS_URL=CLOSED,
        CELERY_BROKER_URL=CLOSED,
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": CLOSED,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        },
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["broker", "cache"]
    assert body["services"]["database"] == {"ok": True}
    assert body["services"]["broker"]["ok"] is False
    assert "Connection" in body["services"]["broker"]["error"]
    assert body["services"]["cache"]["ok"] is False


def test_healthz_is_503_naming_database_when_it_fails(client, monkeypatch):
    from core import health

    monkeypatch.setattr(health, "check_database", lambda: "OperationalError: gone")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "database" in response.json()["down"]


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
