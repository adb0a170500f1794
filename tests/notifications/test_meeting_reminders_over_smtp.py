"""Meetings end to end on real components: Celery worker processes on Redis, PostgreSQL and
an SMTP server (aiosmtpd). A confirmed meeting's invitation reaches both people with its
calendar file; its reminders, 24 hours and 1 hour before, arrive once each, in each
person's own time; a cancelled meeting sends a cancellation and no reminder; a moved
meeting is reminded of at its new time only.

A worker runs in its own process, so the clock cannot be moved: each meeting starts just
inside the window of the reminder under test (a day, or an hour, from now)."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from mentorship import meetings
from notifications import dispatch
from notifications.kinds import Kind
from notifications.models import Notification, OutboxEmail

from .conftest import needs_services, wait_for
from .factories import pair, person

pytestmark = [needs_services, pytest.mark.postgres, pytest.mark.redis]

# Just inside each reminder's window: the dispatcher finds it due at once.
JUST_INSIDE = timedelta(minutes=2)


def confirm(pairing, by, other, starts_at):
    meeting = meetings.meeting_propose(
        pairing=pairing, by=by, candidate_times=[starts_at], duration=30, location="Room 4"
    )
    return meetings.meeting_pick(meeting=meeting, by=other, starts_at=starts_at)


def everything_sent() -> bool:
    return not (
        Notification.objects.filter(send_email=True, sent_at__isnull=True).exists()
        or OutboxEmail.objects.filter(sent_at__isnull=True).exists()
    )


def calendars(message) -> list[Calendar]:
    return [
        Calendar.from_ical(part.get_payload(decode=True))
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
    ]


@pytest.mark.django_db(transaction=True)
def test_reminders_once_each_none_after_cancel_and_moved_with_the_meeting(start_worker, smtp_sink):
    # Digests muted: one could fall due during the test, whatever the day and hour.
    quiet = {"muted_kinds": [Kind.DIGEST_MENTOR, Kind.DIGEST_MENTEE]}
    mentor = person("maria@example.com", "Maria", "Europe/Berlin", **quiet)
    mentee = person("mia@example.com", "Mia", "America/New_York", **quiet)
    pairing = pair(mentor, mentee)
    start_worker("w1", smtp_sink.port)
    now = timezone.now().replace(second=0, microsecond=0)

    tomorrow = confirm(pairing, mentor, mentee, now + timedelta(hours=24) - JUST_INSIDE)
    within_hour = confirm(pairing, mentee, mentor, now + timedelta(hours=1) - JUST_INSIDE)
    cancelled = confirm(pairing, mentor, mentee, now + timedelta(hours=24) - JUST_INSIDE)
    meetings.meeting_cancel(meeting=cancelled, by=mentee)
    moved = confirm(pairing, mentor, mentee, now + timedelta(days=3))
    new_time = now + timedelta(hours=1) - JUST_INSIDE + timedelta(minutes=1)
    meetings.meeting_counter(meeting=moved, by=mentee, candidate_times=[new_time])
    meetings.meeting_pick(meeting=moved, by=mentor, starts_at=new_time)

    # Every invitation has gone out before the dispatcher runs: 2 people x (4 confirmations,
    # an update of the moved meeting, a cancellation).
    assert wait_for(everything_sent, timeout=60)
    invitations = [m for m in smtp_sink.messages if calendars(m["message"])]
    assert len(invitations) == 12
    methods = Counter((m["to"][0], str(calendars(m["message"])[0]["METHOD"])) for m in invitations)
    assert methods == Counter(
        {
            (mentor.email, "REQUEST"): 5,
            (mentee.email, "REQUEST"): 5,
            (mentor.email, "CANCEL"): 1,
            (mentee.email, "CANCEL"): 1,
        }
    )

    # Three dispatcher passes: the reminders are made once, the worker sends them once.
    for _ in range(3):
        dispatch.dispatch()
    assert wait_for(everything_sent, timeout=60)
    time.sleep(2)  # let any duplicate task finish before counting
    # The reminders (the other e-mails are the pair's notices: proposed, confirmed, ...).
    reminders = [
        m
        for m in smtp_sink.messages
        if not calendars(m["message"]) and str(m["subject"]).startswith("Meeting with")
    ]
    rows = Notification.objects.filter(kind=Kind.MEETING_REMINDER)
    assert rows.count() == 6
    assert all(row.sent_at is not None for row in rows)
    by_meeting = Counter(
        (str(meeting.uuid), row.payload["lead"])
        for row in rows
        for meeting in (tomorrow, within_hour, cancelled, moved)
        if str(meeting.uuid) in row.url
    )
    assert by_meeting == Counter(
        {
            (str(tomorrow.uuid), "24h"): 2,
            (str(within_hour.uuid), "1h"): 2,
            (str(moved.uuid), "1h"): 2,
        }
    )
    assert len(reminders) == 6
    assert len({m["message_id"] for m in reminders}) == 6
    assert Counter(m["to"][0] for m in reminders) == Counter({mentor.email: 3, mentee.email: 3})
    # Each in their own time.
    for message in reminders:
        zone = "Europe/Berlin" if message["to"] == [mentor.email] else "America/New_York"
        assert f"({zone})" in " ".join(str(message["subject"]).split())
    # The moved meeting is reminded of at its new time only: its rows name the new start.
    moved_rows = [row for row in rows if str(moved.uuid) in row.url]
    assert all(row.dedupe_key.endswith(new_time.strftime("%Y%m%dT%H%M")) for row in moved_rows)
