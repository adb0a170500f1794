"""Nudges through a real Celery worker (celery.contrib.pytest, on Redis): the dispatcher task
makes the step's notification and the worker delivers its e-mail, once, however often the
task runs. Needs REDIS_URL (a database of its own, e.g. redis://127.0.0.1:6379/13)."""

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from mentorship.models import Membership, Nudge, NudgeRuleName, Role
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import MembershipFactory, ProgramFactory, UserFactory

pytest_plugins = ["celery.contrib.pytest"]

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)"),
]

ZONES = ("America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo", "America/New_York", "UTC")


def a_zone_in_its_sending_hours() -> str:
    """A zone where it is now between 10:00 and 19:00: its 09:00 step is due now."""
    now = timezone.now()
    return next(z for z in ZONES if 10 <= now.astimezone(ZoneInfo(z)).hour < 20)


@pytest.fixture
def celery_app(_eager_celery_tasks):
    from config.celery import app

    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True


@pytest.fixture
def celery_worker_parameters():
    return {"perform_ping_check": False, "queues": ("celery", "dispatch", "delivery")}


@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_a_waiting_mentees_nudge_to_the_admin_once(celery_app, celery_worker):
    program = ProgramFactory(slug="worker-nudges")
    admin = UserFactory(email="ada@example.com", timezone=a_zone_in_its_sending_hours())
    MembershipFactory(program=program, user=admin, role=Role.ADMIN)
    mentee = UserFactory(email="ben@example.com", name="Ben")
    MembershipFactory(program=program, user=mentee, role=Role.MENTEE)
    Membership.objects.filter(user=mentee).update(joined_at=timezone.now() - timedelta(days=8))

    task = celery_app.tasks["notifications.tasks.dispatch_due"]
    task.delay()
    task.delay()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Notification.objects.filter(kind=Kind.NEEDS_ATTENTION, sent_at__isnull=False).exists():
            break
        time.sleep(0.2)
    time.sleep(1)  # the second pass has had its turn
    row = Notification.objects.get(kind=Kind.NEEDS_ATTENTION)
    assert row.recipient_id == admin.pk and row.sent_at is not None
    assert Nudge.objects.filter(rule=NudgeRuleName.UNPAIRED, step=1).count() == 1
    assert [m.to for m in mail.outbox if "waiting for a mentor" in m.subject] == [[admin.email]]
