"""The dispatcher: decides what is due, creates Notification rows, enqueues delivery.

Due-ness lives in the database (next check-in dates, milestone dates, each person's digest
day and hour) and is turned into an instant with the recipient's own time zone. Each row's
dedupe_key is (kind, subject, period), unique in the table: a second pass, or two passes at
once, create nothing new. Run by beat every five minutes, or by `manage.py
send_due_notifications` from cron.
"""

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from core.dates import written
from goals.models import GoalStatus, Milestone, MilestoneKind
from mentorship.meetings import REMINDER_LEADS, format_in_zone, reminder_key
from mentorship.models import (
    MEETING_DURATION_MAX,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingStatus,
    Role,
    SurveyKind,
    SurveyResponse,
    survey_pulse_due,
    survey_pulse_round_on,
)
from mentorship.nudges import nudges_dispatch

from . import digests, links
from .delivery import pending_email_ids, pending_ids
from .email import in_language, in_language_of
from .kinds import Kind
from .models import Notification
from .schedule import Prefs, iso_week, latest_digest_day, local_send_time, zone
from .selectors import preferences_for_users
from .services import enqueue_delivery, enqueue_email_delivery

logger = logging.getLogger(__name__)

REMINDER_HOUR = 9
# A reminder missed by this much (the dispatcher was down) is dropped rather than sent at an
# odd hour; a digest may still go out the same day.
REMINDER_GRACE = timedelta(hours=12)
DIGEST_GRACE = timedelta(hours=24)
BATCH_SIZE = 500
DELIVERY_CHUNK = 50  # ids per delivery task: one SMTP connection each

USER_FIELDS = ("id", "uuid", "timezone", "language", "is_active")
PREF_FIELDS = tuple(
    f"notification_preferences__{name}"
    for name in (
        "id",
        "muted_kinds",
        "digest_weekday",
        "digest_hour",
        "feedback_mode",
        "quiet_hours_start",
        "quiet_hours_end",
    )
)


def _prefs_from_values(row: dict) -> Prefs:
    if row["notification_preferences__id"] is None:
        return Prefs()
    return Prefs(
        muted_kinds=frozenset(row["notification_preferences__muted_kinds"] or ()),
        digest_weekday=row["notification_preferences__digest_weekday"],
        digest_hour=row["notification_preferences__digest_hour"],
        feedback_mode=row["notification_preferences__feedback_mode"],
        quiet_hours_start=row["notification_preferences__quiet_hours_start"],
        quiet_hours_end=row["notification_preferences__quiet_hours_end"],
    )


@dataclass
class DispatchResult:
    created: dict[str, int] = field(default_factory=dict)
    enqueued: int = 0

    def add(self, kind: str, count: int) -> None:
        if count:
            self.created[kind] = self.created.get(kind, 0) + count

    def as_dict(self) -> dict:
        return {"created": {str(k): v for k, v in self.created.items()}, "enqueued": self.enqueued}


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _day(day: date) -> str:
    return written(day, "weekday_day_month")


def _is_due(moment: datetime, now: datetime, grace: timedelta) -> bool:
    return moment <= now < moment + grace


