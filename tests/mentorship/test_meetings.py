"""Meetings of a pair: proposing, picking, the calendar invitations they send (parsed back
with icalendar), cancelling, the agenda and its suggestions, logging with action items."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from core.errors import Forbidden
from goals.kinds import Visibility
from mentorship import meetings
from mentorship.models import ActionItem, CheckIn, Meeting, MeetingStatus, PairingStatus
from mentorship.selectors import agenda_suggestions, meeting_block
from notifications.email import outbox_message
from notifications.models import OutboxEmail
from tests.factories import GoalFactory, MilestoneFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

# Two people either side of Europe's change back from summer time (Sunday 25 October 2026,
# 03:00 CEST -> 02:00 CET) and North America's a week later (Sunday 1 November 2026).
BEFORE_CHANGE = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)


def propose(pairing, by, *times, duration=45, location="https://meet.example.org/abc"):
    return meetings.meeting_propose(
        pairing=pairing, by=by, candidate_times=list(times), duration=duration, location=location
    )


def invitations(person) -> list[Calendar]:
    """The calendar attachments of the e-mails queued for `person` (the outbox, as the
    worker will send them), oldest first, parsed back."""
    out = []
    for row in OutboxEmail.objects.filter(kind__startswith="meeting_").order_by("id"):
        message = outbox_message(row)
        if message.to != [person.email]:
            continue
        for attachment in message.message().walk():
            if attachment.get_content_type() == "text/calendar":
                out.append(Calendar.from_ical(attachment.get_payload(decode=True)))
    return out


def event_of(cal: Calendar):
    [event] = cal.walk("VEVENT")
    return event


@pytest.fixture
def berlin_and_new_york(mentor, mentee):
    mentor.timezone = "Europe/Berlin"
    mentor.save(update_fields=["timezone"])
    mentee.timezone = "America/New_York"
    mentee.save(update_fields=["timezone"])
    return mentor, mentee


def test_propose_pick_sends_a_request_to_both_in_their_own_zones(
    pairing, mentor, mentee, berlin_and_new_york
):
    with time_machine.travel(BEFORE_CHANGE, tick=False):
        # 28 October 16:00 UTC: Berlin is back on CET (17:00), New York still on EDT (12:00).
        start = datetime(2026, 10, 28, 16, 0, tzinfo=UTC)
        meeting = propose(pairing, mentor, start, start + timedelta(days=1))
        assert meeting.status == MeetingStatus.PROPOSED
        OutboxEmail.objects.all().delete()
        meetings.meeting_pick(meeting=meeting, by=mentee, starts_at=start)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONFIRMED and meeting.starts_at == start
    for person, zone, hour in ((mentor, "Europe/Berlin", 17), (mentee, "America/New_York", 12)):
        [cal] = invitations(person)
        assert cal["METHOD"] == "REQUEST"
        assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == [zone]
        event = event_of(cal)
        assert str(event["UID"]) == meeting.uid
        assert int(event["SEQUENCE"]) == 0
        dtstart = event.decoded("DTSTART")
        assert dtstart.tzinfo.key == zone if hasattr(dtstart.tzinfo, "key") else True
        assert dtstart.hour == hour
        assert dtstart.astimezone(UTC) == start
        assert event.decoded("DTEND").astimezone(UTC) == start + timedelta(minutes=45)
        assert str(event["ORGANIZER"]) == f"mailto:{mentor.email}"
        attendees = sorted(str(a) for a in event["ATTENDEE"])
        assert attendees == sorted([f"mailto:{mentor.email}", f"mailto:{mentee.email}"])
        assert str(event["LOCATION"]) == "https://meet.example.org/abc"


def test_times_right_across_the_change_for_both_sides(pairing, mentor, mentee, berlin_and_new_york):
    """The same instant before and after each zone's change: a week apart, the local hour in
    Berlin moves by one, in New York too, a week later; the invitation says so."""
    with time_machine.travel(BEFORE_CHANGE, tick=False):
        # 17:00 UTC on 22 October (both on summer time) and 29 October (Berlin on winter
        # time, New York still on summer time) and 5 November (both on winter time).
        times = [
            datetime(2026, month, day, 17, 0, tzinfo=UTC)
            for month, day in ((10, 22), (10, 29), (11, 5))
        ]
        expected = {"mentor": [19, 18, 18], "mentee": [13, 13, 12]}
        got = {"mentor": [], "mentee": []}
        for moment in times:
            meeting = propose(pairing, mentor, moment)
            OutboxEmail.objects.all().delete()
            meetings.meeting_pick(meeting=meeting, by=mentee, starts_at=moment)
            for name, person in (("mentor", mentor), ("mentee", mentee)):
                [cal] = invitations(person)
                dtstart = event_of(cal).decoded("DTSTART")
                assert dtstart.astimezone(UTC) == moment
                got[name].append(dtstart.hour)
    assert got == expected


def test_reschedule_keeps_the_uid_and_raises_the_sequence_then_cancel(
    pairing, mentor, mentee, berlin_and_new_york
):
    with time_machine.travel(BEFORE_CHANGE, tick=False):
        first = datetime(2026, 10, 27, 15, 0, tzinfo=UTC)
        later = datetime(2026, 10, 30, 15, 0, tzinfo=UTC)
        meeting = propose(pairing, mentor, first)
        meetings.meeting_pick(meeting=meeting, by=mentee, starts_at=first)
        meetings.meeting_counter(meeting=meeting, by=mentee, candidate_times=[later])
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.PROPOSED
        meetings.meeting_pick(meeting=meeting, by=mentor, starts_at=later)
        meetings.meeting_cancel(meeting=meeting, by=mentor)

    cals = invitations(mentee)
    assert [c["METHOD"] for c in cals] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [event_of(c) for c in cals]
    assert len({str(e["UID"]) for e in events}) == 1
    sequences = [int(e["SEQUENCE"]) for e in events]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    assert events[1].decoded("DTSTART").astimezone(UTC) == later
    assert str(events[2]["STATUS"]) == "CANCELLED"
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 2


def test_invitations_go_through_the_outbox_with_their_method(
    pairing, mentor, mentee, django_capture_on_commit_callbacks
):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    meeting = propose(pairing, mentor, start)
    with django_capture_on_commit_callbacks(execute=True):
        meetings.meeting_pick(meeting=meeting, by=mentee, starts_at=start)
    rows = OutboxEmail.objects.filter(kind="meeting_request")
    assert rows.count() == 2
    assert all(row.sent_at is not None and row.attachments == [] for row in rows)
    message = next(
        m for m in mail.outbox if m.to == [mentee.email] and "invite" in str(m.message())
    )
    [part] = [a for a in message.message().walk() if a.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert "invite.ics" in part.get("Content-Disposition")


def test_a_proposal_never_confirmed_cancels_without_an_invitation(pairing, mentor):
    start = datetime.now(UTC) + timedelta(days=2)
    meeting = propose(pairing, mentor, start)
    OutboxEmail.objects.all().delete()
    meetings.meeting_cancel(meeting=meeting, by=mentor)
    assert not invitations(mentor)


def test_rules_of_proposing_and_picking(pairing, mentor, mentee, stranger):
    now = datetime.now(UTC)
    with pytest.raises(meetings.MeetingError):
        propose(pairing, mentor)  # no time
    with pytest.raises(meetings.MeetingError):
        propose(pairing, mentor, *(now + timedelta(days=d) for d in (1, 2, 3, 4)))
    with pytest.raises(meetings.MeetingError):
        propose(pairing, mentor, now - timedelta(hours=1))
    with pytest.raises(meetings.MeetingError):
        propose(pairing, mentor, now + timedelta(days=1), duration=5)
    with pytest.raises(Forbidden):
        propose(pairing, stranger, now + timedelta(days=1))
    meeting = propose(pairing, mentor, now + timedelta(days=1))
    with pytest.raises(Forbidden):  # the proposer does not pick their own time
        meetings.meeting_pick(meeting=meeting, by=mentor, starts_at=meeting_first(meeting))
    with pytest.raises(meetings.MeetingError):
        meetings.meeting_pick(meeting=meeting, by=mentee, starts_at=now + timedelta(days=5))
    pairing.status = PairingStatus.PAUSED
    pairing.save(update_fields=["status"])
    with pytest.raises(meetings.MeetingConflict):
        meetings.meeting_pick(meeting=meeting, by=mentee, starts_at=meeting_first(meeting))


def meeting_first(meeting):
    return meetings.candidate_datetimes(meeting)[0]


def confirmed(pairing, mentor, mentee, *, at):
    meeting = propose(pairing, mentor, at)
    return meetings.meeting_pick(meeting=meeting, by=mentee, starts_at=at)


def test_log_makes_the_checkin_and_action_items(pairing, mentor, mentee):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    meeting = confirmed(pairing, mentor, mentee, at=start)
    meetings.agenda_add(meeting=meeting, by=mentee, text="Talk outline")
    with pytest.raises(meetings.MeetingConflict):  # not yet
        meetings.meeting_log(meeting=meeting, by=mentee, occurred_on=date.today(), summary="x")
    with time_machine.travel(start + timedelta(hours=1)):
        meeting, items = meetings.meeting_log(
            meeting=meeting,
            by=mentee,
            occurred_on=start.date(),
            summary="- Talk outline",
            action_items=[
                {"title": "Draft the slides", "owner": mentee.pk, "due_on": date.today()},
                {"title": "Send two examples", "owner": mentor, "due_on": None},
            ],
        )
    assert meeting.status == MeetingStatus.DONE
    assert CheckIn.objects.get(pairing=pairing).summary == "- Talk outline"
    assert meeting.checkin is not None
    assert {(i.title, i.owner_id) for i in items} == {
        ("Draft the slides", mentee.pk),
        ("Send two examples", mentor.pk),
    }
    pairing.refresh_from_db()
    assert pairing.last_checkin_on == start.date()
    # Only the owner ticks an item off.
    slides = ActionItem.objects.get(title="Draft the slides")
    with pytest.raises(Forbidden):
        meetings.action_item_set_done(item=slides, by=mentor)
    meetings.action_item_set_done(item=slides, by=mentee)
    # The open one is carried onto the next meeting.
    block = meeting_block(pairing)
    assert [a.title for a in block.open_actions] == ["Send two examples"]


def test_log_refuses_an_owner_outside_the_pair(pairing, mentor, mentee, stranger):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    meeting = confirmed(pairing, mentor, mentee, at=start)
    with time_machine.travel(start + timedelta(hours=1)), pytest.raises(meetings.MeetingError):
        meetings.meeting_log(
            meeting=meeting,
            by=mentee,
            occurred_on=start.date(),
            summary="Notes",
            action_items=[{"title": "x", "owner": stranger.pk, "due_on": None}],
        )
    assert not CheckIn.objects.exists() and not ActionItem.objects.exists()


def test_agenda_suggestions_never_include_a_private_goal(program, pairing, mentor, mentee):
    today = date.today()
    kwargs = {
        "mentee": mentee,
        "program": program,
        "pairing": pairing,
        "status": "active",
        "starts_on": today - timedelta(days=60),
        "target_date": today + timedelta(days=10),
        "current_value": 0,
    }
    shared = GoalFactory(title="Shared behind", visibility=Visibility.MENTOR, **kwargs)
    private = GoalFactory(title="Private behind", visibility=Visibility.PRIVATE, **kwargs)
    program_goal = GoalFactory(title="Program goal", visibility=Visibility.PROGRAM, **kwargs)
    for goal in (shared, private, program_goal):
        ProgressUpdateFactory(goal=goal, author=mentee)
        MilestoneFactory(goal=goal, due_on=today + timedelta(days=3))
    suggestions = agenda_suggestions(pairing, before=today + timedelta(days=7), agenda=[])
    texts = " ".join(s.text for s in suggestions)
    assert "Shared behind" in texts and "Program goal" in texts
    assert "Private behind" not in texts
    reasons = {s.reason for s in suggestions if "Shared behind" in s.text}
    assert any("not acknowledged" in r for r in reasons)
    assert any("milestone" in r for r in reasons)
    assert any(r in ("Off track", "At risk") for r in reasons)
    # Nor through the page, to either side.
    meeting = propose(pairing, mentor, datetime.now(UTC) + timedelta(days=2))
    for person in (mentor, mentee):
        from django.test import Client

        client = Client()
        client.force_login(person)
        page = client.get(reverse("mentorship:meeting_detail", args=[pairing.uuid, meeting.uuid]))
        assert page.status_code == 200
        body = page.content.decode()
        assert "Shared behind" in body and "Private behind" not in body


def test_a_point_already_on_the_agenda_is_not_suggested_again(program, pairing, mentee):
    goal = GoalFactory(
        mentee=mentee,
        program=program,
        pairing=pairing,
        visibility=Visibility.MENTOR,
        status="active",
        title="Talk",
    )
    ProgressUpdateFactory(goal=goal, author=mentee)
    [first] = [
        s.text
        for s in agenda_suggestions(pairing, before=date.today(), agenda=[])
        if "Progress" in s.text
    ]
    again = agenda_suggestions(pairing, before=date.today(), agenda=[first])
    assert first not in [s.text for s in again]


def test_the_next_meeting_is_suggested_by_the_cadence(pairing):
    pairing.next_checkin_due = date.today() + timedelta(days=9)
    assert meetings.next_meeting_suggested_on(pairing) == pairing.next_checkin_due
    pairing.next_checkin_due = date.today() - timedelta(days=3)
    assert meetings.next_meeting_suggested_on(pairing) == date.today() + timedelta(days=1)


def test_a_stored_meeting_round_trips_its_zone(pairing, mentor, mentee):
    tz = ZoneInfo("Asia/Kolkata")
    start = datetime.now(tz).replace(second=0, microsecond=0) + timedelta(days=3)
    meeting = propose(pairing, mentor, start)
    assert Meeting.objects.get(pk=meeting.pk).candidate_times == [start.astimezone(UTC).isoformat()]


def test_a_pairing_that_ends_calls_off_its_meetings(
    pairing, mentor, mentee, admin, django_capture_on_commit_callbacks
):
    from mentorship import services

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    confirmed_one = confirmed(pairing, mentor, mentee, at=start)
    proposed = propose(pairing, mentee, start + timedelta(days=1))
    OutboxEmail.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.pairing_end(pairing=pairing, by=admin, reason="Moved teams")
    confirmed_one.refresh_from_db()
    proposed.refresh_from_db()
    assert confirmed_one.status == proposed.status == MeetingStatus.CANCELLED
    # Sent at once (eager delivery): read what the mail server got.
    sent = {
        tuple(m.to): [
            Calendar.from_ical(part.get_payload(decode=True))
            for part in m.message().walk()
            if part.get_content_type() == "text/calendar"
        ]
        for m in mail.outbox
        if "invite.ics" in str(m.message())
    }
    assert [c["METHOD"] for c in sent[(mentee.email,)]] == ["CANCEL"]
    assert int(event_of(sent[(mentor.email,)][0])["SEQUENCE"]) == confirmed_one.sequence == 1
    # Again (the job ran twice): nothing more.
    assert meetings.meetings_cancel_for_closed_pairing(pairing_id=pairing.pk) == 0
