"""The embedded default delivers by itself: without a broker, `runserver` runs the beat
schedule in a thread (core.scheduler), so a due digest goes out with no command run by hand,
and its links point at the port the server listens on."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.scheduler import EmbeddedScheduler
from notifications.kinds import Kind
from notifications.models import Notification, Preferences
from tests.factories import MembershipFactory, ProgramFactory, UserFactory

from .conftest import ROOT, free_port

pytestmark = pytest.mark.django_db


def _admin_with_digest_due_now():
    """A program admin (UTC) whose weekly digest day and hour are now."""
    now = timezone.now()
    admin = UserFactory(email="ada@example.com", timezone="UTC")
    MembershipFactory(program=ProgramFactory(), user=admin, role="admin")
    Preferences.objects.update_or_create(
        user=admin, defaults={"digest_weekday": now.weekday(), "digest_hour": now.hour}
    )
    return admin


def test_the_scheduler_runs_each_entry_at_its_interval(settings):
    """First pass: every entry of the beat schedule runs (the due digest is created and sent,
    eagerly); a pass right after runs nothing; once an interval has passed, that entry only."""
    admin = _admin_with_digest_due_now()
    scheduler = EmbeddedScheduler()
    assert set(scheduler.run_due()) == set(settings.CELERY_BEAT_SCHEDULE)
    digest = Notification.objects.get(recipient=admin, kind=Kind.DIGEST_ADMIN)
    assert digest.sent_at is not None
    assert [m.to for m in mail.outbox] == [[admin.email]]

    assert scheduler.run_due() == []
    sweep_every = settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]["schedule"]
    scheduler.last_run["notifications-sweep"] -= timedelta(seconds=sweep_every + 1)
    assert scheduler.run_due() == ["notifications-sweep"]
    assert len(mail.outbox) == 1  # the digest is not sent twice


def test_a_failing_task_does_not_stop_the_others(settings, caplog):
    schedule = {
        "broken": {"task": "no.such.task", "schedule": 60.0},
        **settings.CELERY_BEAT_SCHEDULE,
    }
    ran = EmbeddedScheduler(schedule).run_due()
    assert ran[0] == "broken" and len(ran) == len(schedule)
    assert "Scheduled task broken failed" in caplog.text


def test_it_runs_only_without_a_broker(settings):
    from core import scheduler

    settings.CELERY_TASK_ALWAYS_EAGER, settings.EMBEDDED_SCHEDULER = True, True
    assert scheduler.wanted()
    settings.EMBEDDED_SCHEDULER = False
    assert not scheduler.wanted()
    settings.CELERY_TASK_ALWAYS_EAGER, settings.EMBEDDED_SCHEDULER = False, True
    assert not scheduler.wanted()  # a broker: beat runs the schedule


SETUP = """
from django.utils import timezone
from accounts.models import User
from mentorship.models import Membership, Program
from notifications.models import Preferences
now = timezone.now()
admin = User.objects.create_user(email="ada@example.com", password="x" * 16, name="Ada")
program = Program.objects.create(name="Northwind", slug="northwind")
Membership.objects.create(program=program, user=admin, role="admin")
Preferences.objects.update_or_create(
    user=admin, defaults={"digest_weekday": now.weekday(), "digest_hour": now.hour}
)
"""


@pytest.mark.django_db(transaction=False)
def test_runserver_on_the_embedded_default_sends_a_due_digest_with_links_to_its_port(tmp_path):
    """The real thing, as `make run` starts it: a server process on a SQLite file, no Redis,
    console e-mail, a digest due now, and nothing else run by hand."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "SITE_URL", "EMAIL_URL", "EMAIL_BACKEND")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)  # noqa: S603
    subprocess.run([*manage, "shell", "-c", SETUP], env=env, cwd=ROOT, check=True, timeout=60)  # noqa: S603
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603
            [*manage, "runserver", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            text = ""
            while time.monotonic() < deadline and "Weekly program digest" not in text:
                time.sleep(0.5)
                text = log.read_text(errors="replace")
        finally:
            server.terminate()
            server.wait(timeout=10)
    assert "Scheduled work (reminders, digests, e-mail retries) runs in this process" in text
    assert "To: ada@example.com" in text, text[-3000:]
    assert "Subject: Weekly program digest" in text
    assert f"http://127.0.0.1:{port}/programs/" in text
    assert "127.0.0.1:8000" not in text
