"""Every write of a pair's meetings: proposing, picking a time or proposing others,
cancelling, the shared agenda, logging the meeting (it becomes the pairing's check-in) and
the action items agreed at it; and the calendar invitations they send.

Only the two people of an active pairing change a meeting (the views and the API check that
through mentorship.policy; the services refuse anyone else as well). A confirmed meeting is
e-mailed to both as an iCalendar invitation (METHOD:REQUEST) through the notifications
outbox: its UID never changes, its SEQUENCE grows with every change sent, and a cancellation
is METHOD:CANCEL. Each person's copy is written in their own time zone, with its VTIMEZONE.
"""

import hashlib
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from accounts.models import User
from core.dates import written
from core.dedupe import recent_twin
from core.errors import Forbidden
from notifications.email import build_email, in_language_of, mail_domain
from notifications.kinds import Kind
from notifications.links import absolute, path_to
from notifications.services import email_enqueue, notification_withdraw, notify

from . import services
from .models import (
    MEETING_DURATION_MAX,
    MEETING_DURATION_MIN,
    MEETING_MAX_CANDIDATES,
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingStatus,
)

MeetingError = services.MentorshipError
MeetingConflict = services.MentorshipConflict

PRODID = "-//Mentorship Goal Tracker//Meetings//EN"
# How far ahead a meeting may be proposed.
MEETING_HORIZON = timedelta(days=366)
# The reminders before a confirmed meeting: (name in the dedupe key, lead time).
REMINDER_LEADS = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))


# --- Reading the clock in each person's zone ----------------------------------------------


def local_time(moment: datetime, user: User | None) -> datetime:
    """`moment` on the wall clock of `user` (UTC for a deleted account)."""
    return moment.astimezone(user.tzinfo if user is not None else ZoneInfo("UTC"))


def format_in_zone(moment: datetime, user: User | None) -> str:
    """ "Tue 3 Mar 2026, 17:00 (Europe/Berlin)": a time as that person reads it."""
    local = local_time(moment, user)
    zone = user.tzinfo.key if user is not None else "UTC"
    # Naive: already on the person's clock (written() would move it to the active zone).
    return f"{written(local.replace(tzinfo=None), 'short_weekday_date_time')} ({zone})"


def _other(pairing: Pairing, user: User) -> User | None:
    return pairing.mentee if pairing.mentor_id == user.pk else pairing.mentor


def _check_actor(pairing: Pairing, by: User) -> None:
    if by is None or by.pk not in (pairing.mentor_id, pairing.mentee_id):
        raise Forbidden(_("Only the mentor and the mentee arrange their meetings."))


def _lock_pairing(pairing: Pairing) -> Pairing:
    pairing = (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("program", "mentor", "mentee")
        .get(pk=pairing.pk)
    )
    if pairing.status != PairingStatus.ACTIVE:
        raise MeetingConflict(_("Meetings are arranged in an active pairing only."))
    return pairing


def _lock_meeting(meeting: Meeting) -> Meeting:
    pairing = _lock_pairing(meeting.pairing)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    locked.pairing = pairing
    return locked


# --- Candidate times ----------------------------------------------------------------------


def _clean_candidates(candidate_times: list[datetime], *, now: datetime) -> list[str]:
    """One to three distinct times to come, as UTC ISO strings, earliest first."""
    times = sorted({t.astimezone(ZoneInfo("UTC")).replace(microsecond=0) for t in candidate_times})
    if not times:
        raise MeetingError(_("Give at least one time."), field="candidate_times")
    if len(times) > MEETING_MAX_CANDIDATES:
        raise MeetingError(
            _("Give at most %(n)d times.") % {"n": MEETING_MAX_CANDIDATES}, field="candidate_times"
        )
    for moment in times:
        if moment <= now:
            raise MeetingError(_("Each time must be in the future."), field="candidate_times")
        if moment > now + MEETING_HORIZON:
            raise MeetingError(_("Propose times within a year."), field="candidate_times")
    return [t.isoformat() for t in times]


def candidate_datetimes(meeting: Meeting) -> list[datetime]:
    return [datetime.fromisoformat(value) for value in meeting.candidate_times or []]


