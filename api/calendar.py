"""The per-user iCalendar (RFC 5545) feed: check-ins due, milestones and goal target dates,
and the person's confirmed meetings (timed events, with the UID of their invitation).

Every event is a whole day (DTSTART;VALUE=DATE, DTEND the next day), so it falls on the same
date in every calendar application whatever zone it runs in. The calendar names the user's
time zone (X-WR-TIMEZONE and its VTIMEZONE) for applications that show it, and every
timestamp (DTSTAMP) is in UTC. Five queries, however many events.
"""

from datetime import date, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone

from goals.models import Goal, GoalStatus, Milestone
from mentorship.meetings import meeting_event
from mentorship.models import OPEN_PAIRING_STATUSES, Meeting, MeetingStatus, Pairing

OPEN_GOAL_STATUSES = (GoalStatus.DRAFT, GoalStatus.ACTIVE, GoalStatus.ON_HOLD)
PRODID = "-//Mentorship Goal Tracker//Calendar feed//EN"


def uid_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


@lru_cache(maxsize=64)
def vtimezone(tzname: str, year: int) -> Timezone:
    """The VTIMEZONE of a zone, from two years back to five ahead (slow to compute: cached)."""
    from zoneinfo import ZoneInfo

    return Timezone.from_tzinfo(
        ZoneInfo(tzname),
        tzid=tzname,
        first_date=date(year - 2, 1, 1),
        last_date=date(year + 5, 1, 1),
    )


def _all_day(*, uid: str, day: date, summary: str, description: str, stamp, category: str):
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)  # a date, so icalendar writes VALUE=DATE
    # The feed shows whatever date is stored, however far off: the last day there is has no
    # next one, and a whole-day event without DTEND lasts that one day (RFC 5545, 3.6.1).
    if day < date.max:
        event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    event.add("categories", [category])
    event.add("transp", "TRANSPARENT")  # a reminder, not a busy slot
    return event


def calendar_feed_events(user) -> tuple[list[Pairing], list[Milestone], list[Goal]]:
    """What the user's feed shows: three queries.

    A mentor sees the check-ins of their pairings; the milestones and target dates are of the
    user's own goals only, so nobody else's goals, private or not, appear in the feed."""
    pairings = list(
        Pairing.objects.filter(Q(mentor=user) | Q(mentee=user))
        .filter(status__in=OPEN_PAIRING_STATUSES, next_checkin_due__isnull=False)
        .select_related("program", "mentor", "mentee")
        .order_by("next_checkin_due", "pk")
    )
    milestones = list(
        Milestone.objects.filter(
            goal__mentee=user,
            goal__status__in=OPEN_GOAL_STATUSES,
            goal__archived_at__isnull=True,
            due_on__isnull=False,
        )
        .select_related("goal")
        .order_by("due_on", "pk")
    )
    goals = list(
        Goal.objects.filter(
            mentee=user,
            status__in=OPEN_GOAL_STATUSES,
            archived_at__isnull=True,
            target_date__isnull=False,
        )
        .only("uuid", "title", "target_date", "status")
        .order_by("target_date", "pk")
    )
    return pairings, milestones, goals


# Meetings shown in the feed: those to come, and those of the last few weeks.
MEETINGS_SINCE = timedelta(days=60)


def calendar_meetings(user) -> list[Meeting]:
    """The user's confirmed meetings (either side of the pairing): one query."""
    return list(
        Meeting.objects.filter(Q(pairing__mentor=user) | Q(pairing__mentee=user))
        .filter(
            status__in=(MeetingStatus.CONFIRMED, MeetingStatus.DONE),
            starts_at__gte=timezone.now() - MEETINGS_SINCE,
        )
        .select_related("pairing", "pairing__mentor", "pairing__mentee", "proposed_by")
        .order_by("starts_at", "pk")
    )


def calendar_build(user) -> bytes:
    pairings, milestones, goals = calendar_feed_events(user)
    meetings = calendar_meetings(user)
    stamp = timezone.now().replace(microsecond=0)
    domain = uid_domain()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add(
        "x-wr-calname",
        _("%(site)s: %(name)s") % {"site": settings.SITE_NAME, "name": user.display_name},
    )
    cal.add("x-wr-timezone", user.tzinfo.key)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    cal.add_component(vtimezone(user.tzinfo.key, stamp.year))

    for pairing in pairings:
        other = pairing.mentee if pairing.mentor_id == user.pk else pairing.mentor
        cal.add_component(
            _all_day(
                uid=f"checkin-{pairing.uuid}@{domain}",
                day=pairing.next_checkin_due,
                summary=_("Check-in with %(name)s") % {"name": other.display_name},
                description=_("Mentoring check-in due (%(program)s).")
                % {"program": pairing.program.name},
                stamp=stamp,
                category=_("Check-in"),
            )
        )
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, tz=user.tzinfo, stamp=stamp))
    for milestone in milestones:
        done = _(" (done)") if milestone.completed_at else ""
        cal.add_component(
            _all_day(
                uid=f"milestone-{milestone.uuid}@{domain}",
                day=milestone.due_on,
                summary=_("Milestone: %(title)s%(done)s")
                % {"title": milestone.title, "done": done},
                description=_("Goal: %(goal)s") % {"goal": milestone.goal.title},
                stamp=stamp,
                category=_("Milestone"),
            )
        )
    for goal in goals:
        cal.add_component(
            _all_day(
                uid=f"goal-{goal.uuid}@{domain}",
                day=goal.target_date,
                summary=_("Target date: %(title)s") % {"title": goal.title},
                description="",
                stamp=stamp,
                category=_("Goal"),
            )
        )
    return cal.to_ical()
