"""The calendar feed, parsed back with the icalendar library."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from api.models import CalendarFeed
from api.services import calendar_feed_revoke, calendar_feed_rotate
from goals.models import GoalStatus, Visibility
from mentorship.models import Meeting, MeetingStatus, PairingStatus
from tests.factories import GoalFactory, MilestoneFactory, PairingFactory

pytestmark = pytest.mark.django_db


def feed_url(user) -> str:
    return reverse("api:calendar_feed", args=[calendar_feed_rotate(user=user).secret])


def parse(response) -> Calendar:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events_by_uid(cal) -> dict:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_feed_has_checkins_milestones_and_target_dates(client, mentee, mentor, pairing, program):
    mentee.timezone = "Europe/Berlin"
    mentee.save()
    goal = GoalFactory(
        mentee=mentee,
        program=program,
        pairing=pairing,
        target_date=date(2030, 3, 31),
        starts_on=date(2026, 1, 1),
    )
    milestone = MilestoneFactory(goal=goal, title="Outline ready", due_on=date(2030, 1, 15))
    MilestoneFactory(goal=goal, title="No date", due_on=None)
    GoalFactory(
        mentee=mentee,
        status=GoalStatus.ABANDONED,
        target_date=date(2030, 5, 1),
        starts_on=date(2026, 1, 1),
    )
    pairing.next_checkin_due = date(2030, 1, 10)
    pairing.save()

    cal = parse(client.get(feed_url(mentee)))
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"])
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Berlin"
    timezones = cal.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Berlin"]
    # The VTIMEZONE knows Berlin's summer and winter offsets.
    offsets = {str(c["TZOFFSETTO"].to_ical()) for c in timezones[0].walk() if "TZOFFSETTO" in c}
    assert {"+0100", "+0200"} <= {o.replace("b'", "").replace("'", "") for o in offsets}

    events = events_by_uid(cal)
    assert len(events) == 3  # check-in, dated milestone, open goal's target date
    checkin = next(e for uid, e in events.items() if uid.startswith(f"checkin-{pairing.uuid}@"))
    assert checkin.decoded("DTSTART") == date(2030, 1, 10)
    assert checkin.decoded("DTEND") == date(2030, 1, 11)
    assert "VALUE=DATE" in checkin.to_ical().decode()
    assert mentor.display_name in str(checkin["SUMMARY"])
    ms = next(e for uid, e in events.items() if uid.startswith(f"milestone-{milestone.uuid}@"))
    assert ms.decoded("DTSTART") == date(2030, 1, 15)
    assert "Outline ready" in str(ms["SUMMARY"])
    target = next(e for uid, e in events.items() if uid.startswith(f"goal-{goal.uuid}@"))
    assert target.decoded("DTSTART") == date(2030, 3, 31)
    for event in events.values():
        stamp = event.decoded("DTSTAMP")
        assert stamp.utcoffset() == timedelta(0)  # DTSTAMP in UTC


def test_uids_are_stable_across_fetches_and_rotation(client, mentee, pairing):
    first = set(events_by_uid(parse(client.get(feed_url(mentee)))))
    second = set(events_by_uid(parse(client.get(feed_url(mentee)))))
    assert first == second and first


def test_mentor_sees_checkins_but_no_mentee_goals(client, mentor, mentee, pairing):
    goal = GoalFactory(
        mentee=mentee,
        pairing=pairing,
        visibility=Visibility.PROGRAM,
        target_date=date(2030, 3, 31),
        starts_on=date(2026, 1, 1),
    )
    MilestoneFactory(goal=goal, due_on=date(2030, 1, 15))
    private = GoalFactory(mentee=mentee, visibility=Visibility.PRIVATE, title="Secret plan")
    MilestoneFactory(goal=private, due_on=date(2030, 1, 16))
    cal = parse(client.get(feed_url(mentor)))
    uids = list(events_by_uid(cal))
    assert uids == [u for u in uids if u.startswith("checkin-")] and len(uids) == 1
    assert b"Secret plan" not in cal.to_ical()


def test_closed_pairings_are_not_in_the_feed(client, mentee, program, mentor):
    PairingFactory(program=program, mentor=mentor, mentee=mentee, status=PairingStatus.ENDED)
    cal = parse(client.get(feed_url(mentee)))
    assert not cal.walk("VEVENT")


def test_revoked_and_rotated_addresses_are_404(client, mentee, pairing):
    made = calendar_feed_rotate(user=mentee)
    old_url = reverse("api:calendar_feed", args=[made.secret])
    assert client.get(old_url).status_code == 200
    new = calendar_feed_rotate(user=mentee)
    assert client.get(old_url).status_code == 404
    new_url = reverse("api:calendar_feed", args=[new.secret])
    assert client.get(new_url).status_code == 200
    calendar_feed_revoke(user=mentee)
    assert client.get(new_url).status_code == 404
    assert client.get(reverse("api:calendar_feed", args=["not-a-real-secret"])).status_code == 404


def test_only_a_hash_of_the_address_is_stored(mentee):
    made = calendar_feed_rotate(user=mentee)
    row = CalendarFeed.objects.filter(pk=made.obj.pk).values().get()
    assert made.secret not in str(row)


def test_feed_pages_rotate_and_revoke(client, mentee):
    client.force_login(mentee)
    response = client.post(reverse("api:calendar_rotate"))
    assert response.status_code == 200
    url = response.context["new_feed_url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    assert client.get(url).status_code == 200
    assert client.post(reverse("api:calendar_revoke")).status_code == 302
    assert client.get(url).status_code == 404
    assert client.get(reverse("api:calendar_rotate")).status_code == 405


def test_feed_makes_a_fixed_number_of_queries(
    client, mentee, program, mentor, django_assert_num_queries
):
    def grow(n):
        for _ in range(n):
            goal = GoalFactory(
                mentee=mentee,
                program=program,
                starts_on=date(2026, 1, 1),
                target_date=date(2030, 1, 1),
            )
            MilestoneFactory(goal=goal, due_on=date(2029, 6, 1))
            other = PairingFactory(program=program, mentor=mentor)
            other.next_checkin_due = date(2030, 1, 2)
            other.save()
            Meeting.objects.create(
                pairing=other,
                proposed_by=mentor,
                status=MeetingStatus.CONFIRMED,
                starts_at=timezone.now() + timedelta(days=3),
                uid=f"feed-{other.pk}@example.org",
            )

    counts = []
    for n in (1, 6):
        grow(n)
        url = feed_url(mentor)
        # feed, last-used mark, pairings, meetings, milestones, goals
        with django_assert_num_queries(6) as ctx:
            client.get(url)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_feed_has_the_confirmed_meetings_at_their_time(client, pairing, mentor, mentee):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from icalendar import Calendar

    from mentorship import meetings

    mentee.timezone = "Asia/Tokyo"
    mentee.save(update_fields=["timezone"])
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    meeting = meetings.meeting_propose(
        pairing=pairing, by=mentor, candidate_times=[start], duration=30
    )
    meetings.meeting_pick(meeting=meeting, by=mentee, starts_at=start)
    other = meetings.meeting_propose(
        pairing=pairing, by=mentor, candidate_times=[start + timedelta(days=1)], duration=30
    )
    cal = Calendar.from_ical(client.get(feed_url(mentee)).content)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert other.uid not in events  # only proposed: not in the calendar
    event = events[meeting.uid]
    assert event.decoded("DTSTART") == start.astimezone(ZoneInfo("Asia/Tokyo"))