def _insert(rows: list[Notification]) -> int:
    """Insert, skipping keys that exist (a concurrent pass got there first). Returns how many
    keys were new before the insert; the unique index has the last word."""
    if not rows:
        return 0
    keys = [row.dedupe_key for row in rows]
    existing = set(
        Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    fresh = [row for row in rows if row.dedupe_key not in existing]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
    return len(fresh)


def _row(*, recipient_id, kind, key, title, body, url, moment, payload=None) -> Notification:
    return Notification(
        recipient_id=recipient_id,
        kind=kind,
        dedupe_key=key[:200],
        batch_key=key[:200],
        title=title[:300],
        body=body,
        url=url,
        payload=payload or {},
        scheduled_for=moment,
        send_email=True,
    )


# --- Reminders -----------------------------------------------------------------------------


def checkin_reminders(now: datetime) -> list[Notification]:
    """Due tomorrow (both sides, 09:00 local the day before) and overdue (both sides, 09:00
    local the day after the due date)."""
    today = now.date()
    pairings = list(
        Pairing.objects.filter(
            status=PairingStatus.ACTIVE,
            program__is_active=True,
            next_checkin_due__gte=today - timedelta(days=3),
            next_checkin_due__lte=today + timedelta(days=3),
        ).values(
            "uuid",
            "next_checkin_due",
            "last_checkin_on",
            "program__name",
            "mentor_id",
            "mentor__uuid",
            "mentor__timezone",
            "mentor__is_active",
            "mentor__name",
            "mentor__email",
            "mentor__language",
            "mentee_id",
            "mentee__uuid",
            "mentee__timezone",
            "mentee__is_active",
            "mentee__name",
            "mentee__email",
            "mentee__language",
        )
    )
    prefs = preferences_for_users(
        user_ids={p[f"{side}_id"] for p in pairings for side in ("mentor", "mentee")}
    )
    rows = []
    for p in pairings:
        due: date = p["next_checkin_due"]
        met = p["last_checkin_on"] is not None and p["last_checkin_on"] >= due
        for side, other in (("mentor", "mentee"), ("mentee", "mentor")):
            user_id = p[f"{side}_id"]
            if not p[f"{side}__is_active"]:
                continue
            tz = zone(p[f"{side}__timezone"])
            user_prefs = prefs.get(user_id, Prefs())
            partner = p[f"{other}__name"] or p[f"{other}__email"].split("@")[0]
            url = links.pairing_path(p["uuid"])
            payload = {
                "partner": partner,
                "program": p["program__name"],
                "due_on": due.isoformat(),
                "role": side,
            }
            with in_language(p[f"{side}__language"]):
                soon = local_send_time(tz, due - timedelta(days=1), REMINDER_HOUR, user_prefs)
                if user_prefs.wants(Kind.CHECKIN_DUE_SOON) and _is_due(soon, now, REMINDER_GRACE):
                    rows.append(
                        _row(
                            recipient_id=user_id,
                            kind=Kind.CHECKIN_DUE_SOON,
                            key=f"{Kind.CHECKIN_DUE_SOON}:{p['uuid']}:{p[f'{side}__uuid']}:{due}",
                            title=_("Check-in with %(name)s due tomorrow") % {"name": partner},
                            body=_(
                                "Your next check-in with %(name)s (%(program)s) is due on %(date)s."
                            )
                            % {"name": partner, "program": p["program__name"], "date": _day(due)},
                            url=url,
                            moment=soon,
                            payload=payload,
                        )
                    )
                late = local_send_time(tz, due + timedelta(days=1), REMINDER_HOUR, user_prefs)
                if (
                    not met
                    and user_prefs.wants(Kind.CHECKIN_OVERDUE)
                    and _is_due(late, now, REMINDER_GRACE)
                ):
                    rows.append(
                        _row(
                            recipient_id=user_id,
                            kind=Kind.CHECKIN_OVERDUE,
                            key=f"{Kind.CHECKIN_OVERDUE}:{p['uuid']}:{p[f'{side}__uuid']}:{due}",
                            title=_("Check-in with %(name)s is overdue") % {"name": partner},
                            body=_(
                                "Your check-in with %(name)s (%(program)s) was due on %(date)s. "
                                "Agree a time, then log the meeting."
                            )
                            % {"name": partner, "program": p["program__name"], "date": _day(due)},
                            url=url,
                            moment=late,
                            payload=payload,
                        )
                    )
    return rows


def milestone_reminders(now: datetime) -> list[Notification]:
    """The mentee hears the day before a milestone is due and the day after it was missed,
    at 09:00 local time."""
    today = now.date()
    milestones = list(
        Milestone.objects.filter(
            kind=MilestoneKind.MILESTONE,
            completed_at__isnull=True,
            due_on__gte=today - timedelta(days=3),
            due_on__lte=today + timedelta(days=3),
            goal__status=GoalStatus.ACTIVE,
            goal__archived_at__isnull=True,
            goal__mentee__is_active=True,
        ).values(
            "uuid",
            "title",
            "due_on",
            "goal__uuid",
            "goal__title",
            "goal__mentee_id",
            "goal__mentee__timezone",
            "goal__mentee__language",
        )
    )
    prefs = preferences_for_users(user_ids={m["goal__mentee_id"] for m in milestones})
    rows = []
    for m in milestones:
        user_id, due = m["goal__mentee_id"], m["due_on"]
        user_prefs = prefs[user_id]
        tz = zone(m["goal__mentee__timezone"])
        url = links.goal_path(m["goal__uuid"])
        payload = {"milestone": m["title"], "goal": m["goal__title"], "due_on": due.isoformat()}
        with in_language(m["goal__mentee__language"]):
            soon = local_send_time(tz, due - timedelta(days=1), REMINDER_HOUR, user_prefs)
            if user_prefs.wants(Kind.MILESTONE_DUE_SOON) and _is_due(soon, now, REMINDER_GRACE):
                rows.append(
                    _row(
                        recipient_id=user_id,
                        kind=Kind.MILESTONE_DUE_SOON,
                        key=f"{Kind.MILESTONE_DUE_SOON}:{m['uuid']}:{due}",
                        title=_("Milestone due tomorrow: %(title)s") % {"title": m["title"]},
                        body=_("“%(title)s” for your goal “%(goal)s” is due on %(date)s.")
                        % {"title": m["title"], "goal": m["goal__title"], "date": _day(due)},
                        url=url,
                        moment=soon,
                        payload=payload,
                    )
                )
            late = local_send_time(tz, due + timedelta(days=1), REMINDER_HOUR, user_prefs)
            if user_prefs.wants(Kind.MILESTONE_OVERDUE) and _is_due(late, now, REMINDER_GRACE):
                rows.append(
                    _row(
                        recipient_id=user_id,
                        kind=Kind.MILESTONE_OVERDUE,
                        key=f"{Kind.MILESTONE_OVERDUE}:{m['uuid']}:{due}",
                        title=_("Milestone overdue: %(title)s") % {"title": m["title"]},
                        body=_(
                            "“%(title)s” for your goal “%(goal)s” was due on %(date)s. Mark it "
                            "done, or move the date with your mentor."
                        )
                        % {"title": m["title"], "goal": m["goal__title"], "date": _day(due)},
                        # "Move the date": the link opens the page where the date is moved.
                        url=links.goal_dates_path(m["goal__uuid"]),
                        moment=late,
                        payload=payload,
                    )
                )
    return rows


# How late a meeting reminder may still go out: the day-before one up to 18 hours before the
# meeting, the hour-before one up to 10 minutes before; later, it is dropped.
MEETING_REMINDER_GRACE = {"24h": timedelta(hours=6), "1h": timedelta(minutes=50)}


def meeting_reminders(now: datetime) -> list[Notification]:
    """Each side of a confirmed meeting hears 24 hours and 1 hour before it, the time written
    on their own clock. A cancelled meeting is never reminded of; a moved one is reminded of
    at its new time (the key names the start)."""
    meetings = list(
        Meeting.objects.filter(
            status=MeetingStatus.CONFIRMED,
            pairing__status=PairingStatus.ACTIVE,
            starts_at__gt=now,
            starts_at__lte=now + max(delta for _lead, delta in REMINDER_LEADS),
        ).select_related("pairing", "pairing__mentor", "pairing__mentee")
    )
    people = {p.pk for m in meetings for p in (m.pairing.mentor, m.pairing.mentee) if p}
    prefs = preferences_for_users(user_ids=people)
    rows = []
    for meeting in meetings:
        pairing = meeting.pairing
        for person, other in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor)):
            if person is None or not person.is_active:
                continue
            if not prefs.get(person.pk, Prefs()).wants(Kind.MEETING_REMINDER):
                continue
            with in_language_of(person):
                partner = other.display_name if other is not None else _("a deleted user")
                when = format_in_zone(meeting.starts_at, person)
                for lead, delta in REMINDER_LEADS:
                    moment = meeting.starts_at - delta
                    if not _is_due(moment, now, MEETING_REMINDER_GRACE[lead]):
                        continue
                    title = (
                        _("Meeting with %(name)s tomorrow: %(when)s")
                        if lead == "24h"
                        else _("Meeting with %(name)s in an hour: %(when)s")
                    ) % {"name": partner, "when": when}
                    body = (
                        _("Where: %(where)s") % {"where": meeting.location}
                        if meeting.location
                        else ""
                    )
                    rows.append(
                        _row(
                            recipient_id=person.pk,
                            kind=Kind.MEETING_REMINDER,
                            key=reminder_key(meeting.uuid, person.uuid, lead, meeting.starts_at),
                            title=title,
                            body=body,
                            url=links.path_to(
                                "mentorship:meeting_detail", pairing.uuid, meeting.uuid
                            ),
                            moment=moment,
                            payload={"partner": partner, "when": when, "lead": lead},
                        )
                    )
    return rows


