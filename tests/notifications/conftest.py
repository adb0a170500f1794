"""Real components for delivery tests: an SMTP server (aiosmtpd, in-process, on a free port)
and Celery worker processes on Redis against the PostgreSQL test database.

Delivery tests run only with DATABASE_URL (PostgreSQL) and REDIS_URL set. They skip when
both are unset outside CI; in CI the root conftest refuses to start without them.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def services_configured() -> bool:
    return "postgresql" in settings.DATABASES["default"]["ENGINE"] and bool(settings.REDIS_URL)


needs_services = pytest.mark.skipif(
    not services_configured() and not os.environ.get("CI"),
    reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Keeps every message the server accepted: recipients, Message-ID, parsed message."""

    def __init__(self):
        self.messages: list[dict] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(
                {
                    "to": list(envelope.rcpt_tos),
                    "message_id": "".join(str(parsed["Message-ID"]).split()),
                    "subject": parsed["Subject"],
                    "message": parsed,
                }
            )
        return "250 Message accepted for delivery"


class SMTPSink:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[dict]:
        with self.handler.lock:
            return list(self.handler.messages)

    def start(self) -> "SMTPSink":
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hundreds of test users: a fast hasher keeps the folder quick (passwords are not what
    these tests are about)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def smtp_sink():
    # A free port can be taken by another test process before the server binds it: then
    # another one.
    for attempt in range(5):
        try:
            sink = SMTPSink().start()
            break
        except OSError:
            if attempt == 4:
                raise
    yield sink
    sink.stop()


def flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


class WorkerProcess:
    """`celery -A config worker` in its own process group, on the test database."""

    def __init__(self, name: str, env: dict, log_dir: Path, concurrency: int = 2):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.env = env
        self.concurrency = concurrency
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "WorkerProcess":
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "dispatch,delivery,celery",
                "-c",
                str(self.concurrency),
                "-n",
                f"{self.name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited:\n{self.log_path.read_text()}")
            if b" ready." in self.log_path.read_bytes():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"worker {self.name} did not start:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def worker_env(smtp_port: int, **extra) -> dict:
    db = settings.DATABASES["default"]
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    name = connection.settings_dict["NAME"]  # the test database
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}?timeout=5",
        "SITE_URL": settings.SITE_URL,
        "NOTIFICATIONS_RETRY_BACKOFF_BASE": "1",
        "NOTIFICATIONS_RETRY_BACKOFF_MAX": "4",
        "PYTHONUNBUFFERED": "1",
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start worker processes (stopped again before the database is flushed). Tasks this
    test enqueues go to Redis, not in-process (the root conftest makes them eager)."""
    from config.celery import app

    flush_redis()
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    workers: list[WorkerProcess] = []

    def start(name: str, smtp_port: int, **extra) -> WorkerProcess:
        worker = WorkerProcess(name, worker_env(smtp_port, **extra), tmp_path)
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()
    app.conf.task_always_eager = eager
    flush_redis()


def wait_for(predicate, timeout: float = 30, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
