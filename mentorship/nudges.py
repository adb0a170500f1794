"""Nudges: situations that are followed up in steps, and the admin's needs-attention list.

An *occasion* is a rule, its subject (a mentee's membership, a pairing or an action item) and
the date its clock started. It is open while its condition holds and resolves by itself when
the condition stops (a mentor assigned, the pairing accepted, a meeting logged, any activity,
the item done); a new drift after that is a new occasion, with a new start date.

Each rule has up to two steps, each a number of days after the start (the program's numbers,
NudgeRule, or DEFAULT_RULES). A step is sent once per occasion (a Nudge row, unique per rule,
subject, start and step) at 09:00 in each recipient's own time zone, through the outbox. Only
the highest step due is sent: an occasion found late (a rule switched on, a snooze ended)
does not send its first step after its second. A snooze holds the automatic steps until the
day it ends; an admin may also send a nudge by hand with a message.

The open occasions of a program come from one query (a UNION of one part per rule), so the
needs-attention page, its count on the dashboard and the dispatcher agree.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Greatest, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.errors import InvalidInput
from goals.kinds import Visibility
from goals.models import ProgressUpdate
from notifications import links
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.schedule import Prefs, local_send_time, zone
from notifications.selectors import preferences_for_users
from notifications.services import notify

from .models import (
    DELETED_USER,
    OPEN_PAIRING_STATUSES,
    ActionItem,
    Agreement,
    Membership,
    Message,
    Nudge,
    NudgeRule,
    NudgeRuleName,
    Pairing,
    PairingStatus,
    Program,
    Role,
)
from .selectors import mentor_suggestions

SEND_HOUR = 9
# A step whose 09:00 passed by more than this (the dispatcher was down at night) waits for
# the next day's 09:00 rather than going out at an odd hour.
SEND_WINDOW = timedelta(hours=12)
SUGGESTIONS_IN_NUDGE = 3
SNOOZE_MAX_DAYS = 90
MESSAGE_MAX = 1000


@dataclass(frozen=True)
class RuleSetting:
    rule: str
    is_on: bool
    first: int
    second: int | None


# rule -> (first step, second step) in days. For "no meeting" the days come on top of the
# program's check-in cadence; for an overdue action item they count from its due date.
DEFAULT_RULES: dict[str, tuple[int, int | None]] = {
    NudgeRuleName.UNPAIRED: (7, 14),
    NudgeRuleName.UNACCEPTED: (5, 10),
    NudgeRuleName.NO_MEETING: (2, 7),
    NudgeRuleName.INACTIVE: (60, 90),
    NudgeRuleName.ACTION_OVERDUE: (1, None),
}

# What each step of a rule says the admin page and who hears it ("pair": the people of the
# subject the rule names; "admins": the program's admins).
RULE_TEXT = {
    NudgeRuleName.UNPAIRED: gettext_lazy("Waiting for a mentor"),
    NudgeRuleName.UNACCEPTED: gettext_lazy("Pairing proposed, not accepted"),
    NudgeRuleName.NO_MEETING: gettext_lazy("No meeting logged"),
    NudgeRuleName.INACTIVE: gettext_lazy("No activity at all"),
    NudgeRuleName.ACTION_OVERDUE: gettext_lazy("Action item overdue"),
}
STEP_AUDIENCE = {
    NudgeRuleName.UNPAIRED: ("admins", "admins"),
    NudgeRuleName.UNACCEPTED: ("pair", "admins"),
    NudgeRuleName.NO_MEETING: ("pair", "admins"),
    NudgeRuleName.INACTIVE: ("pair", "admins"),
    NudgeRuleName.ACTION_OVERDUE: ("pair", None),
}
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
PAIRING_RULES = (NudgeRuleName.UNACCEPTED, NudgeRuleName.NO_MEETING, NudgeRuleName.INACTIVE)


# --- Rules ------------------------------------------------------------------------------------


def rules_for_programs(program_ids: Iterable[int]) -> dict[int, dict[str, RuleSetting]]:
    """Every rule of each program: its own numbers, else the defaults. One query."""
    program_ids = list(program_ids)
    rules = {
        pid: {r: RuleSetting(r, True, *DEFAULT_RULES[r]) for r in NudgeRuleName.values}
        for pid in program_ids
    }
    for row in NudgeRule.objects.filter(program_id__in=program_ids):
        if row.rule in DEFAULT_RULES:
            second = row.second_after_days if DEFAULT_RULES[row.rule][1] is not None else None
            rules[row.program_id][row.rule] = RuleSetting(
                row.rule, row.is_on, row.first_after_days, second
            )
    return rules


def program_rules(program: Program) -> dict[str, RuleSetting]:
    return rules_for_programs([program.pk])[program.pk]


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
    for rule, values in settings.items():
        has_second = DEFAULT_RULES[rule][1] is not None
        NudgeRule.objects.update_or_create(
            program=program,
            rule=rule,
            defaults={
                "is_on": bool(values.get("is_on")),
                "first_after_days": values["first"],
                "second_after_days": values["second"] if has_second else None,
                "updated_at": timezone.now(),
            },
        )
    return program_rules(program)


# --- Open occasions ------------------------------------------------------------------------------


@dataclass
class Occasion:
    program_id: int
    program_uuid: object
    rule: str
    subject_pk: int
    subject_uuid: object
    start: date
    # Who the subject is about: mentor and mentee (pairings), the mentee (memberships), the
    # owner (action items); their user ids, names and e-mails.
    person_ids: tuple[int | None, int | None]
    names: tuple[str, str]
    title: str
    link_uuid: object
    due_days: tuple[date, date | None] = (date.min, None)
    nudges: list[Nudge] = field(default_factory=list)
    snoozed_until: date | None = None

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.subject_uuid}:{self.start.isoformat()}"

    @property
    def label(self) -> str:
        return str(RULE_TEXT[self.rule])

    @property
    def subject_field(self) -> str:
        if self.rule == NudgeRuleName.UNPAIRED:
            return "membership"
        if self.rule == NudgeRuleName.ACTION_OVERDUE:
            return "action_item"
        return "pairing"

    def step_due(self, day: date) -> int:
        """The highest step whose day has come (0: none yet)."""
        first, second = self.due_days
        if second is not None and day >= second:
            return 2
        return 1 if day >= first else 0

    def is_snoozed_on(self, day: date) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > day

    @property
    def sent(self) -> list[Nudge]:
        return [n for n in self.nudges if n.sent_at is not None]

    @property
    def sent_steps(self) -> set[int]:
        return {n.step for n in self.nudges if n.step >= 1}


def _day(expression):
    return Cast(TruncDate(expression), DateField())


def _name(path: str):
    return Coalesce(F(f"{path}__name"), Value(""), output_field=CharField())


def _email(path: str):
    return Coalesce(F(f"{path}__email"), Value(""), output_field=CharField())


def _columns(rule: str, *, start, ids, names, title, link):
    """The same columns, in the same order, for every part of the UNION."""
    return {
        "o_rule": Value(rule, output_field=CharField()),
        "o_pk": F("pk"),
        "o_uuid": F("uuid"),
        "o_start": start,
        "o_id_a": Coalesce(ids[0], Value(0), output_field=IntegerField()),
        "o_id_b": Coalesce(ids[1], Value(0), output_field=IntegerField()),
        "o_name_a": _name(names[0]) if names[0] else Value("", output_field=CharField()),
        "o_email_a": _email(names[0]) if names[0] else Value("", output_field=CharField()),
        "o_name_b": _name(names[1]) if names[1] else Value("", output_field=CharField()),
        "o_email_b": _email(names[1]) if names[1] else Value("", output_field=CharField()),
        "o_title": title,
        "o_link": link,
    }


def _not_snoozed(rule: str, subject: str, today: date):
    return ~Exists(
        Nudge.objects.filter(
            rule=rule,
            **{subject: OuterRef("pk")},
            occasion_start=OuterRef("o_start"),
            snoozed_until__gt=today,
        )
    )


def occasion_parts(program: Program, rules: dict[str, RuleSetting], day: date):
    """One queryset per rule that is on: the program's subjects past the rule's first step
    on `day`, each with the columns of _columns()."""
    parts = []
    blank = Value("", output_field=CharField())
    setting = rules[NudgeRuleName.UNPAIRED]
    if setting.is_on:
        ended = (
            Pairing.objects.filter(program=program, mentee_id=OuterRef("user_id"))
            .exclude(ended_on__isnull=True)
            .order_by()
            .values("mentee_id")
            .annotate(last=Max("ended_on"))
            .values("last")
        )
        joined = _day("joined_at")
        start = Greatest(joined, Coalesce(Subquery(ended, output_field=DateField()), joined))
        open_pairing = Pairing.objects.filter(
            program=program, mentee_id=OuterRef("user_id"), status__in=OPEN_PAIRING_STATUSES
        )
        parts.append(
            (
                NudgeRuleName.UNPAIRED,
                "membership",
                Membership.objects.filter(program=program, role=Role.MENTEE, user__is_active=True)
                .filter(~Exists(open_pairing))
                .annotate(
                    **_columns(
                        NudgeRuleName.UNPAIRED,
                        start=start,
                        ids=(F("user_id"), Value(0)),
                        names=("user", None),
                        title=blank,
                        link=F("uuid"),
                    )
                )
                .filter(o_start__lte=day - timedelta(days=setting.first))
                .order_by(),
            )
        )
    pairings = Pairing.objects.filter(program=program)

    def pairing_part(rule, queryset, start, threshold):
        return (
            rule,
            "pairing",
            queryset.annotate(
                **_columns(
                    rule,
                    start=start,
                    ids=(F("mentor_id"), F("mentee_id")),
                    names=("mentor", "mentee"),
                    title=blank,
                    link=F("uuid"),
                )
            )
            .filter(o_start__lte=day - timedelta(days=threshold))
            .order_by(),
        )

    setting = rules[NudgeRuleName.UNACCEPTED]
    if setting.is_on:
        parts.append(
            pairing_part(
                NudgeRuleName.UNACCEPTED,
                pairings.filter(status=PairingStatus.PROPOSED),
                _day("created_at"),
                setting.first,
            )
        )
    started = Coalesce("started_on", _day("created_at"))
    setting = rules[NudgeRuleName.NO_MEETING]
    if setting.is_on:
        parts.append(
            pairing_part(
                NudgeRuleName.NO_MEETING,
                pairings.filter(status=PairingStatus.ACTIVE),
                Coalesce("last_checkin_on", started),
                program.checkin_cadence_days + setting.first,
            )
        )
    setting = rules[NudgeRuleName.INACTIVE]
    if setting.is_on:
        last_message = (
            Message.objects.filter(pairing=OuterRef("pk"))
            .order_by()
            .values("pairing")
            .annotate(last=Max("created_at"))
            .values("last")
        )
        # Updates on goals the pair shares; a private goal is nobody's business here.
        last_update = (
            ProgressUpdate.objects.filter(goal__pairing=OuterRef("pk"))
            .exclude(goal__visibility=Visibility.PRIVATE)
            .order_by()
            .values("goal__pairing")
            .annotate(last=Max("created_at"))
            .values("last")
        )
        start = Greatest(
            Coalesce("last_checkin_on", started),
            Coalesce(_day(Subquery(last_message, output_field=DateTimeField())), started),
            Coalesce(_day(Subquery(last_update, output_field=DateTimeField())), started),
            started,
        )
        parts.append(
            pairing_part(
                NudgeRuleName.INACTIVE,
                pairings.filter(status=PairingStatus.ACTIVE),
                start,
                setting.first,
            )
        )
    setting = rules[NudgeRuleName.ACTION_OVERDUE]
    if setting.is_on:
        parts.append(
            (
                NudgeRuleName.ACTION_OVERDUE,
                "action_item",
                ActionItem.objects.filter(
                    pairing__program=program,
                    pairing__status=PairingStatus.ACTIVE,
                    done_at__isnull=True,
                    due_on__isnull=False,
                )
                .annotate(
                    **_columns(
                        NudgeRuleName.ACTION_OVERDUE,
                        start=F("due_on"),
                        ids=(F("owner_id"), Value(0)),
                        names=("owner", None),
                        title=F("title"),
                        link=F("pairing__uuid"),
                    )
                )
                .filter(o_start__lte=day - timedelta(days=setting.first))
                .order_by(),
            )
        )
    return parts


COLUMNS = (
    "o_rule",
    "o_pk",
    "o_uuid",
    "o_start",
    "o_id_a",
    "o_id_b",
    "o_name_a",
    "o_email_a",
    "o_name_b",
    "o_email_b",
    "o_title",
    "o_link",
)


def _union(querysets: list):
    if not querysets:
        return None
    first, *rest = querysets
    return first.union(*rest, all=True) if rest else first


def attention_count(program: Program, *, day: date | None = None) -> int:
    """How many open occasions of the program are past their first step and not snoozed:
    the dashboard's count of the needs-attention list. One query (none with every rule off)."""
    day = day or timezone.localdate()
    parts = occasion_parts(program, program_rules(program), day)
    union = _union(
        [qs.filter(_not_snoozed(rule, subject, day)).values("o_pk") for rule, subject, qs in parts]
    )
    return union.count() if union is not None else 0