# How long after a meeting's end its prompt to log it may still go out.
LOG_PROMPT_GRACE = timedelta(hours=12)


def meeting_log_prompts(now: datetime) -> list[Notification]:
    """Once a confirmed meeting is over, each side is asked once to log it (the notes start
    from its agenda); a meeting logged meanwhile is done and asks nothing."""
    longest = timedelta(minutes=MEETING_DURATION_MAX)
    meetings = list(
        Meeting.objects.filter(
            status=MeetingStatus.CONFIRMED,
            pairing__status=PairingStatus.ACTIVE,
            starts_at__lte=now,
            starts_at__gte=now - LOG_PROMPT_GRACE - longest,
        ).select_related("pairing", "pairing__mentor", "pairing__mentee")
    )
    people = {p.pk for m in meetings for p in (m.pairing.mentor, m.pairing.mentee) if p}
    prefs = preferences_for_users(user_ids=people)
    rows = []
    for meeting in meetings:
        if not _is_due(meeting.ends_at, now, LOG_PROMPT_GRACE):
            continue
        pairing = meeting.pairing
        for person, other in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor)):
            if person is None or not person.is_active:
                continue
            if not prefs.get(person.pk, Prefs()).wants(Kind.MEETING_REMINDER):
                continue
            with in_language_of(person):
                partner = other.display_name if other is not None else _("a deleted user")
                rows.append(
                    _row(
                        recipient_id=person.pk,
                        kind=Kind.MEETING_REMINDER,
                        key=f"meeting_log_prompt:{meeting.uuid}:{person.uuid}",
                        title=_("How did your meeting with %(name)s go? Log it")
                        % {"name": partner},
                        body=_("The notes start from the agenda; next steps become action items."),
                        url=links.path_to("mentorship:meeting_log", pairing.uuid, meeting.uuid),
                        moment=meeting.ends_at,
                        payload={"partner": partner, "lead": "log"},
                    )
                )
    return rows


