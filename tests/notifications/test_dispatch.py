"""The dispatcher: local hours across daylight-saving changes, once per key, preferences."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from goals.models import Visibility
from mentorship.models import Role
from notifications import digests, dispatch
from notifications.delivery import deliver, pending_ids
from notifications.kinds import Kind
from notifications.models import Notification, Preferences
from notifications.schedule import zone
from tests.factories import (
    GoalFactory,
    MembershipFactory,
    MilestoneFactory,
    ProgramFactory,
    ProgressUpdateFactory,
)

from .factories import pair, person

pytestmark = pytest.mark.django_db

STEP = timedelta(minutes=15)


def run_clock(traveller, start: datetime, end: datetime) -> None:
    """Beat every STEP: a dispatcher pass, then delivery of whatever is due."""
    now = start
    while now < end:
        traveller.move_to(now)
        dispatch.dispatch(now, enqueue=False)
        ids = pending_ids(now=now)
        if ids:
            deliver(ids)
        now += STEP


@pytest.mark.parametrize(
    ("tz_name", "start", "due"),
    [
        # New York falls back on Sunday 1 November 2026: the reminder for a check-in due on
        # the 2nd goes out on the day the clocks change.
        ("America/New_York", datetime(2026, 10, 30, 12, tzinfo=UTC), date(2026, 11, 2)),
        # Kolkata has no daylight saving but a half-hour offset.
        ("Asia/Kolkata", datetime(2026, 10, 30, 12, tzinfo=UTC), date(2026, 11, 2)),
        # Lord Howe moves forward by half an hour on Sunday 4 October 2026.
        ("Australia/Lord_Howe", datetime(2026, 10, 1, 12, tzinfo=UTC), date(2026, 10, 5)),
    ],
)
def test_each_reminder_and_digest_goes_out_once_at_the_local_hour_across_dst(tz_name, start, due):
    with time_machine.travel(start, tick=False) as traveller:
        mentor = person("maria@example.com", "Maria", tz_name, digest_weekday=6, digest_hour=8)
        mentee = person("mia@example.com", "Mia", tz_name, digest_weekday=6, digest_hour=8)
        # Started the day the clock starts: no nudge (mentorship.nudges) is due in the run.
        pairing = pair(mentor, mentee, due=due, started_on=start.date())
        goal = GoalFactory(mentee=mentee, pairing=pairing, program=pairing.program)
        MilestoneFactory(goal=goal, due_on=due, title="Outline ready")
        run_clock(
            traveller, start, datetime.combine(due + timedelta(days=2), datetime.min.time(), UTC)
        )

    tz = zone(tz_name)
    rows = list(Notification.objects.order_by("id"))
    per_key = Counter((row.recipient_id, row.kind) for row in rows)
    assert all(count == 1 for count in per_key.values()), per_key
    expected = {
        (mentor.id, Kind.CHECKIN_DUE_SOON): (due - timedelta(days=1), 9),
        (mentee.id, Kind.CHECKIN_DUE_SOON): (due - timedelta(days=1), 9),
        (mentor.id, Kind.CHECKIN_OVERDUE): (due + timedelta(days=1), 9),
        (mentee.id, Kind.CHECKIN_OVERDUE): (due + timedelta(days=1), 9),
        (mentee.id, Kind.MILESTONE_DUE_SOON): (due - timedelta(days=1), 9),
        (mentee.id, Kind.MILESTONE_OVERDUE): (due + timedelta(days=1), 9),
        (mentor.id, Kind.DIGEST_MENTOR): (None, 8),
        (mentee.id, Kind.DIGEST_MENTEE): (None, 8),
    }
    assert set(per_key) == set(expected)
    for row in rows:
        day, hour = expected[(row.recipient_id, row.kind)]
        sent = row.sent_at.astimezone(tz)
        assert sent.hour == hour and sent.minute < STEP.total_seconds() / 60, (row.kind, sent)
        if day is not None:
            assert sent.date() == day
        else:
            assert sent.weekday() == 6  # the Sunday chosen for the digest
    assert len(mail.outbox) == len(rows)


def test_a_second_pass_creates_nothing_new(program, mentor, mentee):
    with time_machine.travel(datetime(2026, 11, 2, 9, 5, tzinfo=UTC), tick=False):
        pair(mentor, mentee, program=program, due=date(2026, 11, 3))
        first = dispatch.dispatch(enqueue=False)
        second = dispatch.dispatch(enqueue=False)
    assert first.created.get(Kind.CHECKIN_DUE_SOON) == 2
    assert second.created == {}
    assert Notification.objects.filter(kind=Kind.CHECKIN_DUE_SOON).count() == 2


def test_muted_kinds_and_digest_day_are_respected():
    monday_nine = datetime(2026, 11, 2, 9, 5, tzinfo=UTC)
    with time_machine.travel(monday_nine, tick=False):
        muted = person("muted@example.com", "Muted", muted_kinds=[Kind.CHECKIN_DUE_SOON])
        tuesday = person("tue@example.com", "Tuesday", digest_weekday=1, digest_hour=8)
        mentee = person("m@example.com", "Mentee")
        pair(muted, mentee, due=date(2026, 11, 3))
        pair(tuesday, person("m2@example.com", "Mentee Two"), due=date(2026, 11, 20))
        dispatch.dispatch(enqueue=False)
    kinds = set(Notification.objects.filter(recipient=muted).values_list("kind", flat=True))
    assert Kind.CHECKIN_DUE_SOON not in kinds
    assert Kind.DIGEST_MENTOR in kinds  # Monday 08:00 is the default digest time
    assert not Notification.objects.filter(recipient=tuesday, kind=Kind.DIGEST_MENTOR).exists()
    assert Notification.objects.filter(recipient=mentee, kind=Kind.CHECKIN_DUE_SOON).exists()


def test_quiet_hours_hold_a_reminder_until_they_end():
    with time_machine.travel(datetime(2026, 11, 2, 9, 5, tzinfo=UTC), tick=False) as traveller:
        sleeper = person("s@example.com", "Sleeper", quiet_hours_start=21, quiet_hours_end=11)
        pair(person("o@example.com", "Other"), sleeper, due=date(2026, 11, 3))
        dispatch.dispatch(enqueue=False)
        assert not Notification.objects.filter(
            recipient=sleeper, kind=Kind.CHECKIN_DUE_SOON
        ).exists()
        traveller.move_to(datetime(2026, 11, 2, 11, 0, tzinfo=UTC))
        dispatch.dispatch(enqueue=False)
    row = Notification.objects.get(recipient=sleeper, kind=Kind.CHECKIN_DUE_SOON)
    assert row.scheduled_for == datetime(2026, 11, 2, 11, 0, tzinfo=UTC)


def test_program_admins_hear_once_when_a_pairing_stalls(program, admin, mentor, mentee):
    with time_machine.travel(datetime(2026, 11, 2, 9, 5, tzinfo=UTC), tick=False) as traveller:
        program.stall_after_days = 30
        program.save()
        pairing = pair(mentor, mentee, program=program, due=date(2026, 12, 1))
        pairing.last_checkin_on = date(2026, 10, 2)  # 31 days before 2 November
        pairing.save()
        dispatch.dispatch(enqueue=False)
        traveller.move_to(datetime(2026, 11, 2, 15, 0, tzinfo=UTC))
        dispatch.dispatch(enqueue=False)
        traveller.move_to(datetime(2026, 11, 3, 9, 5, tzinfo=UTC))
        dispatch.dispatch(enqueue=False)
    stalled = Notification.objects.filter(kind=Kind.PAIRING_STALLED)
    assert list(stalled.values_list("recipient_id", flat=True)) == [admin.id]


def test_digests_say_what_happened(program, admin, mentor, mentee, other_mentee):
    now = datetime(2026, 11, 2, 8, 5, tzinfo=UTC)
    with time_machine.travel(now - timedelta(days=3), tick=False):
        pairing = pair(mentor, mentee, program=program, due=date(2026, 11, 10))
        goal = GoalFactory(
            mentee=mentee,
            pairing=pairing,
            program=program,
            title="Speak <b>up</b>",
            visibility=Visibility.MENTOR,
            starts_on=date(2026, 10, 1),
            target_date=date(2026, 12, 31),
            current_value=5,
        )
        private = GoalFactory(mentee=mentee, visibility=Visibility.PRIVATE, title="Secret")
        ProgressUpdateFactory(goal=goal, value=5, note="Gave the talk")
        ProgressUpdateFactory(goal=private, value=1, note="hidden")
        MilestoneFactory(goal=goal, due_on=date(2026, 11, 1), title="Missed one")
        MilestoneFactory(goal=goal, due_on=date(2026, 11, 12), title="Coming one")
        from goals.models import Comment

        Comment.objects.create(goal=goal, author=mentor, body="Great work", is_kudos=True)
    with time_machine.travel(now, tick=False):
        dispatch.dispatch(enqueue=False)
    mentor_digest = Notification.objects.get(recipient=mentor, kind=Kind.DIGEST_MENTOR)
    [entry] = mentor_digest.payload["mentees"]
    assert entry["updates_count"] == 1  # the private goal's update is not the mentor's
    assert entry["awaiting_review"] == 1
    assert [m["title"] for m in entry["milestones_missed"]] == ["Missed one"]
    assert entry["next_checkin"] == "2026-11-10"
    mentee_digest = Notification.objects.get(recipient=mentee, kind=Kind.DIGEST_MENTEE)
    assert mentee_digest.payload["feedback_count"] == 1
    assert [m["title"] for m in mentee_digest.payload["upcoming"]] == ["Coming one"]
    admin_digest = Notification.objects.get(recipient=admin, kind=Kind.DIGEST_ADMIN)
    [program_entry] = admin_digest.payload["programs"]
    assert program_entry["unpaired_count"] == 1  # Noah has no mentor
    assert sum(program_entry["health"].values()) == 1


def test_admin_digest_counts_no_private_goal(program, admin, mentor, mentee):
    """Admins see a summary of the goals shared beyond the mentee, never a private one, not
    even in a count (goals.policy)."""
    pairing = pair(mentor, mentee, program=program)
    for visibility in (Visibility.PRIVATE, Visibility.MENTOR, Visibility.PROGRAM):
        GoalFactory(mentee=mentee, pairing=pairing, program=program, visibility=visibility)
    payloads = digests.compose_admin(
        [admin.id], now=timezone.now(), since={admin.id: timezone.now() - timedelta(days=7)}
    )
    [program_entry] = payloads[admin.id]["programs"]
    assert sum(program_entry["health"].values()) == 2


@pytest.mark.parametrize("kind", [Kind.DIGEST_MENTOR, Kind.DIGEST_MENTEE, Kind.DIGEST_ADMIN])
def test_composing_a_batch_takes_the_same_queries_for_5_or_40_recipients(
    kind, django_assert_num_queries
):
    now = timezone.now()
    program = ProgramFactory()

    def make(n: int, offset: int) -> list[dict]:
        recipients = []
        for i in range(n):
            mentor = person(f"mentor{offset + i}@example.com", f"Mentor {i}")
            mentee = person(f"mentee{offset + i}@example.com", f"Mentee {i}")
            MembershipFactory(program=program, user=mentor, role=Role.ADMIN)
            pairing = pair(mentor, mentee, program=program)
            goal = GoalFactory(mentee=mentee, pairing=pairing, program=program)
            ProgressUpdateFactory(goal=goal)
            MilestoneFactory(goal=goal)
            who = mentee if kind == Kind.DIGEST_MENTEE else mentor
            recipients.append({"id": who.id, "key": f"{kind}:{who.uuid}:x{offset}"})
        return recipients

    small, large = make(5, 0), make(40, 100)
    with django_assert_num_queries(dispatch_queries(kind)) as small_ctx:
        dispatch.digest_rows(kind, small, now=now, moments={})
    with django_assert_num_queries(len(small_ctx.captured_queries)):
        rows = dispatch.digest_rows(kind, large, now=now, moments={})
    assert len(rows) == 40


def dispatch_queries(kind: str) -> int:
    # last digest per recipient + the composer's own queries (the admin's: three of them
    # the outcomes report's headline figures)
    return 1 + {Kind.DIGEST_MENTOR: 5, Kind.DIGEST_MENTEE: 8, Kind.DIGEST_ADMIN: 9}[kind]


def test_preferences_row_defaults_are_the_model_defaults(mentor):
    prefs = Preferences.objects.create(user=mentor)
    assert prefs.digest_weekday == 0 and prefs.digest_hour == 8 and prefs.wants(Kind.FEEDBACK)