def _person(name: str, email: str) -> str:
    if not email:
        return str(DELETED_USER)
    return name or email.split("@")[0]


def open_occasions(
    program: Program, *, day: date | None = None, rules: dict[str, RuleSetting] | None = None
) -> list[Occasion]:
    """The program's open occasions past their first step on `day`, oldest first, each with
    what was done about it (its Nudge rows) and its snooze. Three queries: the rules, the
    occasions (one UNION), their nudges."""
    day = day or timezone.localdate()
    rules = rules or program_rules(program)
    parts = occasion_parts(program, rules, day)
    union = _union([qs.values(*COLUMNS) for _rule, _subject, qs in parts])
    if union is None:
        return []
    occasions = []
    for row in union:
        rule = row["o_rule"]
        setting = rules[rule]
        offset = program.checkin_cadence_days if rule == NudgeRuleName.NO_MEETING else 0
        start = row["o_start"]
        if isinstance(start, datetime):
            start = start.date()
        elif isinstance(start, str):
            start = date.fromisoformat(start[:10])
        second = setting.second
        occasions.append(
            Occasion(
                program_id=program.pk,
                program_uuid=program.uuid,
                rule=rule,
                subject_pk=row["o_pk"],
                subject_uuid=row["o_uuid"],
                start=start,
                person_ids=(row["o_id_a"] or None, row["o_id_b"] or None),
                names=(
                    _person(row["o_name_a"], row["o_email_a"]),
                    _person(row["o_name_b"], row["o_email_b"]) if row["o_email_b"] else "",
                ),
                title=row["o_title"],
                link_uuid=row["o_link"],
                due_days=(
                    start + timedelta(days=offset + setting.first),
                    start + timedelta(days=offset + second) if second else None,
                ),
            )
        )
    _attach_nudges(program, occasions)
    occasions.sort(key=lambda o: (o.start, o.rule, o.subject_pk))
    return occasions