# --- Surveys ---------------------------------------------------------------------------------

# Pulse rounds looked for: a pairing running for longer than this many rounds (ten years)
# is not asked again.
SURVEY_MAX_ROUNDS = 61
# A close-out invitation goes out from 09:00 (the recipient's time) on the day the pairing
# ended, or at once if it ended later that day; it is dropped after this long.
CLOSE_OUT_GRACE = timedelta(hours=36)


def _survey_row(person, pairing, partner: str, kind: str, round_: int, moment) -> Notification:
    if kind == SurveyKind.CLOSE_OUT:
        title = _("Your mentorship with %(name)s has ended: how did it go?") % {"name": partner}
        body = _(
            "Four short questions about the mentorship and the program. Your answer is "
            "private unless you share it with %(name)s; the program's admins only see totals."
        ) % {"name": partner}
    else:
        title = _("How is your mentorship with %(name)s going?") % {"name": partner}
        body = _(
            "Two short questions, a minute or two. Your answer is private unless you share "
            "it with %(name)s; the program's admins only see totals."
        ) % {"name": partner}
    return _row(
        recipient_id=person.pk,
        kind=Kind.SURVEY,
        key=f"{Kind.SURVEY}:{pairing.uuid}:{person.uuid}:{kind}:{round_}",
        title=title,
        body=body,
        # Reversed as is: the kind and the round do not fit links.path_to's UUID placeholder.
        url=reverse("mentorship:survey_answer", args=[pairing.uuid, kind, round_]),
        moment=moment,
        payload={"partner": partner, "survey": kind, "round": round_},
    )