def _clean_details(duration: int, location: str) -> tuple[int, str]:
    if duration is None or not MEETING_DURATION_MIN <= duration <= MEETING_DURATION_MAX:
        raise MeetingError(
            _("A meeting lasts from %(low)d to %(high)d minutes.")
            % {"low": MEETING_DURATION_MIN, "high": MEETING_DURATION_MAX},
            field="duration",
        )
    location = (location or "").replace("\x00", "").strip()
    if len(location) > 500:
        raise MeetingError(_("Use at most 500 characters."), field="location")
    return duration, location


def _meeting_url(meeting: Meeting) -> str:
    return path_to("mentorship:meeting_detail", meeting.pairing.uuid, meeting.uuid)


def _tell_other(meeting: Meeting, *, by: User, key: str, title, body="") -> None:
    """An inbox notice (and e-mail, per the person's settings) to the other side; title and
    body are functions, called in the other side's language (notify)."""
    other = _other(meeting.pairing, by)
    if other is None:
        return
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    notify(
        recipient=other,
        kind=Kind.PAIRING_CHANGED,
        dedupe_key=f"meeting:{meeting.uuid}:{key}:{other.pk}:{stamp}",
        title=title,
        body=body,
        url=_meeting_url(meeting),
    )


def _times_body(meeting: Meeting, person: User | None) -> str:
    lines = [_("Times proposed (your time):")]
    lines += [f"- {format_in_zone(t, person)}" for t in candidate_datetimes(meeting)]
    return "\n".join(lines)


@transaction.atomic
def meeting_propose(
    *,
    pairing: Pairing,
    by: User,
    candidate_times: list[datetime],
    duration: int,
    location: str = "",
) -> Meeting:
    """Propose a meeting at one of one to three times; the other side picks one."""
    _check_actor(pairing, by)
    pairing = _lock_pairing(pairing)
    now = timezone.now()
    times = _clean_candidates(candidate_times, now=now)
    duration, location = _clean_details(duration, location)
    twin = recent_twin(
        Meeting.objects.filter(
            pairing=pairing,
            proposed_by=by,
            status=MeetingStatus.PROPOSED,
            candidate_times=times,
            duration=duration,
            location=location,
        )
    )
    if twin is not None:
        raise services.MentorshipDuplicate(
            _("This meeting was proposed a moment ago."), existing=twin
        )
    meeting = Meeting(
        pairing=pairing,
        proposed_by=by,
        candidate_times=times,
        duration=duration,
        location=location,
    )
    meeting.uid = f"meeting-{meeting.uuid}@{mail_domain()}"
    meeting.save()
    other = _other(pairing, by)
    _tell_other(
        meeting,
        by=by,
        key="proposed",
        title=lambda: _("%(name)s proposes a meeting") % {"name": by.display_name},
        body=lambda: _times_body(meeting, other),
    )
    return meeting


@transaction.atomic
def meeting_counter(
    *,
    meeting: Meeting,
    by: User,
    candidate_times: list[datetime],
    duration: int | None = None,
    location: str | None = None,
) -> Meeting:
    """Propose other times for a proposed meeting, or move a confirmed one: either way the
    meeting waits for the other side to pick one of the new times. A confirmed meeting keeps
    its calendar entry until then (the pick sends the update, same UID, next SEQUENCE); its
    reminders stop meanwhile."""
    _check_actor(meeting.pairing, by)
    meeting = _lock_meeting(meeting)
    if not meeting.is_upcoming:
        raise MeetingConflict(_("This meeting is over; propose a new one."))
    now = timezone.now()
    meeting.candidate_times = _clean_candidates(candidate_times, now=now)
    meeting.duration, meeting.location = _clean_details(
        meeting.duration if duration is None else duration,
        meeting.location if location is None else location,
    )
    was_confirmed = meeting.status == MeetingStatus.CONFIRMED
    if was_confirmed:
        _withdraw_reminders(meeting)
    meeting.status = MeetingStatus.PROPOSED
    meeting.proposed_by = by
    meeting.updated_at = now
    meeting.save()
    other = _other(meeting.pairing, by)
    _tell_other(
        meeting,
        by=by,
        key="counter",
        title=lambda: (
            (
                _("%(name)s asks to move your meeting")
                if was_confirmed
                else _("%(name)s proposes other times")
            )
            % {"name": by.display_name}
        ),
        body=lambda: _times_body(meeting, other),
    )
    return meeting


