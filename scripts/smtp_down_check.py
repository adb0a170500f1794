"""Stop the SMTP server in the middle of a batch of e-mails, make requests that send mail
while it is down, start it again, and check that every recipient got exactly one e-mail
(repeats only for messages in flight when it stopped, with the same Message-ID) and that no
request failed. Exits non-zero on failure. Meant to run beside the worker-kill check:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smtpcheck \\
    REDIS_URL=redis://127.0.0.1:6379/12 \\
    .venv/bin/python scripts/smtp_down_check.py

DATABASE_URL must be PostgreSQL (a throwaway database: it is migrated, and the rows this
script makes are deleted again at the end); REDIS_URL is the broker, and its database is
flushed. Optional: DIGESTS (default 300), RESETS (password resets requested while the
server is down, default 200), STOP_AFTER (messages received before the stop, default 100),
CONCURRENCY (worker processes, default 4).

1. Start an SMTP server in this process (aiosmtpd, 20 ms a message) that records every
   Message-ID.
2. Make DIGESTS mentors whose weekly digest is due now; one dispatcher pass creates the rows
   and enqueues them; a worker starts sending.
3. After STOP_AFTER messages, stop the server. Ask for RESETS password resets through the
   site (each must answer with its usual redirect) while the worker retries with backoff.
4. Start the server again on the same port; act as beat (a sweep every two seconds) until
   everything is sent.
5. Check the recordings against the database.
"""

import contextlib
import hashlib
import logging
import os
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

DIGESTS = int(os.environ.get("DIGESTS", "300"))
RESETS = int(os.environ.get("RESETS", "200"))
STOP_AFTER = int(os.environ.get("STOP_AFTER", "100"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "4"))
TAG = f"smtpcheck{int(time.time())}"
# Short backoff so the check takes a minute, not an hour; the same for the worker.
FAST = {
    "NOTIFICATIONS_RETRY_BACKOFF_BASE": "1",
    "NOTIFICATIONS_RETRY_BACKOFF_MAX": "4",
    "NOTIFICATIONS_MAX_ATTEMPTS": "100",
    "NOTIFICATIONS_REQUEUE_AFTER": "10",
}


def worker(name: str, smtp_port: int, log_dir: str):
    return start_worker(
        name,
        log_dir=log_dir,
        concurrency=CONCURRENCY,
        env={**FAST, "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}?timeout=5"},
    )


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.update(FAST)
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd narrates every command


require_postgres_and_broker()

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from mentorship.models import Membership, Pairing, PairingStatus, Program, Role  # noqa: E402
from notifications import dispatch  # noqa: E402
from notifications.kinds import Kind  # noqa: E402
from notifications.models import Notification, OutboxEmail, Preferences  # noqa: E402


def make_people(digests: int, resets: int) -> tuple[list[User], list[User]]:
    """`digests` mentors whose digest is due this hour (UTC), each with one mentee, and
    `resets` people who will forget their password."""
    now = timezone.now()
    with transaction.atomic():
        program = Program.objects.create(name=f"SMTP check {TAG}", slug=TAG)
        users = User.objects.bulk_create(
            User(email=f"{TAG}-{i}@example.com", name=f"Person {i}", password="!")
            for i in range(2 * digests + resets)
        )
        mentors, mentees = users[:digests], users[digests : 2 * digests]
        forgetful = users[2 * digests :]
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
    return mentors, forgetful


def cleanup() -> None:
    OutboxEmail.objects.filter(to__0__startswith=f"{TAG}-").delete()
    User.objects.filter(email__startswith=f"{TAG}-").delete()
    Program.objects.filter(slug=TAG).delete()