def survey_invitations(now: datetime) -> list[Notification]:
    """Each side of a pairing is asked to answer its surveys, at 09:00 their own time: the
    pulse on day 30 after the pairing started and every 60 days after (day 90, 150, ...)
    while it is active; the close-out on the day it ended (completed, ended, reassigned,
    ended with an account or a membership; whatever closed it). Nobody is asked a survey
    they answered already. Three queries: the pairings, the answers given, preferences."""
    today = now.date()
    # Pairings whose pulse may fall due today somewhere (time zones span a day either way).
    starts = [
        today - (survey_pulse_due(today, r) - today) + timedelta(days=shift)
        for r in range(1, SURVEY_MAX_ROUNDS + 1)
        for shift in (-1, 0, 1)
    ]
    pairings = list(
        Pairing.objects.filter(
            Q(status=PairingStatus.ACTIVE, started_on__in=starts)
            | Q(
                status__in=(PairingStatus.COMPLETED, PairingStatus.ENDED),
                started_on__isnull=False,
                ended_on__gte=today - timedelta(days=2),
                ended_on__lte=today + timedelta(days=1),
            )
        ).select_related("mentor", "mentee")
    )
    if not pairings:
        return []
    answered = set(
        SurveyResponse.objects.filter(pairing__in=[p.pk for p in pairings]).values_list(
            "pairing_id", "author_id", "kind", "round"
        )
    )
    people = {p.pk for pairing in pairings for p in (pairing.mentor, pairing.mentee) if p}
    prefs = preferences_for_users(user_ids=people)
    rows = []
    for pairing in pairings:
        for person, other in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor)):
            if person is None or not person.is_active:
                continue
            user_prefs = prefs.get(person.pk, Prefs())
            if not user_prefs.wants(Kind.SURVEY):
                continue
            tz = zone(person.timezone)
            if pairing.status == PairingStatus.ACTIVE:
                local_today = now.astimezone(tz).date()
                round_ = survey_pulse_round_on(pairing.started_on, local_today)
                if not round_ or survey_pulse_due(pairing.started_on, round_) != local_today:
                    continue
                kind, grace = SurveyKind.PULSE.value, REMINDER_GRACE
                moment = local_send_time(tz, local_today, REMINDER_HOUR, user_prefs)
            else:
                kind, round_, grace = SurveyKind.CLOSE_OUT.value, 0, CLOSE_OUT_GRACE
                moment = local_send_time(tz, pairing.ended_on, REMINDER_HOUR, user_prefs)
            if (pairing.pk, person.pk, kind, round_) in answered:
                continue
            if not _is_due(moment, now, grace):
                continue
            with in_language_of(person):
                partner = other.display_name if other is not None else _("a deleted user")
                rows.append(_survey_row(person, pairing, partner, kind, round_, moment))
    return rows


# --- Digests ---------------------------------------------------------------------------------

DIGEST_COMPOSERS = {
    Kind.DIGEST_MENTOR: digests.compose_mentor,
    Kind.DIGEST_MENTEE: digests.compose_mentee,
    Kind.DIGEST_ADMIN: digests.compose_admin,
}


def digest_audience(kind: str):
    """Everyone who could receive this digest (active accounts in active programs)."""
    users = User.objects.filter(is_active=True)
    if kind == Kind.DIGEST_MENTOR:
        users = users.filter(
            pairings_as_mentor__status=PairingStatus.ACTIVE,
            pairings_as_mentor__program__is_active=True,
        )
    elif kind == Kind.DIGEST_MENTEE:
        users = users.filter(memberships__role=Role.MENTEE, memberships__program__is_active=True)
    else:
        users = users.filter(memberships__role=Role.ADMIN, memberships__program__is_active=True)
    return users.distinct().order_by("id")