def _attach_nudges(program: Program, occasions: list[Occasion]) -> None:
    if not occasions:
        return
    by_field: dict[str, set[int]] = {}
    for o in occasions:
        by_field.setdefault(o.subject_field, set()).add(o.subject_pk)
    condition = Q()
    for name, ids in by_field.items():
        condition |= Q(**{f"{name}_id__in": ids})
    index = {(o.rule, o.subject_pk, o.start): o for o in occasions}
    for nudge in (
        Nudge.objects.filter(condition, program=program)
        .select_related("sent_by")
        .order_by("created_at", "id")
    ):
        o = index.get((nudge.rule, nudge.subject_id, nudge.occasion_start))
        if o is None:
            continue
        o.nudges.append(nudge)
        if nudge.snoozed_until and (
            o.snoozed_until is None or nudge.snoozed_until > o.snoozed_until
        ):
            o.snoozed_until = nudge.snoozed_until


def find_occasion(program: Program, key: str, *, day: date | None = None) -> Occasion | None:
    return next((o for o in open_occasions(program, day=day) if o.key == key), None)


# --- Texts --------------------------------------------------------------------------------------


def _subject_words(o: Occasion, program_name: str) -> dict:
    return {
        "mentor": o.names[0],
        "mentee": o.names[1] if o.rule in PAIRING_RULES else o.names[0],
        "program": program_name,
        "title": o.title,
        "date": o.start.isoformat(),
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
    rules = rules_for_programs(p.pk for p in programs)
    admins: dict[int, list[Recipient]] = {}
    for m in Membership.objects.filter(
        program__in=programs, role=Role.ADMIN, user__is_active=True
    ).values("program_id", "user_id", "user__uuid", "user__timezone"):
        admins.setdefault(m["program_id"], []).append(
            Recipient(m["user_id"], m["user__uuid"], m["user__timezone"])
        )
    horizon = now.date() + timedelta(days=1)
    found: list[tuple[Program, Occasion]] = []
    for program in programs:
        for o in open_occasions(program, day=horizon, rules=rules[program.pk]):
            found.append((program, o))
    if not found:
        return created
    person_ids = {i for _p, o in found for i in o.person_ids if i}
    people = {
        u["id"]: Recipient(u["id"], u["uuid"], u["timezone"])
        for u in User.objects.filter(id__in=person_ids, is_active=True).values(
            "id", "uuid", "timezone"
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
    suggestions: dict[int, str] = {}
    rows, nudges = [], {}
    for program, o, step, kind, r, moment, key in plans:
        text = ""
        if o.rule == NudgeRuleName.UNPAIRED and step == 2:
            if o.subject_pk not in suggestions:
                suggestions[o.subject_pk] = _suggestion_names(program, o.subject_pk)
            text = suggestions[o.subject_pk]
        title, body = step_text(o, step, program.name, suggestions=text)
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


def _suggestion_names(program: Program, membership_pk: int) -> str:
    membership = Membership.objects.select_related("user__profile").get(pk=membership_pk)
    top = [s for s in mentor_suggestions(program, membership) if s.can_pair]
    return ", ".join(s.membership.user.display_name for s in top[:SUGGESTIONS_IN_NUDGE])


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
    title = _("A note from %(name)s (%(program)s)") % {
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