def main() -> None:
    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.flushdb()
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    log_dir = tempfile.mkdtemp(prefix="smtp-down-")
    workers: list[subprocess.Popen] = []
    try:
        mentors, forgetful = make_people(DIGESTS, RESETS)
        ours = Notification.objects.filter(
            recipient_id__in={m.id for m in mentors}, kind=Kind.DIGEST_MENTOR
        )
        dispatch.dispatch()
        if ours.count() != DIGESTS:
            fail(f"the dispatcher made {ours.count()} digests, expected {DIGESTS}")
        workers.append(worker("worker", port, log_dir))

        deadline = time.monotonic() + 120
        while recorder.count() < STOP_AFTER and time.monotonic() < deadline:
            time.sleep(0.01)
        controller.stop()
        at_stop = recorder.count()
        print(f"SMTP server stopped after {at_stop} messages", flush=True)
        if at_stop >= DIGESTS:
            fail("the batch finished before the stop; raise DIGESTS or lower STOP_AFTER")

        # Requests that send mail while the server is down: each must answer as usual.
        failed: list[tuple[str, int]] = []
        started = time.monotonic()
        for i, user in enumerate(forgetful):
            address = f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"
            client = Client(raise_request_exception=False, REMOTE_ADDR=address)
            response = client.post(reverse("account_reset_password"), {"email": user.email})
            if response.status_code != 302:
                failed.append((user.email, response.status_code))
        print(
            f"{RESETS} password resets asked for in {time.monotonic() - started:.1f}s "
            f"while the server was down",
            flush=True,
        )
        if failed:
            fail(f"{len(failed)} requests failed, e.g. {failed[:3]}")
        emails = OutboxEmail.objects.filter(to__0__startswith=f"{TAG}-")
        if emails.count() != RESETS:
            fail(f"{emails.count()} reset e-mails in the outbox, expected {RESETS}")
        time.sleep(3)  # let the worker fail and back off a few times
        if recorder.count() != at_stop:
            fail("messages arrived while the server was down")

        controller = Controller(recorder, hostname="127.0.0.1", port=port)
        controller.start()
        print("SMTP server started again", flush=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and (
            ours.filter(sent_at__isnull=True).exists()
            or emails.filter(sent_at__isnull=True).exists()
        ):
            dispatch.enqueue_all_pending()  # what beat's sweep does
            time.sleep(2)
        time.sleep(3)  # let anything still in flight land

        expected = {
            m.email: f"<{hashlib.sha256(row.batch_key.encode()).hexdigest()}@"
            for m in mentors
            for row in [ours.get(recipient=m)]
        }
        for row in emails:
            expected[row.to[0]] = row.message_id
        by_recipient: dict[str, list[str]] = defaultdict(list)
        with recorder.lock:
            for rcpt, message_id in recorder.received:
                by_recipient[rcpt].append(message_id)
        missing = [email for email in expected if not by_recipient.get(email)]
        strangers = [email for email in by_recipient if email not in expected]
        wrong_ids = [
            email
            for email, got in by_recipient.items()
            if email in expected and any(not mid.startswith(expected[email]) for mid in got)
        ]
        repeats = {email: len(got) for email, got in by_recipient.items() if len(got) > 1}
        unsent = ours.filter(sent_at__isnull=True).count()
        unsent += emails.filter(sent_at__isnull=True).count()
        print(
            f"received {recorder.count()} messages for {len(by_recipient)} recipients; "
            f"repeats: {len(repeats)}; not marked sent: {unsent}",
            flush=True,
        )
        if missing:
            fail(f"{len(missing)} recipients got nothing, e.g. {missing[:3]}")
        if strangers:
            fail(f"mail for unexpected recipients, e.g. {strangers[:3]}")
        if unsent:
            fail(f"{unsent} e-mails are not marked sent")
        if wrong_ids:
            fail(
                "a message carries another Message-ID than its row gives: "
                + "; ".join(f"{e}: {by_recipient[e]} not {expected[e]}" for e in wrong_ids[:3])
            )
        if len(repeats) > CONCURRENCY:
            fail(
                f"{len(repeats)} repeats, more than the {CONCURRENCY} messages that can be "
                f"in flight at once"
            )
        print(
            f"OK: {len(expected)} recipients ({DIGESTS} digests, {RESETS} password resets), "
            f"each got one e-mail; {len(repeats)} repeat(s), all with the same Message-ID; "
            "no request failed",
            flush=True,
        )
    finally:
        for proc in workers:
            stop(proc)
        with contextlib.suppress(Exception):  # stopped already (failed while it was down)
            controller.stop()
        broker.flushdb()
        cleanup()


if __name__ == "__main__":
    main()