def _digest_text(kind: str, payload: dict) -> tuple[str, str, str]:
    """Title, one-line summary and link of a digest, for the inbox and the subject line."""
    if kind == Kind.DIGEST_MENTOR:
        mentees = payload["mentees"]
        updates = sum(m["updates_count"] for m in mentees)
        waiting = sum(m["awaiting_review"] for m in mentees)
        title = ngettext(
            "Your weekly digest: %(n)d mentee", "Your weekly digest: %(n)d mentees", len(mentees)
        ) % {"n": len(mentees)}
        body = (
            ngettext("%(n)d new progress update", "%(n)d new progress updates", updates)
            % {"n": updates}
            + ", "
            + ngettext("%(n)d awaiting your review", "%(n)d awaiting your review", waiting)
            % {"n": waiting}
        )
        return title, body, links.mentor_dashboard_path()
    if kind == Kind.DIGEST_MENTEE:
        goals = payload["goals"]
        title = _("Your weekly progress digest")
        body = (
            ngettext("%(n)d open goal", "%(n)d open goals", len(goals)) % {"n": len(goals)}
            + ", "
            + ngettext(
                "%(n)d new piece of feedback",
                "%(n)d new pieces of feedback",
                payload["feedback_count"],
            )
            % {"n": payload["feedback_count"]}
        )
        return title, body, links.mentee_dashboard_path()
    programs = payload["programs"]
    stalled = sum(p["stalled_count"] for p in programs)
    unpaired = sum(p["unpaired_count"] for p in programs)
    title = _("Weekly program digest")
    body = (
        ngettext("%(n)d stalled pairing", "%(n)d stalled pairings", stalled) % {"n": stalled}
        + ", "
        + ngettext("%(n)d unpaired mentee", "%(n)d unpaired mentees", unpaired) % {"n": unpaired}
    )
    url = programs[0]["url"] if len(programs) == 1 else links.path_to("mentorship:program_list")
    return title, body, url


def digest_rows(
    kind: str, recipients: list[dict], *, now: datetime, moments: dict[int, datetime]
) -> list[Notification]:
    """Compose one batch of digests: the last digest of each recipient (one query) and the
    composer's fixed number of queries, whatever the batch size."""
    ids = [r["id"] for r in recipients]
    last = dict(
        Notification.objects.filter(recipient_id__in=ids, kind=kind)
        .values("recipient_id")
        .annotate(last=Max("created_at"))
        .values_list("recipient_id", "last")
    )
    week_ago = now - timedelta(days=7)
    since = {user_id: last.get(user_id) or week_ago for user_id in ids}
    payloads = DIGEST_COMPOSERS[kind](ids, now=now, since=since)
    rows = []
    for r in recipients:
        payload = payloads.get(r["id"])
        if not payload:
            continue  # nothing to report: a mentor without active mentees, say
        with in_language(r.get("language")):
            title, body, url = _digest_text(kind, payload)
        rows.append(
            _row(
                recipient_id=r["id"],
                kind=kind,
                key=r["key"],
                title=title,
                body=body,
                url=url,
                moment=moments.get(r["id"], now),
                payload=payload,
            )
        )
    return rows


def due_digest_recipients(kind: str, now: datetime, *, only_due: bool = True) -> list[dict]:
    """People whose digest day and hour (their time zone, their quiet hours) has come and who
    have not had this week's digest. With only_due=False, everyone (for the benchmark)."""
    # Preferences come in the same query (a LEFT JOIN): no list of ids to bind, however many
    # people there are.
    audience = digest_audience(kind).values(*USER_FIELDS, *PREF_FIELDS)
    due = []
    for user in audience.iterator(chunk_size=2000):
        user_prefs = _prefs_from_values(user)
        if not user_prefs.wants(kind):
            continue
        tz = zone(user["timezone"])
        day = latest_digest_day(now, tz, user_prefs.digest_weekday)
        moment = local_send_time(tz, day, user_prefs.digest_hour, user_prefs)
        if moment > now:  # quiet hours pushed this week's digest past now; not yet
            if only_due:
                continue
        elif only_due and not _is_due(moment, now, DIGEST_GRACE):
            continue
        due.append(
            {
                "id": user["id"],
                "language": user["language"],
                "moment": min(moment, now),
                "key": f"{kind}:{user['uuid']}:{iso_week(day)}",
            }
        )
    return due


