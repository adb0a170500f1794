"""Redis down: a Redis of the test's own, on a free port, stopped mid-run. Signed-in pages, a
form, the API and the sign-in form keep working on the database; /healthz names the cache and
the broker as down; nothing written meanwhile is lost; a session ended during the outage
stays ended when Redis comes back with its data."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from core import cache as counters
from core.cache_backend import ResilientRedisCache
from tests.factories import PASSWORD, GoalFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server process of this test: start, stop (the process ends, its data with it)
    and pause (SIGSTOP: it keeps its data but answers nothing)."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def own_redis():
    if REDIS_SERVER is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the Redis-down drill: redis-server is not installed")
        pytest.skip("redis-server is not installed")
    server = OwnRedis()
    server.start()
    try:
        yield server
    finally:
        if server.process is not None:
            server.resume()
        server.stop()


def _settings_for(url: str) -> dict:
    return {
        "REDIS_URL": url,
        "CELERY_BROKER_URL": url,
        "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
        "CACHES": {
            "default": {
                "BACKEND": "core.cache_backend.ResilientRedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "mentorship",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
                "RETRY_AFTER": 1,
                "LOCAL_FALLBACK_PREFIXES": ["allauth:rl:"],
            }
        },
    }


@pytest.fixture
def on_own_redis(own_redis):
    with override_settings(**_settings_for(own_redis.url)):
        counters.reset()
        yield own_redis
    counters.reset()


def _sign_in(client, email: str) -> None:
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def test_signed_in_pages_forms_and_the_api_keep_working_when_redis_stops(
    client, mentee, on_own_redis, caplog
):
    goal = GoalFactory(mentee=mentee)
    _sign_in(client, mentee.email)
    assert client.get(reverse("goals:mentee_dashboard")).status_code == 200
    session_key = client.session.session_key
    # The session is in Redis, as it is on every request while Redis is up.
    cache = caches["default"]
    assert isinstance(cache, ResilientRedisCache)
    assert cache.redis.get(f"django.contrib.sessions.cached_db{session_key}") is not None

    on_own_redis.stop()

    with caplog.at_level("WARNING"):
        page = client.get(reverse("goals:mentee_dashboard"))
        assert page.status_code == 200
        assert mentee.name in page.content.decode()
        assert client.get(reverse("goals:goal_detail", args=[goal.uuid])).status_code == 200
        assert client.get(reverse("accounts:profile")).status_code == 200

        form = client.post(
            reverse("accounts:profile"), {"name": "Mia Offline", "timezone": "Asia/Kolkata"}
        )
        assert form.status_code == 302
        update = client.post(
            reverse("goals:update_add", args=[goal.uuid]),
            {"value": "3", "note": "Ran it three times", "confidence": "4"},
        )
        assert update.status_code == 302

        me = client.get("/api/v1/me/")
        assert me.status_code == 200
        assert me.json()["name"] == "Mia Offline"
        goals = client.get("/api/v1/goals/")
        assert goals.status_code == 200
        assert str(goal.uuid) in goals.content.decode()

        health = client.get("/healthz")
    assert health.status_code == 503
    body = health.json()
    assert body["down"] == ["broker", "cache"]
    assert body["services"]["database"] == {"ok": True}
    assert any("Redis cache unreachable" in r.getMessage() for r in caplog.records)
    assert any("rate-limit counters" in r.getMessage() for r in caplog.records)

    # Nothing written during the outage is lost.
    mentee.refresh_from_db()
    assert (mentee.name, str(mentee.timezone)) == ("Mia Offline", "Asia/Kolkata")
    goal.refresh_from_db()
    assert goal.current_value == 3
    assert goal.updates.count() == 1

    # Redis comes back (empty): the same session goes on, and health is green again.
    on_own_redis.start()
    time.sleep(1.1)  # RETRY_AFTER
    assert client.get(reverse("goals:mentee_dashboard")).status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_signing_in_works_and_is_still_rate_limited_while_redis_is_down(
    client, mentee, on_own_redis, settings
):
    on_own_redis.stop()
    _sign_in(client, mentee.email)
    assert client.get(reverse("goals:mentee_dashboard")).status_code == 200
    client.logout()
    # allauth's limits count in this process meanwhile: wrong passwords are still refused
    # after the limit, rather than allowed without end.
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/key"}
    answers = [
        client.post(
            reverse("account_login"), {"login": mentee.email, "password": "wrong-" + str(n)}
        ).content.decode()
        for n in range(5)
    ]
    refused = ["Too many failed login attempts" in answer for answer in answers]
    assert refused == [False, False, False, True, True]


def test_api_throttle_counts_in_the_process_while_redis_is_down(
    client, mentee, on_own_redis, settings
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user": "3/minute",
        },
    }
    client.force_login(mentee)
    on_own_redis.stop()
    statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429


def test_a_session_ended_during_an_outage_stays_ended_when_redis_returns_with_its_data(
    client, mentee, on_own_redis
):
    _sign_in(client, mentee.email)
    session_key = client.session.session_key
    cached = f"django.contrib.sessions.cached_db{session_key}"
    cache = caches["default"]
    assert cache.redis.get(cached) is not None
    cookie = client.cookies["sessionid"].value

    on_own_redis.pause()  # Redis keeps the session but answers nothing
    assert client.post(reverse("account_logout")).status_code == 302
    on_own_redis.resume()
    time.sleep(1.1)  # RETRY_AFTER
    # The first call that reaches Redis again forgets the keys it could not delete.
    assert cache.get("anything") is None
    assert cache.redis.get(cached) is None
    client.cookies["sessionid"] = cookie
    response = client.get(reverse("goals:mentee_dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert User.objects.filter(pk=mentee.pk).exists()


def _drill_app(url: str):
    from celery import Celery

    app = Celery("redis-down-drill", broker=url, set_as_current=False)
    app.conf.update(
        broker_connection_timeout=0.5,
        broker_connection_retry=False,
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.1},
    )

    @app.task(name="drill.noop")
    def noop(n):
        return n

    return app, noop


def test_a_job_enqueued_while_the_broker_is_down_never_fails_the_request(
    own_redis, django_capture_on_commit_callbacks, caplog
):
    from core import jobs

    app, noop = _drill_app(own_redis.url)
    jobs.register(f"drill.noop.{own_redis.port}", noop)
    noop.delay(1)  # the broker answers: the message is queued
    assert redis.Redis.from_url(own_redis.url).llen("celery") == 1
    own_redis.stop()
    started = time.monotonic()
    with caplog.at_level("ERROR"), django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue_on_commit(f"drill.noop.{own_redis.port}", 2)
    assert time.monotonic() - started < 10
    assert any("drill.noop" in r.getMessage() or r.exc_info for r in caplog.records)
    app.close()


def test_a_job_nothing_would_find_again_runs_here_while_the_broker_is_down(
    own_redis, django_capture_on_commit_callbacks, caplog
):
    """Jobs registered with run_here_if_unreachable (the notices of imported pairings) are
    not lost with the broker: they run in the request's process instead."""
    from core import jobs

    app, noop = _drill_app(own_redis.url)
    ran = []

    @app.task(name="drill.remember")
    def remember(n):
        ran.append(n)

    name = f"drill.remember.{own_redis.port}"
    jobs.register(name, remember, run_here_if_unreachable=True)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue_on_commit(name, 1)  # the broker answers: queued, not run here
    assert ran == [] and redis.Redis.from_url(own_redis.url).llen("celery") == 1
    own_redis.stop()
    with caplog.at_level("WARNING"), django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue_on_commit(name, 2)
    assert ran == [2]
    assert any("running drill.remember" in r.getMessage() for r in caplog.records)
    app.close()