@transaction.atomic
def meeting_pick(*, meeting: Meeting, by: User, starts_at: datetime) -> Meeting:
    """The other side confirms one of the proposed times; both get the invitation (an
    update, with the next SEQUENCE, when the meeting had been confirmed before)."""
    _check_actor(meeting.pairing, by)
    meeting = _lock_meeting(meeting)
    if meeting.status != MeetingStatus.PROPOSED:
        raise MeetingConflict(_("This meeting is not waiting for a time."))
    if meeting.proposed_by_id == by.pk:
        raise Forbidden(_("The other side picks one of the times you proposed."))
    starts_at = starts_at.astimezone(ZoneInfo("UTC")).replace(microsecond=0)
    if starts_at not in candidate_datetimes(meeting):
        raise MeetingError(_("Pick one of the proposed times."), field="starts_at")
    now = timezone.now()
    if starts_at <= now:
        raise MeetingError(_("That time has passed; propose others."), field="starts_at")
    moved = meeting.starts_at is not None
    if moved:
        meeting.sequence += 1
    meeting.starts_at = starts_at
    meeting.status = MeetingStatus.CONFIRMED
    meeting.candidate_times = [starts_at.isoformat()]
    meeting.updated_at = now
    meeting.save()
    _send_invitations(meeting, method="REQUEST")
    _tell_other(
        meeting,
        by=by,
        key=f"confirmed:{meeting.sequence}",
        title=lambda: _("%(name)s confirmed your meeting") % {"name": by.display_name},
        body=lambda: format_in_zone(starts_at, _other(meeting.pairing, by)),
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User) -> Meeting:
    """Call a meeting off: a confirmed one sends METHOD:CANCEL (same UID, next SEQUENCE) to
    both; its reminders are withdrawn and never made again."""
    _check_actor(meeting.pairing, by)
    meeting = _lock_meeting(meeting)
    if not meeting.is_upcoming:
        raise MeetingConflict(_("This meeting is over; it can no longer be cancelled."))
    sent_before = meeting.starts_at is not None
    _withdraw_reminders(meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting.updated_at = timezone.now()
    if sent_before:
        meeting.sequence += 1
    meeting.save()
    if sent_before:
        _send_invitations(meeting, method="CANCEL")
    _tell_other(
        meeting,
        by=by,
        key="cancelled",
        title=lambda: _("%(name)s cancelled your meeting") % {"name": by.display_name},
    )
    return meeting


@transaction.atomic
def meetings_cancel_for_closed_pairing(*, pairing_id: int) -> int:
    """Call off the meetings to come of a pairing that was completed or ended: each is
    cancelled; a confirmed one still to come sends METHOD:CANCEL to both. Returns how many;
    nothing for a pairing still open (it was resumed, or this ran twice)."""
    pairing = (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("program", "mentor", "mentee")
        .filter(pk=pairing_id)
        .first()
    )
    if pairing is None or pairing.is_open:
        return 0
    now = timezone.now()
    upcoming = list(
        Meeting.objects.select_for_update().filter(
            pairing=pairing, status__in=(MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)
        )
    )
    for meeting in upcoming:
        meeting.pairing = pairing
        _withdraw_reminders(meeting)
        in_calendars = meeting.starts_at is not None and meeting.starts_at > now
        meeting.status = MeetingStatus.CANCELLED
        meeting.updated_at = now
        if in_calendars:
            meeting.sequence += 1
        meeting.save()
        if in_calendars:
            _send_invitations(meeting, method="CANCEL")
    return len(upcoming)


def reminder_key(meeting_uuid, user_uuid, lead: str, starts_at: datetime) -> str:
    """One reminder per meeting, person, lead time and start: a moved meeting gets new ones."""
    stamp = starts_at.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M")
    return f"{Kind.MEETING_REMINDER}:{meeting_uuid}:{user_uuid}:{lead}:{stamp}"


def _withdraw_reminders(meeting: Meeting) -> None:
    if meeting.starts_at is None:
        return
    for person in (meeting.pairing.mentor, meeting.pairing.mentee):
        if person is None:
            continue
        for lead, _delta in REMINDER_LEADS:
            notification_withdraw(
                dedupe_key=reminder_key(meeting.uuid, person.uuid, lead, meeting.starts_at)
            )


# --- Calendar invitations -----------------------------------------------------------------


@lru_cache(maxsize=64)
def _vtimezone(tzname: str, year: int) -> Timezone:
    return Timezone.from_tzinfo(
        ZoneInfo(tzname),
        tzid=tzname,
        first_date=date(year - 1, 1, 1),
        last_date=date(year + 2, 1, 1),
    )


def _address(person: User | None, *, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(person.display_name)
    if role:
        address.params["ROLE"] = vText(role)
        address.params["PARTSTAT"] = vText("ACCEPTED")
        address.params["RSVP"] = vText("FALSE")
    return address


def meeting_summary(meeting: Meeting) -> str:
    return _("Mentoring meeting: %(mentor)s and %(mentee)s") % {
        "mentor": meeting.pairing.mentor_name,
        "mentee": meeting.pairing.mentee_name,
    }


def meeting_event(meeting: Meeting, *, tz: ZoneInfo, stamp: datetime) -> Event:
    """The VEVENT of a confirmed (or cancelled) meeting, its times in `tz`."""
    pairing = meeting.pairing
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", meeting.ends_at.astimezone(tz))
    event.add("summary", meeting_summary(meeting))
    if meeting.location:
        event.add("location", meeting.location)
        if meeting.location_is_link:
            event.add("url", meeting.location)
    event.add(
        "description",
        _("Agenda and notes: %(url)s") % {"url": absolute(_meeting_url(meeting))},
    )
    organizer = meeting.proposed_by or pairing.mentor or pairing.mentee
    if organizer is not None:
        event.add("organizer", _address(organizer))
    for person in (pairing.mentor, pairing.mentee):
        if person is not None:
            event.add("attendee", _address(person, role="REQ-PARTICIPANT"))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def meeting_ical(meeting: Meeting, *, method: str, for_user: User | None) -> str:
    """The invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL) for one person, in
    their time zone, with that zone's VTIMEZONE."""
    tz = for_user.tzinfo if for_user is not None else ZoneInfo("UTC")
    stamp = timezone.now().astimezone(ZoneInfo("UTC")).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(_vtimezone(tz.key, meeting.starts_at.year))
    cal.add_component(meeting_event(meeting, tz=tz, stamp=stamp))
    return cal.to_ical().decode()


def _send_invitations(meeting: Meeting, *, method: str) -> None:
    """One e-mail to each side, the .ics attached as text/calendar with its method, through
    the outbox after the commit."""
    pairing = meeting.pairing
    for person in (pairing.mentor, pairing.mentee):
        if person is None or not person.is_active:
            continue
        with in_language_of(person):  # whoever moved the meeting
            other = _other(pairing, person)
            ics = meeting_ical(meeting, method=method, for_user=person)
            key = f"{meeting.uid}:{meeting.sequence}:{method}:{person.pk}"
            digest = hashlib.sha256(key.encode()).hexdigest()
            message = build_email(
                "meeting_invitation",
                {
                    "recipient": person,
                    "other_name": other.display_name if other else str(_("a deleted user")),
                    "cancelled": method == "CANCEL",
                    "moved": meeting.sequence > 0 and method == "REQUEST",
                    "when": format_in_zone(meeting.starts_at, person),
                    "when_other": format_in_zone(meeting.starts_at, other) if other else "",
                    "duration": meeting.duration,
                    "location": meeting.location,
                    "url": absolute(_meeting_url(meeting)),
                },
                to=[person.email],
                headers={
                    "Message-ID": f"<{digest}@{mail_domain()}>",
                    "Auto-Submitted": "auto-generated",
                },
            )
            message.attach("invite.ics", ics, f"text/calendar; method={method}")
        email_enqueue(message=message, kind=f"meeting_{method.lower()}")


# --- The agenda -----------------------------------------------------------------------------


def _check_agenda_open(meeting: Meeting) -> None:
    if not meeting.is_upcoming:
        raise MeetingConflict(_("The agenda closes once the meeting is over."))


@transaction.atomic
def agenda_add(*, meeting: Meeting, by: User, text: str) -> AgendaItem:
    _check_actor(meeting.pairing, by)
    meeting = _lock_meeting(meeting)
    _check_agenda_open(meeting)
    text = _clean_text(text, field="text")
    twin = recent_twin(AgendaItem.objects.filter(meeting=meeting, author=by, text=text))
    if twin is not None:
        return twin
    return AgendaItem.objects.create(meeting=meeting, author=by, text=text)


@transaction.atomic
def agenda_update(*, item: AgendaItem, by: User, text: str) -> AgendaItem:
    _check_actor(item.meeting.pairing, by)
    meeting = _lock_meeting(item.meeting)
    _check_agenda_open(meeting)
    item.text = _clean_text(text, field="text")
    item.save(update_fields=["text"])
    return item


@transaction.atomic
def agenda_remove(*, item: AgendaItem, by: User) -> None:
    _check_actor(item.meeting.pairing, by)
    meeting = _lock_meeting(item.meeting)
    _check_agenda_open(meeting)
    item.delete()


def _clean_text(text: str, *, field: str, limit: int = 300) -> str:
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise MeetingError(_("Write something."), field=field)
    if len(text) > limit:
        raise MeetingError(_("Use at most %(n)d characters.") % {"n": limit}, field=field)
    return text


# --- After the meeting ----------------------------------------------------------------------


def meeting_is_loggable(meeting: Meeting, *, now: datetime | None = None) -> bool:
    """A confirmed meeting whose start has come is waiting to be logged."""
    now = now or timezone.now()
    return meeting.status == MeetingStatus.CONFIRMED and meeting.starts_at <= now


def agenda_as_summary(agenda: list[str], carried: list[str]) -> str:
    """The log form's starting text: the agenda's points, then the open action items."""
    lines = [f"- {text}" for text in agenda]
    lines += [f"- {title}" for title in carried]
    return "\n".join(lines)


@transaction.atomic
def meeting_log(
    *,
    meeting: Meeting,
    by: User,
    occurred_on: date,
    summary: str,
    next_steps: str = "",
    action_items: list[dict] | None = None,
) -> tuple[Meeting, list[ActionItem]]:
    """Log a confirmed meeting: it becomes the pairing's check-in (mentorship.services.
    checkin_log: the next one is due a cadence later, both are told) and its action items
    are made, each owned by one of the pair."""
    _check_actor(meeting.pairing, by)
    meeting = _lock_meeting(meeting)
    if meeting.status == MeetingStatus.DONE:
        raise MeetingConflict(_("This meeting is logged already."))
    if not meeting_is_loggable(meeting):
        raise MeetingConflict(_("A meeting is logged once it has taken place."))
    pairing = meeting.pairing
    owners = {p.pk: p for p in (pairing.mentor, pairing.mentee) if p is not None}
    cleaned = []
    for row in action_items or []:
        title = _clean_text(row.get("title"), field="action_items")
        owner = row.get("owner")
        owner_pk = getattr(owner, "pk", owner)
        if owner_pk not in owners:
            raise MeetingError(
                _("An action item belongs to the mentor or the mentee."), field="action_items"
            )
        cleaned.append((title, owners[owner_pk], row.get("due_on")))
    checkin = services.checkin_log(
        pairing=pairing, by=by, occurred_on=occurred_on, summary=summary, next_steps=next_steps
    )
    meeting.status = MeetingStatus.DONE
    meeting.checkin = checkin
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=["status", "checkin", "updated_at"])
    items = ActionItem.objects.bulk_create(
        [
            ActionItem(
                pairing=pairing,
                meeting=meeting,
                owner=owner,
                title=title,
                due_on=due_on,
                created_by=by,
            )
            for title, owner, due_on in cleaned
        ]
    )
    return meeting, items


@transaction.atomic
def action_item_set_done(*, item: ActionItem, by: User, done: bool = True) -> ActionItem:
    """Tick an action item off (or open it again): its owner only, while the pairing runs."""
    pairing = _lock_pairing(item.pairing)
    if by is None or item.owner_id != by.pk:
        raise Forbidden(_("Only the person who owns an action item ticks it off."))
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    item.pairing = pairing
    if done and item.done_at is None:
        item.done_at = timezone.now()
    elif not done:
        item.done_at = None
    item.save(update_fields=["done_at"])
    return item


def next_meeting_suggested_on(pairing: Pairing, *, today: date | None = None) -> date:
    """When the next meeting is due by the program's cadence: the pairing's next check-in
    date, and never a day already past."""
    today = today or timezone.localdate()
    due = pairing.next_checkin_due or today + timedelta(days=pairing.program.checkin_cadence_days)
    return max(due, today + timedelta(days=1))