def dispatch_digests(
    now: datetime,
    *,
    kinds: Iterable[str] = tuple(DIGEST_COMPOSERS),
    only_due: bool = True,
    batch_size: int = BATCH_SIZE,
) -> dict[str, int]:
    created: dict[str, int] = {}
    for kind in kinds:
        recipients = due_digest_recipients(kind, now, only_due=only_due)
        for batch in _chunks(recipients, batch_size):
            existing = set(
                Notification.objects.filter(dedupe_key__in=[r["key"] for r in batch]).values_list(
                    "dedupe_key", flat=True
                )
            )
            batch = [r for r in batch if r["key"] not in existing]
            if not batch:
                continue
            moments = {r["id"]: r["moment"] for r in batch}
            rows = digest_rows(kind, batch, now=now, moments=moments)
            Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
            created[kind] = created.get(kind, 0) + len(rows)
    return created


# --- The pass ----------------------------------------------------------------------------------


def enqueue_pending(now: datetime) -> int:
    """Hand every due, unclaimed, not recently queued row to the delivery queue, in chunks
    (one SMTP connection per chunk)."""
    ids = pending_ids(now=now)
    enqueued = 0
    for chunk in _chunks(ids, DELIVERY_CHUNK):
        if not enqueue_delivery(chunk):
            break  # broker down: the rest waits for the next pass too
        enqueued += len(chunk)
    return enqueued


def enqueue_pending_emails(now: datetime) -> int:
    """The same for ready e-mails (OutboxEmail rows)."""
    enqueued = 0
    for chunk in _chunks(pending_email_ids(now=now), DELIVERY_CHUNK):
        if not enqueue_email_delivery(chunk):
            break
        enqueued += len(chunk)
    return enqueued


def enqueue_all_pending(now: datetime | None = None) -> dict[str, int]:
    """The sweep: every pending row of both outboxes whose task was never made or is lost."""
    now = now or timezone.now()
    return {"notifications": enqueue_pending(now), "emails": enqueue_pending_emails(now)}


def dispatch(now: datetime | None = None, *, enqueue: bool = True) -> DispatchResult:
    """One dispatcher pass.

    1. Reminders (check-ins, milestones, meetings and the prompt to log them), survey
       invitations and nudges (mentorship.nudges: waiting mentees, proposals not accepted,
       pairs that do not meet or have gone quiet, overdue action items) whose moment has come.
    2. Digests whose recipient's digest day and hour has come, composed in batches.
    3. Every due row not yet handed to a worker is enqueued for delivery.
    """
    now = now or timezone.now()
    result = DispatchResult()
    for rows in (
        checkin_reminders(now),
        milestone_reminders(now),
        meeting_reminders(now),
        meeting_log_prompts(now),
        survey_invitations(now),
    ):
        by_kind: dict[str, list[Notification]] = {}
        for row in rows:
            by_kind.setdefault(row.kind, []).append(row)
        for kind, kind_rows in by_kind.items():
            result.add(kind, _insert(kind_rows))
    # Nudges (mentorship.nudges): the stalled-pairing alert and the overdue action item
    # are steps of its rules.
    for kind, count in nudges_dispatch(now).items():
        result.add(kind, count)
    for kind, count in dispatch_digests(now).items():
        result.add(kind, count)
    if enqueue:
        result.enqueued = enqueue_pending(now) + enqueue_pending_emails(now)
    if result.created or result.enqueued:
        logger.info("Dispatcher pass: %s", result.as_dict())
    return result