def test_the_backend_is_redis_when_up_and_an_empty_cache_when_down(own_redis, caplog):
    cache = ResilientRedisCache(
        own_redis.url,
        {
            "KEY_PREFIX": "drill",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "RETRY_AFTER": 0,
            "LOCAL_FALLBACK_PREFIXES": ["allauth:rl:"],
        },
    )
    cache.set("a", 1)
    assert cache.get("a") == 1
    assert cache.incr("a") == 2
    assert cache.add("a", 5) is False
    assert cache.get_many(["a", "b"]) == {"a": 2}
    assert cache.redis.get("a") == 2  # it is Django's RedisCache underneath

    own_redis.stop()
    with caplog.at_level("WARNING"):
        assert cache.get("a") is None
        assert cache.get("a", "fallback") == "fallback"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("a") is False
        cache.set("a", 3)
        assert cache.add("lock", 1) is True  # as on an empty cache: a lock is had
        assert cache.set_many({"x": 1, "y": 2}) == ["x", "y"]  # the keys not stored
        with pytest.raises(ValueError):
            cache.incr("a")
        assert cache.delete("a") is False
        # allauth's rate limits count in the process meanwhile.
        cache.set("allauth:rl:login", [1.0])
        assert cache.get("allauth:rl:login") == [1.0]
    warnings = [r for r in caplog.records if "Redis cache unreachable" in r.getMessage()]
    assert len(warnings) == 1  # once per outage, not once per call

    own_redis.start()  # back, and empty
    assert cache.get("a") is None
    cache.set("a", 4)
    assert cache.get("a") == 4
    cache.close()
