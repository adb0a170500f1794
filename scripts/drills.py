"""What the failure drills (worker_kill_check.py, smtp_down_check.py) share: the checks of
their environment, an SMTP recorder for aiosmtpd, and starting and stopping a real Celery
worker in its own process group. Imports nothing of the project, so a drill can load it
before django.setup()."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email.parser import BytesHeaderParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fail(message: str) -> None:
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def require_postgres_and_broker() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        fail("set DATABASE_URL to a PostgreSQL database (it is migrated and written to)")
    if not os.environ.get("REDIS_URL"):
        fail("set REDIS_URL (the broker; its database is flushed)")


class Recorder:
    """An aiosmtpd handler that keeps (recipient, Message-ID) of every message, and takes
    20 ms a message, so that a drill's interruption lands mid-batch."""

    def __init__(self):
        self.received: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser().parsebytes(envelope.content)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append((rcpt, "".join(str(headers["Message-ID"]).split())))
        await asyncio.sleep(0.02)
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.received)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_worker(
    name: str, *, log_dir: str, concurrency: int, env: dict[str, str]
) -> subprocess.Popen:
    """A `celery worker` of the project on every queue, in a process group of its own (so
    that a SIGKILL takes its children too), returned once it says it is ready."""
    log_path = Path(log_dir) / f"{name}.log"
    log = open(log_path, "ab")  # noqa: SIM115 - lives as long as the worker
    proc = subprocess.Popen(
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
            str(concurrency),
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            fail(f"worker {name} exited:\n{log_path.read_text()}")
        if b" ready." in log_path.read_bytes():
            return proc
        time.sleep(0.1)
    fail(f"worker {name} did not start:\n{log_path.read_text()}")


def stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> None:
    """Stop a worker's whole process group (`sig`, then SIGKILL if it lingers)."""
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
