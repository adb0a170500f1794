"""`send_due_notifications` for cron, and notify() when the broker is down."""

from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from kombu.exceptions import OperationalError

from notifications.kinds import Kind
from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import deliver

from .factories import pair, person

pytestmark = pytest.mark.django_db


def test_send_due_notifications_creates_and_sends_once():
    with time_machine.travel(datetime(2026, 11, 2, 9, 5, tzinfo=UTC), tick=False):
        mentor, mentee = person("a@example.com", "A"), person("b@example.com", "B")
        # Started the day before: too new for any nudge (mentorship.nudges).
        pair(mentor, mentee, due=date(2026, 11, 3), started_on=date(2026, 11, 1))
        out = StringIO()
        call_command("send_due_notifications", stdout=out)
        call_command("send_due_notifications", stdout=StringIO())
    assert "sent" in out.getvalue()
    kinds = sorted(Notification.objects.values_list("kind", flat=True))
    # Check-in due tomorrow for both, and Monday 08:00 digests for both.
    assert kinds == sorted(
        [Kind.CHECKIN_DUE_SOON, Kind.CHECKIN_DUE_SOON, Kind.DIGEST_MENTOR, Kind.DIGEST_MENTEE]
    )
    assert len(mail.outbox) == 4
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def test_send_due_notifications_no_send_only_creates():
    with time_machine.travel(datetime(2026, 11, 2, 9, 5, tzinfo=UTC), tick=False):
        pair(
            person("a@example.com", "A"),
            person("b@example.com", "B"),
            due=date(2026, 11, 3),
            started_on=date(2026, 11, 1),
        )
        call_command("send_due_notifications", "--no-send", stdout=StringIO())
    assert Notification.objects.count() == 4 and mail.outbox == []


def test_notify_enqueues_delivery_after_commit(
    mentee, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(deliver, "apply_async", lambda **kw: calls.append(kw))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = notify(recipient=mentee, kind=Kind.CHECKIN_OVERDUE, dedupe_key="x", title="X")
        assert calls == []  # nothing leaves before the commit
    assert calls == [{"args": [[row.id]], "countdown": None}]
    row.refresh_from_db()
    assert row.queued_at is not None


def test_notify_survives_a_broker_that_is_down(
    mentee, monkeypatch, django_capture_on_commit_callbacks
):
    def down(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(deliver, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        row = notify(recipient=mentee, kind=Kind.CHECKIN_OVERDUE, dedupe_key="y", title="Y")
    row.refresh_from_db()
    assert row.sent_at is None and row.queued_at is None  # pending, for the next pass


def test_notify_is_idempotent_per_key(mentee):
    first = notify(
        recipient=mentee, kind=Kind.FEEDBACK, dedupe_key="z", title="Z", send_email=False
    )
    again = notify(
        recipient=mentee, kind=Kind.FEEDBACK, dedupe_key="z", title="Z", send_email=False
    )
    assert first is not None and again is None
    assert Notification.objects.count() == 1
