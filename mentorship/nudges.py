"""Nudges: the occasions of mentorship.occasions followed up in steps, and by hand.

Each rule has up to two steps, each a number of days after the occasion's start (the
program's numbers or the defaults). A step is sent once per occasion (a Nudge row, unique per
rule, subject, start and step) at 09:00 in each recipient's own time zone, through the outbox
(notifications.Notification rows with a dedupe key per recipient). Only the highest step due
is sent: an occasion found late (a rule switched on, a snooze ended) does not send its first
step after its second. A snooze holds the automatic steps until the day it ends; an admin may
also send a nudge by hand with a personal message.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.dates import written
from core.errors import InvalidInput
from notifications import links
from notifications.email import in_language
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.schedule import Prefs, local_send_time, zone
from notifications.selectors import preferences_for_users
from notifications.services import notify

from .models import Agreement, Membership, Nudge, NudgeRuleName, Program, Role
from .occasions import (
    DEFAULT_RULES,
    PAIRING_RULES,
    STEP_AUDIENCE,
    Occasion,
    RuleSetting,
    find_occasion,
    open_occasions,
    program_rules,
)
from .selectors import mentor_suggestions

SEND_HOUR = 9
# A step whose 09:00 passed by more than this (the dispatcher was down at night) waits for
# the next day's 09:00 rather than going out at an odd hour.
SEND_WINDOW = timedelta(hours=12)
SUGGESTIONS_IN_NUDGE = 3
SNOOZE_MAX_DAYS = 90
MESSAGE_MAX = 1000


STEP_KIND = {
    (NudgeRuleName.UNPAIRED, 1): Kind.NEEDS_ATTENTION,
    (NudgeRuleName.UNPAIRED, 2): Kind.NEEDS_ATTENTION,
    (NudgeRuleName.UNACCEPTED, 1): Kind.NUDGE,
    (NudgeRuleName.UNACCEPTED, 2): Kind.NEEDS_ATTENTION,
    (NudgeRuleName.NO_MEETING, 1): Kind.NUDGE,
    # The stalled-pairing alert of earlier versions is this step (admins keep their switch).
    (NudgeRuleName.NO_MEETING, 2): Kind.PAIRING_STALLED,
    (NudgeRuleName.INACTIVE, 1): Kind.NUDGE,
    (NudgeRuleName.INACTIVE, 2): Kind.PAIRING_STALLED,
    (NudgeRuleName.ACTION_OVERDUE, 1): Kind.ACTION_ITEM_OVERDUE,
}
# --- Rules ------------------------------------------------------------------------------------


@transaction.atomic
def nudge_rules_update(*, program: Program, settings: dict[str, dict]) -> dict[str, RuleSetting]:
    """Save the program's numbers: settings maps rule -> {is_on, first, second}. Days are
    positive and the second step comes after the first."""
    errors = {}
    for rule, values in settings.items():
        if rule not in DEFAULT_RULES:
            raise InvalidInput(_("Unknown rule."))
        first, second = values.get("first"), values.get("second")
        has_second = DEFAULT_RULES[rule][1] is not None
        if first is None or first < 1:
            errors[f"{rule}_first"] = _("Use a number of days of at least 1.")
        elif has_second and (second is None or second <= first):
            errors[f"{rule}_second"] = _("The second step must come after the first.")
    if errors:
        first_message = next(iter(errors.values()))
        raise InvalidInput(first_message, errors={k: [v] for k, v in errors.items()})
    program = Program.objects.select_for_update().get(pk=program.pk)
    rules = dict(program.nudge_rules or {})
    for rule, values in settings.items():
        has_second = DEFAULT_RULES[rule][1] is not None
        rules[rule] = {
            "is_on": bool(values.get("is_on")),
            "first": int(values["first"]),
            "second": int(values["second"]) if has_second else None,
        }
    program.nudge_rules = rules
    program.save(update_fields=["nudge_rules"])
    return program_rules(program)


# --- Texts --------------------------------------------------------------------------------------


def _subject_words(o: Occasion, program_name: str) -> dict:
    return {
        "mentor": o.names[0],
        "mentee": o.names[1] if o.rule in PAIRING_RULES else o.names[0],
        "program": program_name,
        "title": o.title,
        "date": written(o.start),
    }


def _url(o: Occasion) -> str:
    if o.rule == NudgeRuleName.UNPAIRED:
        return links.path_to("mentorship:program_attention", o.program_uuid)
    if o.rule == NudgeRuleName.ACTION_OVERDUE:
        return links.pairing_path(o.link_uuid) + "#actions"
    return links.pairing_path(o.link_uuid)


def step_text(o: Occasion, step: int, program_name: str, *, suggestions: str = "") -> tuple:
    """Title and body of an automatic step."""
    w = _subject_words(o, program_name)
    rule = o.rule
    if rule == NudgeRuleName.UNPAIRED:
        title = _("%(mentee)s is still waiting for a mentor in %(program)s") % w
        body = _("Waiting since %(date)s. Pair them from the needs-attention list.") % w
        if step == 2 and suggestions:
            body += "\n\n" + _("Top suggestions: %(names)s") % {"names": suggestions}
        return title, body
    if rule == NudgeRuleName.UNACCEPTED:
        if step == 1:
            return (
                _("Your pairing in %(program)s is waiting for your answer") % w,
                _(
                    "%(mentor)s and %(mentee)s were paired on %(date)s. Read the agreement "
                    "and accept it to start."
                )
                % w,
            )
        return (
            _("%(mentor)s and %(mentee)s have not accepted their pairing") % w,
            _("Proposed on %(date)s in %(program)s and still not accepted by both.") % w,
        )
    if rule == NudgeRuleName.NO_MEETING:
        if step == 1:
            return (
                _("Time to meet: no meeting logged since %(date)s") % w,
                _("Agree a time in %(program)s, then log the meeting.") % w,
            )
        return (
            _("%(mentor)s and %(mentee)s have not met since %(date)s") % w,
            _("No meeting logged in %(program)s since %(date)s.") % w,
        )
    if rule == NudgeRuleName.INACTIVE:
        if step == 1:
            return (
                _("Your mentoring has been quiet since %(date)s") % w,
                _(
                    "No meeting, progress update or message since then in %(program)s. Send "
                    "a message or plan a meeting to keep it going."
                )
                % w,
            )
        return (
            _("Close or renew: %(mentor)s and %(mentee)s inactive since %(date)s") % w,
            _(
                "No meeting, progress update or message since %(date)s. Open the pairing to "
                "end it, or ask them to start again."
            )
            % w,
        )
    return (
        _("Action item overdue: %(title)s") % w,
        _("It was due on %(date)s. Tick it off on your pairing's page once done.") % w,
    )


# --- Sending ------------------------------------------------------------------------------------


@dataclass
class Recipient:
    id: int
    uuid: object
    timezone: str
    language: str


def _moment(now: datetime, tz_name: str, first_day: date, prefs: Prefs) -> datetime | None:
    """The recipient's send moment for a step whose first day is `first_day`, if now is in
    a sending window (09:00 local, quiet hours respected, for SEND_WINDOW) on or after it."""
    tz = zone(tz_name)
    today = now.astimezone(tz).date()
    for day in (today - timedelta(days=1), today):
        if day < first_day:
            continue
        moment = local_send_time(tz, day, SEND_HOUR, prefs)
        if moment <= now < moment + SEND_WINDOW:
            return moment
    return None


def _step_recipients(o: Occasion, step: int, admins: list[Recipient], people, agreements):
    audience = STEP_AUDIENCE[o.rule][step - 1]
    if audience == "admins":
        return admins
    ids = [i for i in o.person_ids if i]
    if o.rule == NudgeRuleName.UNACCEPTED:
        accepted = agreements.get(o.subject_pk, (None, None))
        ids = [i for i, when in zip(o.person_ids, accepted, strict=True) if i and when is None]
    return [people[i] for i in ids if i in people]


def nudges_dispatch(now: datetime) -> dict[str, int]:
    """Send every automatic step due now, in every active program; idempotent (a Nudge per
    step, a notification key per recipient). Returns how many notifications by kind.

    1. Each program's open occasions (past their first step, on tomorrow's date, so that
       people ahead of UTC are not missed).
    2. For each, the highest step due; skipped when snoozed or its recipients' 09:00 has
       not come.
    3. The Nudge rows (unique per step) and one notification per recipient.
    """
    created: dict[str, int] = {}
    programs = list(Program.objects.filter(is_active=True))
    if not programs:
        return created
    admins: dict[int, list[Recipient]] = {}
    for m in Membership.objects.filter(
        program__in=programs, role=Role.ADMIN, user__is_active=True
    ).values("program_id", "user_id", "user__uuid", "user__timezone", "user__language"):
        admins.setdefault(m["program_id"], []).append(
            Recipient(m["user_id"], m["user__uuid"], m["user__timezone"], m["user__language"])
        )
    horizon = now.date() + timedelta(days=1)
    found: list[tuple[Program, Occasion]] = []
    for program in programs:
        for o in open_occasions(program, day=horizon):
            found.append((program, o))
    if not found:
        return created
    person_ids = {i for _p, o in found for i in o.person_ids if i}
    people = {
        u["id"]: Recipient(u["id"], u["uuid"], u["timezone"], u["language"])
        for u in User.objects.filter(id__in=person_ids, is_active=True).values(
            "id", "uuid", "timezone", "language"
        )
    }
    agreements = {
        a["pairing_id"]: (a["mentor_accepted_at"], a["mentee_accepted_at"])
        for a in Agreement.objects.filter(
            pairing_id__in=[o.subject_pk for _p, o in found if o.rule == NudgeRuleName.UNACCEPTED]
        ).values("pairing_id", "mentor_accepted_at", "mentee_accepted_at")
    }
    all_ids = set(people) | {a.id for group in admins.values() for a in group}
    prefs = preferences_for_users(user_ids=all_ids)
    plans = []
    for program, o in found:
        top = o.step_due(horizon)
        for step in range(top, 0, -1):
            if STEP_AUDIENCE[o.rule][step - 1] is None:
                continue
            first_day = o.due_days[step - 1]
            if o.snoozed_until is not None:
                first_day = max(first_day, o.snoozed_until)
            kind = STEP_KIND[(o.rule, step)]
            for r in _step_recipients(o, step, admins.get(program.pk, []), people, agreements):
                # Only the highest step due on the recipient's own calendar.
                if o.step_due(now.astimezone(zone(r.timezone)).date()) != step:
                    continue
                user_prefs = prefs.get(r.id, Prefs())
                if not user_prefs.wants(kind):
                    continue
                moment = _moment(now, r.timezone, first_day, user_prefs)
                if moment is None:
                    continue
                key = f"nudge:{o.key}:{step}:{r.uuid}"
                plans.append((program, o, step, kind, r, moment, key))
    if not plans:
        return created
    existing = set(
        Notification.objects.filter(dedupe_key__in=[p[-1] for p in plans]).values_list(
            "dedupe_key", flat=True
        )
    )
    plans = [p for p in plans if p[-1] not in existing]
    suggestions: dict[int, list[str]] = {}
    rows, nudges = [], {}
    for program, o, step, kind, r, moment, key in plans:
        names: list[str] = []
        if o.rule == NudgeRuleName.UNPAIRED and step == 2:
            if o.subject_pk not in suggestions:
                suggestions[o.subject_pk] = _suggestion_names(program, o.subject_pk)
            names = suggestions[o.subject_pk]
        with in_language(r.language):
            title, body = step_text(o, step, program.name, suggestions=", ".join(names))
        rows.append(
            Notification(
                recipient_id=r.id,
                kind=kind,
                dedupe_key=key[:200],
                batch_key=key[:200],
                title=title[:300],
                body=body,
                url=_url(o),
                payload={"rule": o.rule, "step": step, "program": program.name},
                scheduled_for=moment,
                send_email=True,
            )
        )
        nudges.setdefault(
            (o.key, step),
            Nudge(
                program=program,
                rule=o.rule,
                step=step,
                occasion_start=o.start,
                sent_at=now,
                message=body,
                **{f"{o.subject_field}_id": o.subject_pk},
            ),
        )
    with transaction.atomic():
        Nudge.objects.bulk_create(list(nudges.values()), ignore_conflicts=True)
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    for row in rows:
        created[row.kind] = created.get(row.kind, 0) + 1
    return created


def _suggestion_names(program: Program, membership_pk: int) -> list[str]:
    membership = Membership.objects.select_related("user__profile").get(pk=membership_pk)
    top = [s for s in mentor_suggestions(program, membership) if s.can_pair]
    return [s.membership.user.display_name for s in top[:SUGGESTIONS_IN_NUDGE]]


# --- By hand ------------------------------------------------------------------------------------


def _manual_recipients(o: Occasion) -> list[int]:
    """Who an admin's nudge reaches: the people the occasion is about (the waiting mentee,
    the pair, or those of it who have not accepted, the item's owner)."""
    ids = [i for i in o.person_ids if i]
    if o.rule == NudgeRuleName.UNACCEPTED:
        agreement = Agreement.objects.filter(pairing_id=o.subject_pk).first()
        if agreement is not None:
            accepted = (agreement.mentor_accepted_at, agreement.mentee_accepted_at)
            waiting = [
                i for i, when in zip(o.person_ids, accepted, strict=True) if i and when is None
            ]
            ids = waiting or ids
    return ids


