"""Meeting reminders through the dispatcher: once 24 hours and once 1 hour before, to each
side in their own time; none after a cancellation; a moved meeting's follow it. And the one
reminder of an overdue action item."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from mentorship import meetings
from notifications import dispatch
from notifications.delivery import deliver, pending_ids
from notifications.kinds import Kind
from notifications.models import Notification, Preferences

from .factories import pair, person

pytestmark = pytest.mark.django_db

STEP = timedelta(minutes=15)
START = datetime(2026, 10, 21, 14, 0, tzinfo=UTC)
MEETING = datetime(2026, 10, 22, 16, 0, tzinfo=UTC)


@pytest.fixture
def people():
    mentor = person("maria@example.com", "Maria", "Europe/Berlin")
    mentee = person("mia@example.com", "Mia", "America/New_York")
    return mentor, mentee, pair(mentor, mentee)


def confirm(pairing, mentor, mentee, at):
    meeting = meetings.meeting_propose(
        pairing=pairing, by=mentor, candidate_times=[at], duration=30, location="Room 4"
    )
    return meetings.meeting_pick(meeting=meeting, by=mentee, starts_at=at)


def run(traveller, start, end):
    """A dispatcher pass every STEP, as beat runs it, then delivery of what is due."""
    now = start
    while now < end:
        traveller.move_to(now)
        dispatch.dispatch(now, enqueue=False)
        ids = pending_ids(now=now)
        if ids:
            deliver(ids)
        now += STEP


def reminders():
    """The reminders before meetings (not the prompts to log them afterwards)."""
    return [
        row
        for row in Notification.objects.filter(kind=Kind.MEETING_REMINDER).order_by(
            "scheduled_for", "id"
        )
        if row.payload.get("lead") != "log"
    ]


def test_once_at_24_hours_and_1_hour_before_in_each_persons_time(people):
    mentor, mentee, pairing = people
    with time_machine.travel(START, tick=False) as traveller:
        meeting = confirm(pairing, mentor, mentee, MEETING)
        run(traveller, START, MEETING + timedelta(hours=1))
        # The dispatcher running twice more at the same moments makes nothing new.
        run(traveller, MEETING - timedelta(hours=24), MEETING - timedelta(hours=23))
    rows = reminders()
    assert len(rows) == 4
    by = {(row.recipient_id, row.payload["lead"]): row for row in rows}
    assert set(by) == {(p.pk, lead) for p in (mentor, mentee) for lead in ("24h", "1h")}
    for p in (mentor, mentee):
        assert by[(p.pk, "24h")].scheduled_for == MEETING - timedelta(hours=24)
        assert by[(p.pk, "1h")].scheduled_for == MEETING - timedelta(hours=1)
    # Each in their own time: 18:00 in Berlin (CEST), 12:00 in New York (EDT).
    assert "18:00 (Europe/Berlin)" in by[(mentor.pk, "24h")].title
    assert "12:00 (America/New_York)" in by[(mentee.pk, "1h")].title
    assert all(str(meeting.uuid) in row.url for row in rows)


def test_none_after_a_cancellation(people):
    mentor, mentee, pairing = people
    with time_machine.travel(START, tick=False) as traveller:
        meeting = confirm(pairing, mentor, mentee, MEETING)
        run(traveller, START, MEETING - timedelta(hours=20))
        assert len(reminders()) == 2  # the day-before ones went out
        meetings.meeting_cancel(meeting=meeting, by=mentee)
        run(traveller, MEETING - timedelta(hours=20), MEETING + timedelta(hours=1))
    assert {row.payload["lead"] for row in reminders()} == {"24h"}


def test_a_cancellation_withdraws_a_reminder_not_sent_yet(people):
    mentor, mentee, pairing = people
    with time_machine.travel(MEETING - timedelta(hours=23), tick=False):
        meeting = confirm(pairing, mentor, mentee, MEETING)
        dispatch.dispatch(enqueue=False)
        assert len(reminders()) == 2
        meetings.meeting_cancel(meeting=meeting, by=mentor)
    assert reminders() == []


def test_a_moved_meeting_is_reminded_at_its_new_time(people):
    mentor, mentee, pairing = people
    later = MEETING + timedelta(days=1, hours=3)
    with time_machine.travel(START, tick=False) as traveller:
        meeting = confirm(pairing, mentor, mentee, MEETING)
        meetings.meeting_counter(meeting=meeting, by=mentee, candidate_times=[later])
        meetings.meeting_pick(meeting=meeting, by=mentor, starts_at=later)
        run(traveller, START, later + timedelta(minutes=30))
    rows = reminders()
    assert len(rows) == 4
    assert {row.scheduled_for for row in rows} == {
        later - timedelta(hours=24),
        later - timedelta(hours=1),
    }


def test_while_a_move_waits_for_an_answer_nothing_is_reminded(people):
    mentor, mentee, pairing = people
    with time_machine.travel(START, tick=False) as traveller:
        meeting = confirm(pairing, mentor, mentee, MEETING)
        meetings.meeting_counter(
            meeting=meeting, by=mentee, candidate_times=[MEETING + timedelta(days=3)]
        )
        run(traveller, START, MEETING + timedelta(hours=1))
    assert reminders() == []


def test_a_meeting_confirmed_late_gets_only_the_hour_before(people):
    mentor, mentee, pairing = people
    with time_machine.travel(MEETING - timedelta(hours=5), tick=False) as traveller:
        confirm(pairing, mentor, mentee, MEETING)
        run(traveller, MEETING - timedelta(hours=5), MEETING)
    assert {row.payload["lead"] for row in reminders()} == {"1h"}


def test_switched_off_reminders_are_not_made(people):
    mentor, mentee, pairing = people
    Preferences.objects.create(user=mentee, muted_kinds=[Kind.MEETING_REMINDER])
    with time_machine.travel(START, tick=False) as traveller:
        confirm(pairing, mentor, mentee, MEETING)
        run(traveller, START, MEETING)
    assert {row.recipient_id for row in reminders()} == {mentor.pk}


def test_an_overdue_action_item_is_reminded_once_to_its_owner(people):
    mentor, mentee, pairing = people
    start = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        meeting = confirm(pairing, mentor, mentee, start + timedelta(hours=2))
        traveller.move_to(start + timedelta(hours=3))
        meetings.meeting_log(
            meeting=meeting,
            by=mentor,
            occurred_on=date(2026, 10, 20),
            summary="Met",
            action_items=[
                {"title": "Draft slides", "owner": mentee.pk, "due_on": date(2026, 10, 21)},
                {"title": "Done already", "owner": mentor.pk, "due_on": date(2026, 10, 21)},
            ],
        )
        done = meeting.action_items.get(title="Done already")
        meetings.action_item_set_done(item=done, by=mentor)
        now = start + timedelta(hours=3)
        end = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
        while now < end:
            traveller.move_to(now)
            dispatch.dispatch(now, enqueue=False)
            now += timedelta(hours=1)
    [row] = Notification.objects.filter(kind=Kind.ACTION_ITEM_OVERDUE)
    assert row.sent_at is None  # made once; delivery is not part of this test
    assert row.recipient_id == mentee.pk and "Draft slides" in row.title
    # 09:00 in New York the day after it was due (EDT: 13:00 UTC).
    assert row.scheduled_for == datetime(2026, 10, 22, 13, 0, tzinfo=UTC)


def test_the_digests_list_each_persons_open_action_items(people):
    from django.utils import timezone

    from mentorship.models import ActionItem
    from notifications import digests
    from notifications.email import build_notification_email

    mentor, mentee, pairing = people
    ActionItem.objects.create(
        pairing=pairing, owner=mentee, title="Draft slides", due_on=date(2020, 1, 1)
    )
    ActionItem.objects.create(pairing=pairing, owner=mentor, title="Send examples")
    ActionItem.objects.create(
        pairing=pairing, owner=mentee, title="Done one", done_at=timezone.now()
    )
    now = timezone.now()
    since = {mentor.id: now - timedelta(days=7), mentee.id: now - timedelta(days=7)}
    mentee_payload = digests.compose_mentee([mentee.id], now=now, since=since)[mentee.id]
    mentor_payload = digests.compose_mentor([mentor.id], now=now, since=since)[mentor.id]
    assert [a["title"] for a in mentee_payload["action_items"]] == ["Draft slides"]
    assert mentee_payload["action_items"][0]["overdue"]
    assert [a["title"] for a in mentor_payload["action_items"]] == ["Send examples"]
    row = Notification(
        recipient=mentee,
        kind=Kind.DIGEST_MENTEE,
        dedupe_key="digest:test",
        batch_key="digest:test",
        title="Your weekly progress digest",
        payload=mentee_payload,
    )
    message = build_notification_email([row])
    assert "Draft slides" in message.body and "Draft slides" in message.alternatives[0][0]


def test_once_over_each_side_is_asked_once_to_log_it(people):
    mentor, mentee, pairing = people
    with time_machine.travel(START, tick=False) as traveller:
        meeting = confirm(pairing, mentor, mentee, MEETING)
        run(traveller, MEETING, MEETING + timedelta(hours=3))
    prompts = [
        r
        for r in Notification.objects.filter(kind=Kind.MEETING_REMINDER)
        if r.payload["lead"] == "log"
    ]
    assert sorted(r.recipient_id for r in prompts) == sorted([mentor.pk, mentee.pk])
    assert all(r.scheduled_for == MEETING + timedelta(minutes=30) for r in prompts)
    assert all(r.url.endswith(f"/meetings/{meeting.uuid}/log/") for r in prompts)


def test_a_meeting_logged_before_its_end_asks_nothing(people):
    mentor, mentee, pairing = people
    with time_machine.travel(START, tick=False) as traveller:
        meeting = confirm(pairing, mentor, mentee, MEETING)
        traveller.move_to(MEETING + timedelta(minutes=20))
        meetings.meeting_log(
            meeting=meeting, by=mentee, occurred_on=MEETING.date(), summary="Quick one"
        )
        run(traveller, MEETING + timedelta(minutes=20), MEETING + timedelta(hours=3))
    assert not [
        r
        for r in Notification.objects.filter(kind=Kind.MEETING_REMINDER)
        if r.payload["lead"] == "log"
    ]
