"""Kill a Celery worker in the middle of a batch of 500 digests, restart it, and check that
every recipient got their digest once, apart from messages in flight at the kill, which
must carry the same Message-ID as the first copy. Exits non-zero on failure. Run by CI:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/killcheck \\
    REDIS_URL=redis://127.0.0.1:6379/14 \\
    .venv/bin/python scripts/worker_kill_check.py

DATABASE_URL must be PostgreSQL (a throwaway database: it is migrated, and the rows this
script makes are deleted again at the end); REDIS_URL is the broker, and its database is
flushed. Optional: KILL_AFTER (messages received before the kill, default 120), RECIPIENTS
(default 500), CONCURRENCY (worker processes, default 4).

1. Start an SMTP server in this process (aiosmtpd) that records every Message-ID; it is a
   little slow (20 ms a message) so the kill lands mid-batch.
2. Make RECIPIENTS mentors whose weekly digest is due now; one dispatcher pass creates the
   rows and enqueues them (tasks of 50 ids) on Redis.
3. Start `celery worker`, wait for KILL_AFTER messages, SIGKILL its whole process group.
4. Start a new worker; act as beat: a dispatcher pass every two seconds re-enqueues rows
   whose claim has lapsed (NOTIFICATIONS_CLAIM_LEASE is 5 s here), until all are sent.
5. Check the recordings against the database.
"""

import hashlib
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drills import (  # noqa: E402
    Recorder,
    fail,
    free_port,
    require_postgres_and_broker,
    start_worker,
    stop,
)

RECIPIENTS = int(os.environ.get("RECIPIENTS", "500"))
KILL_AFTER = int(os.environ.get("KILL_AFTER", "120"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "4"))
LEASE = "5"
TAG = f"killcheck{int(time.time())}"


def worker(name: str, smtp_port: int, log_dir: str):
    return start_worker(
        name,
        log_dir=log_dir,
        concurrency=CONCURRENCY,
        env={
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}?timeout=10",
            "NOTIFICATIONS_CLAIM_LEASE": LEASE,
        },
    )


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["NOTIFICATIONS_CLAIM_LEASE"] = LEASE
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd narrates every command


require_postgres_and_broker()

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from mentorship.models import Membership, Pairing, PairingStatus, Program, Role  # noqa: E402
from notifications import dispatch  # noqa: E402
from notifications.kinds import Kind  # noqa: E402
from notifications.models import Notification, Preferences  # noqa: E402


def make_recipients(n: int) -> list[User]:
    """n mentors whose digest is due this hour (UTC), each with one mentee."""
    now = timezone.now()
    with transaction.atomic():
        program = Program.objects.create(name=f"Kill check {TAG}", slug=TAG)
        users = User.objects.bulk_create(
            User(email=f"{TAG}-{i}@example.com", name=f"Person {i}", password="!")
            for i in range(2 * n)
        )
        mentors, mentees = users[:n], users[n:]
        Membership.objects.bulk_create(
            [Membership(program=program, user=u, role=Role.MENTOR) for u in mentors]
            + [Membership(program=program, user=u, role=Role.MENTEE) for u in mentees]
        )
        Pairing.objects.bulk_create(
            Pairing(
                program=program,
                mentor=a,
                mentee=b,
                status=PairingStatus.ACTIVE,
                started_on=now.date(),
            )
            for a, b in zip(mentors, mentees, strict=True)
        )
        Preferences.objects.bulk_create(
            [
                Preferences(user=u, digest_weekday=now.weekday(), digest_hour=now.hour)
                for u in mentors
            ]
            + [Preferences(user=u, muted_kinds=[Kind.DIGEST_MENTEE]) for u in mentees]
        )
    return mentors


def cleanup() -> None:
    User.objects.filter(email__startswith=f"{TAG}-").delete()
    Program.objects.filter(slug=TAG).delete()


def main() -> None:
    call_command("migrate", verbosity=0)
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.flushdb()
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    log_dir = tempfile.mkdtemp(prefix="worker-kill-")
    workers: list[subprocess.Popen] = []
    try:
        mentors = make_recipients(RECIPIENTS)
        # Other notifications due in this database (from earlier runs) would muddy the
        # counts: the check only looks at its own recipients.
        ids = {m.id for m in mentors}
        result = dispatch.dispatch()
        ours = Notification.objects.filter(recipient_id__in=ids, kind=Kind.DIGEST_MENTOR)
        if ours.count() != RECIPIENTS:
            fail(f"the dispatcher made {ours.count()} digests, expected {RECIPIENTS}")
        print(f"dispatcher: {result.as_dict()}", flush=True)

        workers.append(worker("first", port, log_dir))
        deadline = time.monotonic() + 120
        while recorder.count() < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.01)
        stop(workers[0], signal.SIGKILL)
        at_kill = recorder.count()
        sent_at_kill = ours.filter(sent_at__isnull=False).count()
        print(f"SIGKILL after {at_kill} messages received, {sent_at_kill} marked sent", flush=True)
        if at_kill >= RECIPIENTS:
            fail("the batch finished before the kill; raise RECIPIENTS or lower KILL_AFTER")

        workers.append(worker("second", port, log_dir))
        deadline = time.monotonic() + 180
        while ours.filter(sent_at__isnull=True).exists() and time.monotonic() < deadline:
            dispatch.enqueue_pending(timezone.now())  # what beat's dispatcher does
            time.sleep(2)
        time.sleep(3)  # let anything still in flight land

        expected = {
            m.email: f"<{hashlib.sha256(row.batch_key.encode()).hexdigest()}@"
            for m in mentors
            for row in [ours.get(recipient=m)]
        }
        by_recipient: dict[str, list[str]] = defaultdict(list)
        with recorder.lock:
            for rcpt, message_id in recorder.received:
                by_recipient[rcpt].append(message_id)
        missing = [email for email in expected if not by_recipient.get(email)]
        wrong_ids = [
            email
            for email, got in by_recipient.items()
            if email in expected and any(not mid.startswith(expected[email]) for mid in got)
        ]
        repeats = {email: len(got) for email, got in by_recipient.items() if len(got) > 1}
        unsent = ours.filter(sent_at__isnull=True).count()
        print(
            f"received {recorder.count()} messages for {len(by_recipient)} recipients; "
            f"repeats: {len(repeats)}; not marked sent: {unsent}",
            flush=True,
        )
        if missing:
            fail(f"{len(missing)} recipients got no digest, e.g. {missing[:3]}")
        if unsent:
            fail(f"{unsent} digests are not marked sent")
        if wrong_ids:
            fail(
                "a message carries another Message-ID than its key gives: "
                + "; ".join(f"{e}: {by_recipient[e]} not {expected[e]}..." for e in wrong_ids[:3])
            )
        if len(repeats) > CONCURRENCY:
            fail(
                f"{len(repeats)} repeats, more than the {CONCURRENCY} messages that can be "
                f"in flight at once"
            )
        print(
            f"OK: {RECIPIENTS} recipients, each got their digest; {len(repeats)} repeat(s), "
            "all with the first copy's Message-ID",
            flush=True,
        )
    finally:
        for proc in workers:
            stop(proc)
        controller.stop()
        broker.flushdb()
        cleanup()


if __name__ == "__main__":
    main()
