"""Open occasions of the nudge rules (mentorship.nudges), read in a fixed number of queries.

An *occasion* is a rule, its subject (a mentee's membership, a pairing or an action item) and
the date its clock started. It is open while its condition holds and resolves by itself when
the condition stops (a mentor assigned, the pairing accepted, a meeting logged, any activity,
the item done); a new drift after that is a new occasion, with a new start date.

A program's open occasions come from one query (a UNION of one part per rule that is on), so
the needs-attention page, its count on the program dashboard and the dispatcher agree. The
program's numbers are on its row (Program.nudge_rules): reading them costs no query.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

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
from django.utils.translation import gettext_lazy

from goals.kinds import Visibility
from goals.models import ProgressUpdate

from .models import (
    DELETED_USER,
    OPEN_PAIRING_STATUSES,
    ActionItem,
    Membership,
    Message,
    Nudge,
    NudgeRuleName,
    Pairing,
    PairingStatus,
    Program,
    Role,
)


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
PAIRING_RULES = (NudgeRuleName.UNACCEPTED, NudgeRuleName.NO_MEETING, NudgeRuleName.INACTIVE)


def program_rules(program: Program) -> dict[str, RuleSetting]:
    """Every rule of the program: its own numbers (Program.nudge_rules), else the defaults."""
    own = program.nudge_rules or {}
    rules = {}
    for rule, (first, second) in DEFAULT_RULES.items():
        values = own.get(rule) or {}
        try:
            first_days = int(values.get("first", first))
            second_days = (
                int(values["second"]) if second is not None and values.get("second") else second
            )
        except (TypeError, ValueError):
            first_days, second_days = first, second
        rules[rule] = RuleSetting(rule, bool(values.get("is_on", True)), first_days, second_days)
    return rules


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


def attention_count_sql(program: Program, *, day: date | None = None):
    """The SQL and parameters of the ids of the program's open occasions past their first
    step and not snoozed (None with every rule off): the dashboard counts them inside its
    counts query (selectors.program_stats), so the count costs no query of its own."""
    day = day or timezone.localdate()
    parts = occasion_parts(program, program_rules(program), day)
    union = _union(
        [qs.filter(_not_snoozed(rule, subject, day)).values("o_pk") for rule, subject, qs in parts]
    )
    return union.query.sql_with_params() if union is not None else None


def attention_count(program: Program, *, day: date | None = None) -> int:
    """How many open occasions need attention (not snoozed): the length of the list."""
    day = day or timezone.localdate()
    return sum(1 for o in open_occasions(program, day=day) if not o.is_snoozed_on(day))


def _person(name: str, email: str) -> str:
    if not email:
        return str(DELETED_USER)
    return name or email.split("@")[0]


def open_occasions(program: Program, *, day: date | None = None) -> list[Occasion]:
    """The program's open occasions past their first step on `day`, oldest first, each with
    what was done about it (its Nudge rows) and its snooze. Two queries: the occasions (one
    UNION), their nudges."""
    day = day or timezone.localdate()
    rules = program_rules(program)
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


# What each rule does, for the rules form.
RULE_HELP = {
    NudgeRuleName.UNPAIRED: gettext_lazy(
        "Mentee without a mentor: you hear at the first step, and again with the mentee's top "
        "suggestions at the second."
    ),
    NudgeRuleName.UNACCEPTED: gettext_lazy(
        "Proposed pairing not accepted: whoever has not accepted hears at the first step; you "
        "hear at the second."
    ),
    NudgeRuleName.NO_MEETING: gettext_lazy(
        "No meeting logged, counted in days after the check-in cadence: the pair hears at the "
        "first step; you hear at the second."
    ),
    NudgeRuleName.INACTIVE: gettext_lazy(
        "No meeting, progress update or message at all: the pair is warned at the first step; "
        "you are asked to close or renew the pairing at the second."
    ),
    NudgeRuleName.ACTION_OVERDUE: gettext_lazy(
        "Action item overdue, counted in days after its due date: its owner hears once."
    ),
}
