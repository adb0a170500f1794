"""Delivery with real components: Celery worker processes on Redis, PostgreSQL, an SMTP
server. Each e-mail is sent once, whatever runs twice, fails or goes away."""

import threading
import time
from collections import Counter
from contextlib import contextmanager

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from config import celery_app
from goals.models import Visibility
from notifications import dispatch
from notifications.kinds import Kind
from notifications.models import FeedbackMode, Notification, Preferences
from notifications.services import enqueue_delivery, notify
from tests.factories import PASSWORD, GoalFactory

from .conftest import SMTPSink, free_port, needs_services, wait_for
from .factories import pair, person

pytestmark = [needs_services, pytest.mark.postgres, pytest.mark.redis]


def digests_due_now(n: int) -> list:
    """n mentors whose weekly digest is due this very hour (UTC), each with one mentee, and
    nothing else due for them whatever the hour: nudges are muted (their pairing, 20 days old
    without a meeting, would be nudged at 09:00)."""
    now = timezone.now()
    mentors = []
    for i in range(n):
        mentor = person(
            f"mentor{i}@example.com",
            f"Mentor {i}",
            digest_weekday=now.weekday(),
            digest_hour=now.hour,
            muted_kinds=[Kind.DIGEST_MENTEE, Kind.NUDGE],
        )
        pair(
            mentor,
            person(
                f"mentee{i}@example.com",
                f"Mentee {i}",
                muted_kinds=[Kind.DIGEST_MENTEE, Kind.NUDGE],
            ),
        )
        mentors.append(mentor)
    return mentors


def sent_everything() -> bool:
    return not Notification.objects.filter(send_email=True, sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_dispatcher_twice_at_once_and_two_workers_send_each_digest_once(start_worker, smtp_sink):
    mentors = digests_due_now(30)

    # Two dispatcher passes at the same moment, each on its own database connection.
    results, errors = [], []

    def pass_():
        try:
            results.append(dispatch.dispatch())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pass_) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    dispatch.dispatch()  # and a third, later
    rows = Notification.objects.filter(kind=Kind.DIGEST_MENTOR)
    assert rows.count() == 30
    # The same ids handed to the broker again: both workers will see every id twice.
    ids = list(rows.values_list("id", flat=True))
    assert enqueue_delivery(ids[:15]) and enqueue_delivery(ids[15:])

    start_worker("w1", smtp_sink.port)
    start_worker("w2", smtp_sink.port)
    assert wait_for(sent_everything, timeout=60)
    time.sleep(2)  # let any duplicate task finish before counting
    messages = smtp_sink.messages
    assert Counter(tuple(m["to"]) for m in messages) == Counter(
        (mentor.email,) for mentor in mentors
    )
    assert len({m["message_id"] for m in messages}) == 30


@pytest.mark.django_db(transaction=True)
def test_smtp_down_rows_stay_pending_retry_with_backoff_then_delivered_once(start_worker):
    port = free_port()  # nothing listens here yet
    start_worker("w1", port, NOTIFICATIONS_MAX_ATTEMPTS=20)
    people = [person(f"p{i}@example.com", f"Person {i}") for i in range(5)]
    created_at = timezone.now()
    for i, someone in enumerate(people):
        notify(
            recipient=someone,
            kind=Kind.CHECKIN_OVERDUE,
            dedupe_key=f"overdue:{i}",
            title="Your check-in is overdue",
            url="/",
        )

    def failed_twice():
        rows = list(Notification.objects.all())
        return all(r.attempts >= 2 for r in rows) and rows

    rows = wait_for(failed_twice, timeout=60)
    assert rows, "the worker did not retry"
    for row in rows:
        assert row.sent_at is None
        assert row.last_error  # e.g. ConnectionRefusedError
        assert row.scheduled_for > created_at  # pushed back by the backoff

    sink = SMTPSink(port).start()
    try:
        assert wait_for(sent_everything, timeout=60)
        time.sleep(1)
        assert sorted(m["to"][0] for m in sink.messages) == sorted(p.email for p in people)
    finally:
        sink.stop()


@contextmanager
def broker_at(url: str):
    """Point this process's Celery producer at another broker URL (a closed port = Redis
    down), and back."""

    def reset():
        # Forget the pools (kombu keeps one per URL, so the old one is found again later).
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    old = celery_app.conf.broker_url
    reset()
    celery_app.conf.broker_url = url
    try:
        yield
    finally:
        reset()
        celery_app.conf.broker_url = old


@pytest.mark.django_db(transaction=True)
def test_redis_down_pages_still_work_and_the_backlog_goes_out_when_it_returns(
    client, start_worker, smtp_sink, program, mentor, mentee
):
    pairing = pair(mentor, mentee, program=program)
    goal = GoalFactory(
        mentee=mentee, pairing=pairing, program=program, visibility=Visibility.MENTOR
    )
    Preferences.objects.create(user=mentee, feedback_mode=FeedbackMode.INSTANT)
    assert client.login(email=mentor.email, password=PASSWORD)

    with broker_at(f"redis://127.0.0.1:{free_port()}/14"):
        started = time.monotonic()
        response = client.post(
            reverse("goals:comment_add", args=[goal.uuid]), {"body": "Nice progress!"}
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[:500]
    assert elapsed < 10
    row = Notification.objects.get(recipient=mentee, kind=Kind.FEEDBACK)
    assert row.sent_at is None and row.queued_at is None  # never reached the broker

    # Redis is back: a worker runs, and the next dispatcher pass enqueues the backlog.
    start_worker("w1", smtp_sink.port)
    assert dispatch.enqueue_pending(timezone.now()) == 1
    assert wait_for(sent_everything, timeout=30)
    [message] = smtp_sink.messages
    assert message["to"] == [mentee.email]
    assert "Nice progress!" in message["message"].get_payload(0).get_payload(decode=True).decode()