def manual_recipient_names(o: Occasion) -> str:
    if o.rule in PAIRING_RULES:
        return " & ".join(n for n in o.names if n)
    return o.names[0]


def _occasion_or_error(program: Program, key: str) -> Occasion:
    occasion = find_occasion(program, key)
    if occasion is None:
        raise InvalidInput(_("This has resolved itself or is no longer on the list."))
    return occasion


@transaction.atomic
def nudge_send(*, program: Program, occasion_key: str, by: User, message: str) -> Nudge:
    """An admin's nudge with a personal message, to the people the occasion is about."""
    message = (message or "").strip()
    if not message:
        raise InvalidInput(_("Write a few words to send."))
    if len(message) > MESSAGE_MAX:
        raise InvalidInput(_("Keep the message under %(n)d characters.") % {"n": MESSAGE_MAX})
    o = _occasion_or_error(program, occasion_key)
    now = timezone.now()
    nudge = Nudge.objects.create(
        program=program,
        rule=o.rule,
        step=Nudge.BY_HAND,
        occasion_start=o.start,
        sent_at=now,
        sent_by=by,
        message=message,
        **{f"{o.subject_field}_id": o.subject_pk},
    )

    def title() -> str:  # in each recipient's language (notify calls it)
        return _("A note from %(name)s (%(program)s)") % {
            "name": by.display_name,
            "program": program.name,
        }

    url = _url(o)
    if o.rule == NudgeRuleName.UNPAIRED:
        url = links.path_to("mentorship:my_pairings")
    for user in User.objects.filter(id__in=_manual_recipients(o), is_active=True):
        notify(
            recipient=user,
            kind=Kind.NUDGE,
            dedupe_key=f"nudge-by-hand:{nudge.uuid}:{user.uuid}",
            title=title,
            body=f"{message}\n\n— {o.label}",
            url=url,
            payload={"rule": o.rule, "step": 0, "program": program.name},
        )
    return nudge


@transaction.atomic
def nudge_snooze(*, program: Program, occasion_key: str, by: User, days: int) -> Nudge:
    """Hold the occasion's automatic steps for `days` days (it stays on the list)."""
    if not isinstance(days, int) or not 1 <= days <= SNOOZE_MAX_DAYS:
        raise InvalidInput(
            _("Snooze for 1 to %(n)d days.") % {"n": SNOOZE_MAX_DAYS},
        )
    o = _occasion_or_error(program, occasion_key)
    return Nudge.objects.create(
        program=program,
        rule=o.rule,
        step=Nudge.BY_HAND,
        occasion_start=o.start,
        snoozed_until=timezone.localdate() + timedelta(days=days),
        sent_by=by,
        **{f"{o.subject_field}_id": o.subject_pk},
    )
