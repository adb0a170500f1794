"""Reads of the mentoring domain that pages share; each makes a fixed number of queries."""

import json
import uuid
import uuid as uuid_module
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from allauth.account.models import EmailAddress
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.languages import language_name
from accounts.models import Profile, User, filled_profile_q, profile_of
from core.dates import written
from core.months import next_month
from core.viewer import Viewer
from goals.kinds import SHARED_WITH_MENTOR
from goals.models import OPEN_GOAL_STATUSES, Category, Goal, GoalStatus, Milestone, MilestoneKind
from goals.policy import pairing_goals_q, shared_in_pairing
from goals.progress import Health
from goals.selectors import with_progress, with_unacknowledged

from . import occasions, policy
from .models import (
    DELETED_USER,
    JOINABLE_POLICIES,
    OPEN_PAIRING_STATUSES,
    PAIRING_FIELDS,
    UPCOMING_MEETING_STATUSES,
    ActionItem,
    AgendaItem,
    Agreement,
    Application,
    ApplicationStatus,
    CheckIn,
    ImportRun,
    Invitation,
    Meeting,
    MeetingRule,
    MeetingStatus,
    MemberEvent,
    Membership,
    MentorRequest,
    MentorRequestStatus,
    Message,
    MessageRead,
    Pairing,
    PairingEvent,
    PairingStatus,
    Program,
    Role,
    SurveyKind,
    SurveyResponse,
    split_tags,
)
from .policy import own_pairing_ids, pairings_visible_q


def programs_for_admin(viewer_or_user) -> QuerySet[Program]:
    """The programs the viewer runs, with their numbers of mentors, mentees and open pairings
    (subqueries: joining both memberships and pairings would multiply rows)."""
    viewer = Viewer.of(viewer_or_user)
    admin_of = sorted(viewer.admin_program_ids) if viewer.is_authenticated else []
    count = IntegerField()
    members = Membership.objects.all()
    return (
        Program.objects.filter(pk__in=admin_of)
        .annotate(
            mentor_count=Coalesce(
                _per_program(members.filter(role=Role.MENTOR), "program", Count("pk"), count), 0
            ),
            mentee_count=Coalesce(
                _per_program(members.filter(role=Role.MENTEE), "program", Count("pk"), count), 0
            ),
            open_pairing_count=Coalesce(
                _per_program(
                    Pairing.objects.filter(status__in=OPEN_PAIRING_STATUSES),
                    "program",
                    Count("pk"),
                    count,
                ),
                0,
            ),
        )
        .order_by("-is_active", "name")
    )


def programs_only_run_by(viewer_or_user) -> list[Program]:
    """Programs whose only admin is the viewer (warned about before the account is deleted)."""
    viewer = Viewer.of(viewer_or_user)
    return list(
        Program.objects.filter(pk__in=sorted(viewer.admin_program_ids))
        .annotate(admins=Count("memberships", filter=Q(memberships__role=Role.ADMIN)))
        .filter(admins=1)
        .order_by("name")
    )


def pairings_visible_to(viewer_or_user) -> QuerySet[Pairing]:
    """The pairings the viewer may see (mentorship.policy.pairings_visible_q)."""
    return Pairing.objects.filter(pairings_visible_q(viewer_or_user))


def checkins_visible_to(viewer_or_user) -> QuerySet[CheckIn]:
    """Check-ins of the pairings the viewer may see; what of them the viewer may read is the
    caller's business (admins see dates only)."""
    return CheckIn.objects.filter(pairings_visible_q(viewer_or_user, via="pairing"))


def survey_responses_visible_to(viewer_or_user) -> QuerySet[SurveyResponse]:
    """Survey answers the viewer may read (mentorship.policy.survey_visible): their own, and
    the other side's once shared. The program's admins read none: only survey_summary."""
    viewer = Viewer.of(viewer_or_user)
    if not viewer.is_authenticated:
        return SurveyResponse.objects.none()
    return SurveyResponse.objects.filter(
        Q(author_id=viewer.pk) | Q(shared=True, pairing_id__in=own_pairing_ids(viewer))
    )


def program_memberships(program: Program) -> QuerySet[Membership]:
    """Everyone in the program with their role, by role and e-mail address."""
    return (
        Membership.objects.filter(program=program)
        .select_related("user")
        .order_by("role", "user__email", "pk")
    )


def people_in_role(program: Program, role: str) -> QuerySet[User]:
    """The people who hold `role` in `program`, by name (the choices of the pairing forms)."""
    return (
        User.objects.filter(memberships__program=program, memberships__role=role)
        .order_by("name", "email")
        .distinct()
    )


def invitation_of_program(program: Program, invitation_uuid) -> Invitation | None:
    return Invitation.objects.filter(program=program, uuid=invitation_uuid).first()


def open_pairing_of_mentee(program: Program, mentee_id: int) -> Pairing | None:
    return (
        Pairing.objects.filter(
            program=program, mentee_id=mentee_id, status__in=OPEN_PAIRING_STATUSES
        )
        .select_related("mentor")
        .first()
    )


def pairings_with_people(pairing_ids: list[int]) -> list[Pairing]:
    """These pairings with their program and both people, in id order."""
    return list(
        Pairing.objects.filter(pk__in=pairing_ids)
        .select_related("program", "mentor", "mentee")
        .order_by("pk")
    )


def account_exists(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def _open_pairing_count_subquery(program: Program):
    return Subquery(
        Pairing.objects.filter(
            program=program, mentor=OuterRef("user"), status__in=OPEN_PAIRING_STATUSES
        )
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _has_open_pairing(program: Program):
    return Exists(
        Pairing.objects.filter(
            program=program, mentee=OuterRef("user"), status__in=OPEN_PAIRING_STATUSES
        )
    )


def mentors_with_load(program: Program) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(program=program, role=Role.MENTOR)
        .select_related("user")
        .annotate(open_pairings=Coalesce(_open_pairing_count_subquery(program), Value(0)))
    )


def _paired_mentees(program: Program):
    """The ids of the program's mentees with an open pairing, as a subquery."""
    return Pairing.objects.filter(program=program, status__in=OPEN_PAIRING_STATUSES).values(
        "mentee_id"
    )


def unpaired_mentees(program: Program) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(program=program, role=Role.MENTEE)
        .exclude(user_id__in=_paired_mentees(program))
        .select_related("user")
        .order_by("user__name", "user__email")
    )


def stalled_pairings(program: Program, *, today: date | None = None) -> QuerySet[Pairing]:
    """Active pairings whose last meeting (or, without one, their start) is older than the
    program's stall threshold."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=program.stall_after_days)
    return (
        Pairing.objects.filter(program=program, status=PairingStatus.ACTIVE)
        .annotate(last_contact=Coalesce("last_checkin_on", "started_on"))
        .filter(last_contact__lte=cutoff)
        .select_related("mentor", "mentee")
        .order_by("last_contact")
    )


class PersonRef(NamedTuple):
    """A person as a list row shows them, without loading their whole account."""

    name: str
    email: str

    @property
    def display_name(self) -> str:
        """As accounts.User.display_name; a row whose account was deleted (its foreign key
        emptied) names "a deleted user"."""
        if not self.email:
            return str(DELETED_USER)
        return User.display_name.fget(self)


class OpenPairing(NamedTuple):
    """One row of the program dashboard's open pairings."""

    pk: int
    uuid: object
    status: str
    mentor_id: int
    mentee_id: int
    mentor: PersonRef
    mentee: PersonRef
    started_on: date | None
    last_checkin_on: date | None
    next_checkin_due: date | None
    # Meetings logged (check-ins) in each of the last three calendar months, oldest first,
    # and in the pairing's first 30 days.
    meetings_by_month: tuple[int, int, int] = (0, 0, 0)
    first_month_meetings: int = 0
    # That the pair talks, never what they say: its messages and when the last was written.
    message_count: int = 0
    last_message_at: datetime | None = None

    @property
    def last_contact(self) -> date | None:
        return self.last_checkin_on or self.started_on


@dataclass
class ProgramDashboard:
    program: Program
    role_counts: dict[str, int]
    pairings_by_status: dict[str, int]
    active_pairings: list[OpenPairing]
    unpaired: list[Membership]
    at_capacity: list[Membership]
    stalled: list[OpenPairing]
    pending_invitations: int
    # Applications waiting in the program's queue, and invitations ever sent (the setup
    # checklist's "people invited").
    pending_applications: int = 0
    invitations_sent: int = 0
    # Active pairings meeting less often than the program's rule (Program.meeting_rule),
    # and the first day of each month counted in OpenPairing.meetings_by_month.
    below_meeting_rule: list[OpenPairing] = field(default_factory=list)
    meeting_months: tuple[date, ...] = ()
    # The surveys' aggregates (survey_summary).
    surveys: dict = field(default_factory=dict)
    # Open occasions of the needs-attention list, not snoozed (mentorship.occasions).
    attention_count: int = 0


def _per_program(queryset: QuerySet, path: str, aggregate, output_field):
    """One number about the outer program from `queryset`, as a subquery."""
    return Subquery(
        queryset.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(value=aggregate)
        .values("value")[:1],
        output_field=output_field,
    )


def program_stats(program: Program, *, surveys: bool = False) -> dict:
    """Members by role, pairings by status, open invitations (and all ever sent),
    applications waiting and, with `surveys`, the survey aggregates (survey_summary's, its
    grouped rows joined to this query), in one query of grouped counts.

    Written as SQL: the same numbers as correlated ORM subqueries took longer to build and
    compile in Python than the database took to answer them.
    """
    membership, pairing = Membership._meta.db_table, Pairing._meta.db_table
    invitation = Invitation._meta.db_table
    application = Application._meta.db_table
    # Table names come from the models, the values are parameters. Every column has one type
    # in every branch (PostgreSQL will not unite a NULL text with a sum): the counts' branches
    # fill the survey columns with zeros.
    pad = ", 0" * len(_SURVEY_COLUMNS) if surveys else ""
    sql = (
        f"SELECT 'role', role, COUNT(*){pad} FROM {membership} "  # noqa: S608
        "WHERE program_id = %s GROUP BY role "
        f"UNION ALL SELECT 'status', status, COUNT(*){pad} FROM {pairing} "
        "WHERE program_id = %s GROUP BY status "
        f"UNION ALL SELECT 'invitations', '', COUNT(*){pad} FROM {invitation} "
        "WHERE program_id = %s AND accepted_at IS NULL AND declined_at IS NULL "
        "AND revoked_at IS NULL "
        "AND expires_at > %s "
        f"UNION ALL SELECT 'invitations_sent', '', COUNT(*){pad} FROM {invitation} "
        "WHERE program_id = %s "
        f"UNION ALL SELECT 'applications', '', COUNT(*){pad} FROM {application} "
        "WHERE program_id = %s AND status = %s"
    )
    params = [
        program.pk,
        program.pk,
        program.pk,
        timezone.now(),
        program.pk,
        program.pk,
        ApplicationStatus.PENDING.value,
    ]
    if surveys:
        survey_sql, survey_params = _survey_rows(program).query.sql_with_params()
        qn = connection.ops.quote_name
        columns = ", ".join(f"s.{qn(name)}" for name in _SURVEY_COLUMNS)
        sql += f" UNION ALL SELECT 'survey', s.{qn('kind')}, s.{qn('n')}, {columns} "
        sql += f"FROM ({survey_sql}) s"
        params += list(survey_params)
    # The needs-attention count, in the same query (the ids of its open occasions).
    attention = occasions.attention_count_sql(program)
    if attention is not None:
        sql += f" UNION ALL SELECT 'attention', '', COUNT(*){pad} FROM ({attention[0]}) attention"  # noqa: S608 (SQL compiled by the ORM, values are parameters)
        params += list(attention[1])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    roles = dict.fromkeys(Role.values, 0)
    statuses = dict.fromkeys(PairingStatus.values, 0)
    invitations = invitations_sent = applications = attention_count = 0
    survey_rows = []
    for kind, key, count, *rest in rows:
        if kind == "survey":
            figures = dict(zip(_SURVEY_COLUMNS, rest, strict=True))
            survey_rows.append({"kind": key, "n": count, **figures})
        elif kind == "role":
            roles[key] = count
        elif kind == "status":
            statuses[key] = count
        elif kind == "invitations":
            invitations = count
        elif kind == "invitations_sent":
            invitations_sent = count
        elif kind == "applications":
            applications = count
        elif kind == "attention":
            attention_count = count
    return {
        "role_counts": roles,
        "pairings_by_status": statuses,
        "pending_invitations": invitations,
        "invitations_sent": invitations_sent,
        "pending_applications": applications,
        **({"surveys": _survey_summary_of(survey_rows)} if surveys else {}),
        "attention_count": attention_count,
    }


def month_starts(today: date, count: int = 3) -> list[date]:
    """The first days of the last `count` calendar months, oldest first (this month last)."""
    starts = [today.replace(day=1)]
    while len(starts) < count:
        starts.append((starts[-1] - timedelta(days=1)).replace(day=1))
    return starts[::-1]


def _checkins_between(low, high) -> Coalesce:
    """Check-ins of the outer pairing on days in [low, high): a correlated count."""
    counted = (
        CheckIn.objects.filter(pairing=OuterRef("pk"), occurred_on__gte=low, occurred_on__lt=high)
        .order_by()
        .values("pairing")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# MENTOR's Elements of Effective Practice: contact at least twice in the first month, then
# at least monthly.
FIRST_MONTH = timedelta(days=30)
FIRST_MONTH_MEETINGS = 2
MONTH = timedelta(days=30)


def below_meeting_rule(p: OpenPairing, program: Program, today: date) -> bool:
    """Whether an active pairing meets less often than the program's rule asks."""
    if p.status != PairingStatus.ACTIVE or p.started_on is None:
        return False
    rule = program.meeting_rule
    if rule == MeetingRule.NONE:
        return False
    last = p.last_checkin_on or p.started_on
    if rule == MeetingRule.CADENCE:
        return (today - last).days > program.checkin_cadence_days
    first_month_over = p.started_on + FIRST_MONTH
    if today < first_month_over:
        return False  # still in its first month: too early to say
    if today < first_month_over + MONTH and p.first_month_meetings < FIRST_MONTH_MEETINGS:
        return True
    return p.last_checkin_on is None or today - p.last_checkin_on > MONTH


def open_pairings(program: Program, *, today: date | None = None) -> list[OpenPairing]:
    """The program's open pairings as rows, by mentor and mentee name, with their meetings
    per month, how many messages each pair has written and when the last was (one query)."""
    today = today or timezone.localdate()
    starts = month_starts(today)
    bounds = [*starts, today + timedelta(days=1)]
    first_month_end = ExpressionWrapper(
        OuterRef("started_on") + FIRST_MONTH, output_field=DateField()
    )
    messages = Message.objects.filter(pairing=OuterRef("pk"), deleted_at__isnull=True).order_by()
    rows = (
        Pairing.objects.filter(program=program, status__in=OPEN_PAIRING_STATUSES)
        .annotate(
            message_count=Coalesce(
                Subquery(
                    messages.values("pairing").annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            last_message_at=Subquery(messages.order_by("-id").values("created_at")[:1]),
            m0=_checkins_between(bounds[0], bounds[1]),
            m1=_checkins_between(bounds[1], bounds[2]),
            m2=_checkins_between(bounds[2], bounds[3]),
            first_month=_checkins_between(OuterRef("started_on"), first_month_end),
        )
        .order_by("mentor__name", "mentee__name")
        .values_list(
            "pk",
            "uuid",
            "status",
            "mentor_id",
            "mentee_id",
            "mentor__name",
            "mentor__email",
            "mentee__name",
            "mentee__email",
            "started_on",
            "last_checkin_on",
            "next_checkin_due",
            "m0",
            "m1",
            "m2",
            "first_month",
            "message_count",
            "last_message_at",
        )
    )
    return [
        OpenPairing(
            pk,
            uuid_,
            status,
            mentor_id,
            mentee_id,
            PersonRef(mentor_name, mentor_email),
            PersonRef(mentee_name, mentee_email),
            started_on,
            last_checkin_on,
            next_checkin_due,
            (m0, m1, m2),
            first_month,
            message_count,
            last_message_at,
        )
        for (
            pk,
            uuid_,
            status,
            mentor_id,
            mentee_id,
            mentor_name,
            mentor_email,
            mentee_name,
            mentee_email,
            started_on,
            last_checkin_on,
            next_checkin_due,
            m0,
            m1,
            m2,
            first_month,
            message_count,
            last_message_at,
        ) in rows
    ]


def program_dashboard(program: Program, *, today: date | None = None) -> ProgramDashboard:
    """Everything the program dashboard shows (but goal health, the goals app's), in three
    queries whatever the program's size:

    1. the counts and the survey aggregates (program_stats);
    2. the open pairings; the stalled ones, each mentor's load and who is paired are
       worked out from them;
    3. the mentors and the unpaired mentees, with their accounts.
    """
    today = today or timezone.localdate()
    stats = program_stats(program, surveys=True)
    rows = open_pairings(program, today=today)
    cutoff = today - timedelta(days=program.stall_after_days)
    stalled = sorted(
        (
            p
            for p in rows
            if p.status == PairingStatus.ACTIVE
            and p.last_contact is not None
            and p.last_contact <= cutoff
        ),
        key=lambda p: p.last_contact,
    )
    load = Counter(p.mentor_id for p in rows)
    # Who is paired, as a subquery rather than the ids of `rows`: a list of a hundred
    # parameters costs more to build than the database needs to find them again.
    members = (
        Membership.objects.filter(program=program)
        .filter(
            Q(role=Role.MENTOR) | (Q(role=Role.MENTEE) & ~Q(user_id__in=_paired_mentees(program)))
        )
        .select_related("user")
        # What the lists show: loading whole accounts cost more than the query.
        .only("uuid", "role", "capacity", "user", "user__name", "user__email")
        .order_by("user__name", "user__email", "pk")
    )
    unpaired, at_capacity = [], []
    for membership in members:
        if membership.role == Role.MENTEE:
            unpaired.append(membership)
            continue
        membership.open_pairings = load[membership.user_id]
        if membership.open_pairings >= membership.capacity:
            at_capacity.append(membership)
    return ProgramDashboard(
        program=program,
        active_pairings=rows,
        unpaired=unpaired,
        at_capacity=at_capacity,
        stalled=stalled,
        below_meeting_rule=[p for p in rows if below_meeting_rule(p, program, today)],
        meeting_months=tuple(month_starts(today)),
        **stats,
    )


def member_list(
    program: Program,
    *,
    query: str = "",
    role: str = "",
    paired: str = "",
    joined_from: date | None = None,
    joined_to: date | None = None,
    matched: str = "",
) -> QuerySet[Membership]:
    """The program's members, filtered; `joined_from`/`joined_to` (first days of months, both
    included) and `matched` (ever paired in the program, yes or no) are the outcomes report's
    filters (mentorship.report counts the same way)."""
    members = (
        Membership.objects.filter(program=program)
        .select_related("user")
        .annotate(
            open_pairings=Coalesce(_open_pairing_count_subquery(program), Value(0)),
            is_paired=_has_open_pairing(program),
        )
        .order_by("role", "user__name", "user__email")
    )
    if query:
        members = members.filter(
            Q(user__name__icontains=query)
            | Q(user__email__icontains=query)
            | Q(skills__icontains=query)
            | Q(interests__icontains=query)
        )
    if role in Role.values:
        members = members.filter(role=role)
    if paired == "yes":
        members = members.filter(Q(is_paired=True) | Q(open_pairings__gt=0))
    elif paired == "no":
        members = members.filter(is_paired=False, open_pairings=0)
    if joined_from:
        members = members.filter(joined_at__gte=_midnight_utc(joined_from))
    if joined_to:
        members = members.filter(joined_at__lt=_midnight_utc(next_month(joined_to)))
    if matched in ("yes", "no"):
        ever = Exists(Pairing.objects.filter(program=program, mentee=OuterRef("user")))
        members = members.filter(ever if matched == "yes" else ~ever)
    return members


def _midnight_utc(day: date) -> datetime:
    # As the report's SQL compares: the day's start in UTC.
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def member_of_program(program: Program, membership_uuid) -> Membership | None:
    """One membership of `program`; None when it is not this program's."""
    return (
        Membership.objects.filter(program=program, uuid=membership_uuid)
        .select_related("user", "program")
        .first()
    )


def member_open_pairings(membership: Membership) -> list[Pairing]:
    """The open pairings a member has in their role in the membership's program (those a
    removal would end)."""
    field = {Role.MENTOR: "mentor_id", Role.MENTEE: "mentee_id"}.get(membership.role)
    if field is None:
        return []
    return list(
        Pairing.objects.filter(
            program_id=membership.program_id,
            status__in=OPEN_PAIRING_STATUSES,
            **{field: membership.user_id},
        )
        .select_related("mentor", "mentee")
        .order_by("id")
    )


def member_history(program: Program, user_id: int, limit: int = 50) -> list[MemberEvent]:
    return list(
        MemberEvent.objects.filter(program=program, member_id=user_id)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def invitations_waiting_for(viewer_or_user) -> QuerySet[Invitation]:
    """The invitations the viewer may still answer: sent to an address verified on their
    account, not yet accepted, declined, withdrawn or expired. One query."""
    viewer = Viewer.of(viewer_or_user)
    if not viewer.is_authenticated:
        return Invitation.objects.none()
    addresses = EmailAddress.objects.filter(user_id=viewer.pk, verified=True).values("email")
    return (
        Invitation.objects.filter(
            email__in=addresses,
            accepted_at__isnull=True,
            declined_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("program")
        .order_by("-created_at")
    )


def pending_invitations(program: Program) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        program=program, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


# The headings of the people's exports (core.csvsafe writes them in the reader's language).
PERSON_COLUMNS = (
    gettext_lazy("Mentor"),
    gettext_lazy("Mentor's e-mail"),
    gettext_lazy("Mentee"),
    gettext_lazy("Mentee's e-mail"),
)
# One heading per field of PAIRING_FIELDS, in its order.
PAIRING_FIELD_HEADINGS = {
    "status": gettext_lazy("Status"),
    "started_on": gettext_lazy("Started on"),
    "ended_on": gettext_lazy("Ended on"),
    "end_reason": gettext_lazy("Reason for ending"),
    "next_checkin_due": gettext_lazy("Next check-in due"),
    "last_checkin_on": gettext_lazy("Last check-in"),
}
PAIRING_EXPORT_COLUMNS = (*PERSON_COLUMNS, *(PAIRING_FIELD_HEADINGS[f] for f in PAIRING_FIELDS))


def pairings_export_rows(program: Program):
    """Rows for the pairings CSV, one per pairing, as tuples in PAIRING_EXPORT_COLUMNS order,
    read in chunks (a program may have thousands)."""
    rows = (
        Pairing.objects.filter(program=program)
        .order_by("status", "mentor__email", "mentee__email")
        .values_list(
            "mentor__name", "mentor__email", "mentee__name", "mentee__email", *PAIRING_FIELDS
        )
        .iterator(chunk_size=1000)
    )
    status = PAIRING_FIELDS.index("status") + len(PERSON_COLUMNS)
    for row in rows:
        yield (*row[:status], PairingStatus(row[status]).label, *row[status + 1 :])


MEMBER_EXPORT_COLUMNS = (
    gettext_lazy("Name"),
    gettext_lazy("E-mail"),
    gettext_lazy("Role"),
    gettext_lazy("Capacity"),
    gettext_lazy("Open pairings as mentor"),
    gettext_lazy("Paired as mentee"),
    gettext_lazy("Skills"),
    gettext_lazy("Interests"),
    gettext_lazy("Joined on"),
)


def members_export_rows(program: Program):
    """Rows for the members CSV, in MEMBER_EXPORT_COLUMNS order (one query, in chunks)."""
    rows = (
        member_list(program)
        .order_by("role", "user__email")
        .values_list(
            "user__name",
            "user__email",
            "role",
            "capacity",
            "open_pairings",
            "is_paired",
            "skills",
            "interests",
            "joined_at",
        )
        .iterator(chunk_size=1000)
    )
    for name, email, role, capacity, open_count, paired, skills, interests, joined in rows:
        mentor = role == Role.MENTOR
        yield (
            name,
            email,
            Role(role).label,
            capacity if mentor else "",
            open_count if mentor else "",
            bool(paired) if role == Role.MENTEE else "",
            skills,
            interests,
            timezone.localdate(joined),
        )


# Admins see when a pair met, never what was said (DESIGN): dates only.
CHECKIN_EXPORT_COLUMNS = (*PERSON_COLUMNS, gettext_lazy("Date"))


def checkins_export_rows(program: Program):
    return (
        CheckIn.objects.filter(pairing__program=program)
        .order_by("-occurred_on", "id")
        .values_list(
            "pairing__mentor__name",
            "pairing__mentor__email",
            "pairing__mentee__name",
            "pairing__mentee__email",
            "occurred_on",
        )
        .iterator(chunk_size=1000)
    )


def pairings_for_user(viewer_or_user) -> QuerySet[Pairing]:
    """'My mentorships': the pairings where the viewer is the mentor or the mentee."""
    return (
        Pairing.objects.filter(pk__in=own_pairing_ids(viewer_or_user))
        .select_related("program", "mentor", "mentee", "agreement")
        .order_by("-created_at")
    )


@dataclass
class PairingPage:
    pairing: Pairing
    role: str
    checkins: list[CheckIn]
    events: list[PairingEvent]
    # The viewer's own survey answers and the other side's shared ones (none for admins).
    survey_answers: list[SurveyResponse]
    # The survey open to the viewer now, as (kind, round), if they have not answered it.
    open_survey: tuple[str, int] | None
    history: list[Pairing] = field(default_factory=list)
    meetings: "MeetingBlock | None" = None


def pairing_page(pairing: Pairing, *, role: str, viewer: User, limit: int = 50) -> PairingPage:
    """What the pairing page shows to `viewer` in `role`; fixed queries, newest first, capped
    at `limit` meetings and events."""
    checkins = list(CheckIn.objects.filter(pairing=pairing).select_related("logged_by")[:limit])
    events = list(PairingEvent.objects.filter(pairing=pairing).select_related("actor")[:limit])
    answers: list = []
    to_answer = None
    if role != "admin":
        # Your own answers, and the other side's only if they chose to share them; the
        # program's admins see none (survey_summary's aggregates only).
        answers = list(
            SurveyResponse.objects.filter(pairing=pairing)
            .filter(Q(author=viewer) | Q(shared=True))
            .select_related("author")
            .order_by("-kind", "-round", "-created_at")
        )
        to_answer = policy.open_survey(pairing, day=policy.survey_today(viewer))
        answered = {(a.kind, a.round) for a in answers if a.author_id == viewer.pk}
        if to_answer in answered:
            to_answer = None
    # The mentee's other pairings in the program come in the same query as the meetings.
    meetings = meeting_block(pairing, with_history=True)
    history = meetings.history[:limit]
    return PairingPage(pairing, role, checkins, events, answers, to_answer, history, meetings)


# --- Matching -------------------------------------------------------------------------------


@dataclass
class Suggestion:
    membership: Membership
    score: float
    shared: list[str]
    remaining: int
    hours_apart: float
    reasons: list[str]
    # Languages both speak (names), and hours of the day both prefer to meet (None: one of
    # them has not said).
    languages: list[str] = field(default_factory=list)
    overlap_hours: int | None = None
    # The mentor's profile card, where a page shows it (accounts.selectors.ProfileCard).
    card: object = None

    @property
    def can_pair(self) -> bool:
        return self.remaining > 0


def _utc_offset_hours(name: str, at: datetime) -> float:
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    offset = at.astimezone(zone).utcoffset() or timedelta()
    return offset.total_seconds() / 3600


def timezone_distance_hours(a: str, b: str, *, at: datetime | None = None) -> float:
    """Hours between two zones' clocks now, the short way round the world (0 to 12)."""
    at = at or timezone.now()
    diff = abs(_utc_offset_hours(a, at) - _utc_offset_hours(b, at)) % 24
    return min(diff, 24 - diff)


# The local hours each preferred meeting time covers (start inclusive, end exclusive).
MEETING_TIME_HOURS = {"morning": (8, 12), "afternoon": (12, 17), "evening": (17, 21)}


def _utc_hours(times, zone_name: str, at: datetime) -> set[float]:
    """The hours of the day (in UTC, as offsets from midnight) a person's preferred meeting
    times cover in their own zone."""
    offset = _utc_offset_hours(zone_name, at)
    hours = set()
    for name in times or ():
        start, end = MEETING_TIME_HOURS.get(name, (0, 0))
        hours.update((hour - offset) % 24 for hour in range(start, end))
    return hours


def meeting_overlap_hours(a_times, a_zone: str, b_times, b_zone: str, *, at=None) -> int | None:
    """How many hours of the day both people prefer to meet, each in their own zone; None
    when either has not said when they like to meet."""
    if not a_times or not b_times:
        return None
    at = at or timezone.now()
    return len(_utc_hours(a_times, a_zone, at) & _utc_hours(b_times, b_zone, at))


def mentee_match_terms(mentee_membership: Membership) -> list[str]:
    """What the mentee wants to learn (her profile), her interests in the program and the
    categories of her goals, lower-case, each once. One query (her goals' categories); her
    profile is read with her membership (mentee_membership_for_match)."""
    terms: list[str] = []
    for term in (*profile_of(mentee_membership.user).want_list, *mentee_membership.interest_list):
        if term not in terms:
            terms.append(term)
    labels = dict(Category.choices)
    categories = (
        Goal.objects.filter(mentee=mentee_membership.user_id)
        .order_by()  # the model's ordering would make DISTINCT keep one row per goal
        .values_list("category", flat=True)
        .distinct()
    )
    for category in categories:
        label = str(labels.get(category, category)).lower()
        if category != "other" and label not in terms:
            terms.append(label)
    return terms


def mentor_suggestions(
    program: Program, mentee_membership: Membership, *, terms: list[str] | None = None
) -> list[Suggestion]:
    """Mentors of the program ranked for one mentee, each with the reasons that say why.
    One query (the mentors, with their load and profiles), and one for the mentee's terms
    unless the caller has them already (`terms`, from mentee_match_terms).

    1. Overlap: the mentee's wants, interests and goal categories (mentee_match_terms) that
       the mentor offers (profile) or lists as skills or interests; each shared term weighs
       most.
    2. Language: a language both speak counts for a lot; two people who both listed
       languages and share none lose as much.
    3. Meeting times: each hour of the day both prefer (each in their own zone) counts a
       little, up to four.
    4. Remaining capacity: a mentor with free places ranks above a busy one; a full mentor
       is listed last and cannot be chosen.
    5. Time zones: every hour between their clocks costs a little.
    """
    from django.utils.translation import ngettext

    wanted = terms if terms is not None else mentee_match_terms(mentee_membership)
    mentee = mentee_membership.user
    mentee_profile = profile_of(mentee)
    mentee_languages = set(mentee_profile.languages or ())
    now = timezone.now()
    suggestions = []
    mentors = (
        mentors_with_load(program)
        .select_related("user__profile")
        .exclude(user=mentee_membership.user_id)
    )
    for membership in mentors:
        profile = profile_of(membership.user)
        offered = (
            set(profile.offer_list)
            | set(split_tags(membership.skills))
            | set(split_tags(membership.interests))
        )
        shared = [term for term in wanted if term in offered]
        remaining = max(membership.capacity - membership.open_pairings, 0)
        hours = timezone_distance_hours(mentee.timezone, membership.user.timezone, at=now)
        languages = [
            language_name(code) for code in profile.languages or () if code in mentee_languages
        ]
        overlap = meeting_overlap_hours(
            mentee_profile.meeting_times,
            mentee.timezone,
            profile.meeting_times,
            membership.user.timezone,
            at=now,
        )
        score = 10 * len(shared) + 2 * min(remaining, 3) - 0.5 * hours
        reasons = []
        if shared:
            reasons.append(_("Shares: %(terms)s") % {"terms": ", ".join(shared)})
        else:
            reasons.append(_("No shared skills or interests"))
        if languages:
            score += 6
            reasons.append(_("Both speak %(langs)s") % {"langs": ", ".join(languages)})
        elif mentee_languages and profile.languages:
            score -= 6
            reasons.append(_("No language in common"))
        if overlap:
            score += min(overlap, 4)
            reasons.append(
                ngettext(
                    "Preferred meeting times overlap by %(n)s hour",
                    "Preferred meeting times overlap by %(n)s hours",
                    overlap,
                )
                % {"n": overlap}
            )
        elif overlap == 0:
            reasons.append(_("Preferred meeting times do not overlap"))
        if remaining:
            reasons.append(
                ngettext("%(n)s place free of %(cap)s", "%(n)s places free of %(cap)s", remaining)
                % {"n": remaining, "cap": membership.capacity}
            )
        else:
            reasons.append(_("At capacity"))
        if hours < 0.5:
            reasons.append(_("Same time zone"))
        else:
            reasons.append(_("%(h)s h apart") % {"h": f"{hours:g}"})
        suggestions.append(
            Suggestion(membership, score, shared, remaining, hours, reasons, languages, overlap)
        )
    suggestions.sort(key=lambda s: (not s.can_pair, -s.score, s.membership.user.email))
    return suggestions


def mentee_membership_for_match(program: Program, membership_uuid) -> Membership | None:
    return (
        Membership.objects.filter(program=program, uuid=membership_uuid, role=Role.MENTEE)
        .select_related("user__profile")
        .first()
    )


# --- The request's viewer -------------------------------------------------------------------


class PairingLink(NamedTuple):
    """One pairing seen from one side: the other person, in which program, in which status,
    whether the mentee has accepted its agreement as it stands (`mentee_agreed`), and how
    many of the other side's messages wait unread (`unread_messages`)."""

    pairing_id: int
    program_id: int
    other_id: int
    status: str
    mentee_agreed: bool = False
    # Messages of the other side this person has not read yet (the conversation).
    unread_messages: int = 0


VIEWER_FACTS = (
    "roles",
    "admin_program_ids",
    "member_program_ids",
    "as_mentor",
    "as_mentee",
)


def viewer_facts(user) -> dict:
    """What `user` is to everyone else in the mentoring domain, in one query: their
    memberships, and every pairing they are either side of (core.viewer registers this).

    - roles: the roles they hold in active programs (the navigation's);
    - admin_program_ids / member_program_ids: programs they run / belong to (any state);
    - as_mentor / as_mentee: PairingLink rows, every status, with whether the mentee has
      accepted the agreement and how many of the other side's messages they have not read.
    """
    membership = Membership._meta.db_table
    program = Program._meta.db_table
    pairing = Pairing._meta.db_table
    agreement = Agreement._meta.db_table
    message, read = Message._meta.db_table, MessageRead._meta.db_table
    agreed = "CASE WHEN a.mentee_accepted_at IS NULL THEN 0 ELSE 1 END"
    # The other side's messages after the last one read (ids grow with time). Cast: COUNT is
    # a bigint on PostgreSQL, the first branch's 0 an integer.
    unread = (
        f"CAST((SELECT COUNT(*) FROM {message} n WHERE n.pairing_id = x.id "  # noqa: S608
        "AND n.deleted_at IS NULL AND (n.author_id IS NULL OR n.author_id <> %s) "
        f"AND n.id > COALESCE((SELECT r.last_read_message_id FROM {read} r "
        "WHERE r.pairing_id = x.id AND r.user_id = %s), 0)) AS INTEGER)"
    )
    # Table names come from the models, the values are parameters.
    sql = (
        f"SELECT 0, m.program_id, m.role, NULL, NULL, p.is_active, 0, 0 FROM {membership} m "  # noqa: S608
        f"JOIN {program} p ON p.id = m.program_id WHERE m.user_id = %s "
        f"UNION ALL SELECT 1, x.program_id, x.status, x.mentee_id, x.id, NULL, {agreed}, "
        f"{unread} FROM {pairing} x LEFT JOIN {agreement} a ON a.pairing_id = x.id "
        "WHERE x.mentor_id = %s "
        f"UNION ALL SELECT 2, x.program_id, x.status, x.mentor_id, x.id, NULL, {agreed}, "
        f"{unread} FROM {pairing} x LEFT JOIN {agreement} a ON a.pairing_id = x.id "
        "WHERE x.mentee_id = %s"
    )
    roles, admin_of, member_of, as_mentor, as_mentee = set(), set(), set(), [], []
    me = user.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, [me, me, me, me, me, me, me])
        rows = cursor.fetchall()
    for kind, program_id, label, other_id, pairing_id, active, mentee_agreed, unseen in rows:
        if kind == 0:
            member_of.add(program_id)
            if label == Role.ADMIN:
                admin_of.add(program_id)
            if active:
                roles.add(label)
        else:
            link = PairingLink(
                pairing_id, program_id, other_id, label, bool(mentee_agreed), int(unseen or 0)
            )
            (as_mentor if kind == 1 else as_mentee).append(link)
    return {
        "roles": frozenset(roles),
        "admin_program_ids": frozenset(admin_of),
        "member_program_ids": frozenset(member_of),
        "as_mentor": tuple(as_mentor),
        "as_mentee": tuple(as_mentee),
    }


def recent_import_runs(program: Program, *, limit: int = 5) -> list[ImportRun]:
    """The program's latest CSV imports, to find a run's page again. One query; the rows
    waiting in each run are not read."""
    return list(
        ImportRun.objects.filter(program=program)
        .defer("batches", "result")
        .order_by("-created_at")[:limit]
    )


# --- Joining a program, and the first steps -------------------------------------------------


def profile_is_complete(user) -> bool:
    """Whether the person has told the program who they are: their profile is filled (a
    headline, or what they offer or want to learn: Profile.is_filled). The first-steps
    checklists read the same definition in SQL (accounts.models.filled_profile_q), inside
    their one query. No query when the profile was read with the user."""
    return profile_of(user).is_filled


def program_vocabulary(viewer_or_user, *, limit: int = 200) -> list[str]:
    """The skills and interests already written on the memberships of the viewer's
    programs, most used first: the suggestions of the profile's tag fields. One query (none
    for someone in no program)."""
    viewer = Viewer.of(viewer_or_user)
    if not viewer.is_authenticated or not viewer.member_program_ids:
        return []
    counts: Counter = Counter()
    rows = Membership.objects.filter(program_id__in=sorted(viewer.member_program_ids)).values_list(
        "skills", "interests"
    )
    for skills, interests in rows:
        counts.update(set(split_tags(skills)) | set(split_tags(interests)))
    return [tag for tag, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


@dataclass
class JoinableProgram:
    program: Program
    # The roles the viewer holds in it already, and their application waiting there.
    roles: frozenset
    pending_uuid: object = None
    pending_role: str = ""


def joinable_programs(viewer_or_user) -> list[JoinableProgram]:
    """The active programs anyone signed in may apply to (open, or open with approval; never
    an invite-only one), by name, each with the viewer's roles in it and their application
    waiting there. One query."""
    viewer = Viewer.of(viewer_or_user)
    mine = Membership.objects.filter(program_id=OuterRef("pk"), user_id=viewer.pk)
    pending = Application.objects.filter(
        program_id=OuterRef("pk"), user_id=viewer.pk, status=ApplicationStatus.PENDING
    )
    programs = (
        Program.objects.filter(
            is_active=True, ended_at__isnull=True, join_policy__in=JOINABLE_POLICIES
        )
        .annotate(
            is_mentee=Exists(mine.filter(role=Role.MENTEE)),
            is_mentor=Exists(mine.filter(role=Role.MENTOR)),
            is_admin=Exists(mine.filter(role=Role.ADMIN)),
            pending_uuid=Subquery(pending.values("uuid")[:1]),
            pending_role=Subquery(pending.values("role")[:1]),
        )
        .order_by("name", "pk")
    )
    rows = []
    for program in programs:
        held = {
            role
            for role, flag in (
                (Role.MENTEE, program.is_mentee),
                (Role.MENTOR, program.is_mentor),
                (Role.ADMIN, program.is_admin),
            )
            if flag
        }
        rows.append(
            JoinableProgram(
                program=program,
                roles=frozenset(held),
                pending_uuid=program.pending_uuid,
                pending_role=program.pending_role or "",
            )
        )
    return rows


def applications_of(viewer_or_user, *, limit: int = 20) -> list[Application]:
    """The viewer's latest applications, any status, with their programs. One query."""
    viewer = Viewer.of(viewer_or_user)
    return list(
        Application.objects.filter(user_id=viewer.pk)
        .select_related("program")
        .order_by("-created_at", "-id")[:limit]
    )


def application_queue(program: Program) -> QuerySet[Application]:
    """The program's applications waiting for a decision, oldest first, with the applicants.
    Counted by the dashboard's link (program_stats) from the same condition."""
    return (
        Application.objects.filter(program=program, status=ApplicationStatus.PENDING)
        .select_related("user")
        .order_by("created_at", "id")
    )


def recent_decisions(program: Program, *, limit: int = 10) -> list[Application]:
    """The program's latest decided (or withdrawn) applications, with who decided. One query."""
    return list(
        Application.objects.filter(program=program)
        .exclude(status=ApplicationStatus.PENDING)
        .select_related("user", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


@dataclass
class ChecklistItem:
    label: str
    done: bool
    url: str = ""
    hint: str = ""


@dataclass
class Checklist:
    program_name: str
    role: str
    items: list
    # Where the dismiss button posts (a member's) or the program's own.
    dismiss_url: str = ""

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def is_done(self) -> bool:
        return all(item.done for item in self.items)


def member_checklists(viewer_or_user, role: str) -> list[Checklist]:
    """The first-steps checklists of the viewer's memberships in `role` (mentee or mentor)
    in active programs, each until it is done or dismissed. One query, whatever the number
    of programs, goals or pairings: every fact is an EXISTS on the membership's row.

    - mentee: profile complete, agreement accepted (of a pairing in that program), a first
      goal (any goal of hers);
    - mentor: profile complete, capacity chosen (by them, an admin or an import), agreement
      accepted.
    """
    viewer = Viewer.of(viewer_or_user)
    if not viewer.is_authenticated:
        return []
    side = "mentee" if role == Role.MENTEE else "mentor"
    agreed = Agreement.objects.filter(
        pairing__program_id=OuterRef("program_id"),
        **{f"pairing__{side}_id": viewer.pk, f"{side}_accepted_at__isnull": False},
    )
    paired = Pairing.objects.filter(program_id=OuterRef("program_id"), **{f"{side}_id": viewer.pk})
    rows = (
        Membership.objects.filter(
            user_id=viewer.pk,
            role=role,
            checklist_dismissed_at__isnull=True,
            program__is_active=True,
        )
        .annotate(
            agreed=Exists(agreed),
            paired=Exists(paired),
            has_goal=Exists(Goal.objects.filter(mentee_id=viewer.pk)),
            # profile_is_complete, read in this same query.
            profile_done=Exists(Profile.objects.filter(filled_profile_q(), user_id=viewer.pk)),
            asked=Exists(
                MentorRequest.objects.filter(
                    mentee_id=OuterRef("pk"), status=MentorRequestStatus.PENDING
                )
            ),
        )
        .order_by("joined_at", "pk")
        .values_list(
            "uuid",
            "program__name",
            "capacity_set_at",
            "agreed",
            "paired",
            "has_goal",
            "profile_done",
            "program__mentees_choose",
            "program__uuid",
            "asked",
        )
    )
    profile = reverse("accounts:profile")
    pairings = reverse("mentorship:my_pairings")
    checklists = []
    for (
        uuid_,
        program_name,
        capacity_set_at,
        is_agreed,
        is_paired,
        has_goal,
        profile_done,
        mentees_choose,
        program_uuid,
        asked,
    ) in rows:
        profile_item = ChecklistItem(_("Complete your profile"), profile_done, profile)
        agreement_item = ChecklistItem(
            _("Accept your agreement"),
            is_agreed,
            pairings if is_paired else "",
            "" if is_paired else _("once you are paired"),
        )
        if role == Role.MENTEE:
            # In a program where mentees choose, asking a mentor comes before the agreement.
            choice_item = (
                [
                    ChecklistItem(
                        _("Choose your mentor"),
                        is_paired,
                        reverse("mentorship:mentor_choose", args=[program_uuid]),
                        _("your request waits for an answer") if asked and not is_paired else "",
                    )
                ]
                if mentees_choose
                else []
            )
            items = [
                profile_item,
                *choice_item,
                agreement_item,
                ChecklistItem(_("Create your first goal"), has_goal, reverse("goals:goal_create")),
            ]
        else:
            items = [
                profile_item,
                ChecklistItem(
                    _("Set your capacity"),
                    capacity_set_at is not None,
                    reverse("mentorship:my_capacity", args=[uuid_]),
                ),
                agreement_item,
            ]
        checklist = Checklist(
            program_name=program_name,
            role=role,
            items=items,
            dismiss_url=reverse("mentorship:checklist_dismiss", args=[uuid_]),
        )
        if not checklist.is_done:
            checklists.append(checklist)
    return checklists


def program_setup_checklist(dashboard: ProgramDashboard) -> Checklist | None:
    """The setup checklist of a new program's dashboard, from what the dashboard read
    already (no query): cadence and stall threshold set (the threshold not shorter than the
    cadence), people invited (an invitation sent, or members besides the admins), a first
    pairing made. None once done or dismissed."""
    program = dashboard.program
    if program.setup_dismissed_at is not None:
        return None
    edit = reverse("mentorship:program_edit", args=[program.uuid])
    people = dashboard.role_counts.get(Role.MENTOR, 0) + dashboard.role_counts.get(Role.MENTEE, 0)
    cadence, stall = program.checkin_cadence_days, program.stall_after_days
    items = [
        ChecklistItem(
            _("Set the check-in cadence"),
            bool(cadence),
            edit,
            _("every %(n)s days") % {"n": cadence} if cadence else "",
        ),
        ChecklistItem(
            _("Set the stall threshold"),
            bool(stall and cadence and stall >= cadence),
            edit,
            _("stalled after %(n)s days without a check-in") % {"n": stall}
            if stall and cadence and stall >= cadence
            else _("at least the check-in cadence"),
        ),
        ChecklistItem(
            _("Invite people"),
            bool(dashboard.invitations_sent or people),
            reverse("mentorship:program_invite", args=[program.uuid]),
        ),
        ChecklistItem(
            _("Make the first pairing"),
            bool(sum(dashboard.pairings_by_status.values())),
            reverse("mentorship:pairing_new", args=[program.uuid]),
        ),
    ]
    checklist = Checklist(
        program_name=program.name,
        role=Role.ADMIN,
        items=items,
        dismiss_url=reverse("mentorship:program_setup_dismiss", args=[program.uuid]),
    )
    return None if checklist.is_done else checklist


# --- Mentee choice --------------------------------------------------------------------------

# How many of her best-matched mentors a choosing mentee is shown.
MENTOR_CHOICES_SHOWN = 5


def mentor_choices(mentee_membership: Membership) -> list[Suggestion]:
    """The mentee's top suggestions (mentor_suggestions), at most MENTOR_CHOICES_SHOWN; a
    full mentor among them is shown but cannot be asked (`can_pair`). Two queries."""
    suggestions = mentor_suggestions(mentee_membership.program, mentee_membership)
    return suggestions[:MENTOR_CHOICES_SHOWN]


def mentor_requests_of_mentee(mentee_membership: Membership, *, limit: int = 10):
    """Her latest requests in the program, any status, with the mentors. One query."""
    return list(
        MentorRequest.objects.filter(mentee=mentee_membership)
        .select_related("mentor__user", "pairing")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass
class GoalsSummary:
    """What a mentor who is asked learns of the mentee's goals before any pairing: how many
    she has open and in which categories, never their titles or progress (those wait for an
    active pairing, as everywhere)."""

    open_count: int
    categories: list[str]


def mentee_goals_summary(user_id: int) -> GoalsSummary:
    """One query: the categories of the mentee's open goals, counted."""
    labels = dict(Category.choices)
    rows = (
        Goal.objects.filter(
            mentee_id=user_id, status__in=OPEN_GOAL_STATUSES, archived_at__isnull=True
        )
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n", "category")
    )
    rows = list(rows)
    return GoalsSummary(
        open_count=sum(row["n"] for row in rows),
        categories=[str(labels.get(row["category"], row["category"])) for row in rows],
    )


def mentor_load(mentor_membership: Membership) -> int:
    """How many open pairings the mentor has in the membership's program. One query."""
    return Pairing.objects.filter(
        program_id=mentor_membership.program_id,
        mentor_id=mentor_membership.user_id,
        status__in=OPEN_PAIRING_STATUSES,
    ).count()


def pending_mentor_requests(program: Program):
    """The program's requests waiting for a mentor's answer, oldest first. One query."""
    return list(
        MentorRequest.objects.filter(program=program, status=MentorRequestStatus.PENDING)
        .select_related("mentee__user", "mentor__user")
        .order_by("created_at", "id")
    )


def recent_mentor_requests(program: Program, *, limit: int = 20):
    """The program's latest answered, withdrawn or lapsed requests. One query."""
    return list(
        MentorRequest.objects.filter(program=program)
        .exclude(status=MentorRequestStatus.PENDING)
        .select_related("mentee__user", "mentor__user")
        .order_by("-decided_at", "-id")[:limit]
    )


# --- Meetings -------------------------------------------------------------------------------


@dataclass
class MeetingRow:
    """A meeting as the pairing page shows it (from meeting_block's one query)."""

    id: int
    uuid: object
    status: str
    starts_at: datetime | None
    location: str
    candidate_times: list[datetime]
    proposed_by_id: int | None
    agenda: list[str] = field(default_factory=list)


@dataclass
class ActionRow:
    id: int
    uuid: object
    meeting_id: int | None
    title: str
    owner_id: int | None
    due_on: date | None
    done_at: datetime | None

    def is_overdue_on(self, day: date) -> bool:
        return self.done_at is None and self.due_on is not None and self.due_on < day


@dataclass
class MeetingBlock:
    """What is coming up in a pairing: its next confirmed meeting and the proposed ones,
    with their agendas, and the open action items."""

    upcoming: list[MeetingRow]
    open_actions: list[ActionRow]
    history: list[Pairing] = field(default_factory=list)

    @property
    def next_meeting(self) -> MeetingRow | None:
        confirmed = [m for m in self.upcoming if m.status == MeetingStatus.CONFIRMED]
        return min(confirmed, key=lambda m: m.starts_at) if confirmed else None

    @property
    def proposed(self) -> list[MeetingRow]:
        return [m for m in self.upcoming if m.status == MeetingStatus.PROPOSED]

    @property
    def waiting_to_log(self) -> list[MeetingRow]:
        now = timezone.now()
        return [
            m
            for m in self.upcoming
            if m.status == MeetingStatus.CONFIRMED
            and m.starts_at is not None
            and m.starts_at <= now
        ]


_BLOCK_COLUMNS = (
    "kind",
    "id",
    "uuid",
    "meeting_id",
    "status",
    "starts_at",
    "text",
    "extra",
    "person_id",
    "due_on",
    "done_at",
)


def meeting_block(pairing: Pairing, *, with_history: bool = False) -> MeetingBlock:
    """The pairing's upcoming meetings, their agenda points and its open action items, in one
    query (a UNION of the three tables), whatever their number. `with_history` adds the
    mentee's other pairings in the program (the pairing page's list), to the same query."""
    # Typed NULLs and blanks: PostgreSQL types a bare NULL of two UNION branches as text,
    # which a third branch's date then cannot match.
    none_dt = Cast(Value(None), output_field=DateTimeField())
    none_date = Cast(Value(None), output_field=DateField())
    none_int = Cast(Value(None), output_field=IntegerField())
    blank = Cast(Value(""), output_field=CharField())
    meetings = (
        Meeting.objects.filter(pairing=pairing, status__in=UPCOMING_MEETING_STATUSES)
        .annotate(
            kind=Value("m", output_field=CharField()),
            meeting_ref=none_int,
            text=F("location"),
            extra=Cast("candidate_times", TextField()),
            person_id=F("proposed_by_id"),
            due=none_date,
            done=none_dt,
        )
        .order_by()
        .values_list(
            "kind",
            "id",
            "uuid",
            "meeting_ref",
            "status",
            "starts_at",
            "text",
            "extra",
            "person_id",
            "due",
            "done",
        )
    )
    agenda = (
        AgendaItem.objects.filter(
            meeting__pairing=pairing, meeting__status__in=UPCOMING_MEETING_STATUSES
        )
        .annotate(
            kind=Value("a", output_field=CharField()),
            meeting_ref=F("meeting_id"),
            state=blank,
            start=none_dt,
            body=F("text"),
            extra=blank,
            person_id=F("author_id"),
            due=none_date,
            done=none_dt,
        )
        .order_by()
        .values_list(
            "kind",
            "id",
            "uuid",
            "meeting_ref",
            "state",
            "start",
            "body",
            "extra",
            "person_id",
            "due",
            "done",
        )
    )
    actions = (
        ActionItem.objects.filter(pairing=pairing, done_at__isnull=True)
        .annotate(
            kind=Value("x", output_field=CharField()),
            meeting_ref=F("meeting_id"),
            state=blank,
            start=none_dt,
            body=F("title"),
            extra=blank,
            person_id=F("owner_id"),
            due=F("due_on"),
            done=F("done_at"),
        )
        .order_by()
        .values_list(
            "kind",
            "id",
            "uuid",
            "meeting_ref",
            "state",
            "start",
            "body",
            "extra",
            "person_id",
            "due",
            "done",
        )
    )
    parts = [agenda, actions]
    if with_history and pairing.mentee_id is not None:  # None: the mentee's account is gone
        parts.append(
            Pairing.objects.filter(program=pairing.program_id, mentee=pairing.mentee_id)
            .exclude(pk=pairing.pk)
            .annotate(
                kind=Value("h", output_field=CharField()),
                meeting_ref=none_int,
                start=F("created_at"),
                body=Coalesce(F("mentor__name"), blank),
                extra=Coalesce(F("mentor__email"), blank),
                person_id=F("mentor_id"),
                due=F("ended_on"),
                done=none_dt,
            )
            .order_by()
            .values_list(
                "kind",
                "id",
                "uuid",
                "meeting_ref",
                "status",
                "start",
                "body",
                "extra",
                "person_id",
                "due",
                "done",
            )
        )
    rows = [dict(zip(_BLOCK_COLUMNS, row, strict=True)) for row in meetings.union(*parts, all=True)]
    history: list[Pairing] = []
    by_id: dict[int, MeetingRow] = {}
    actions_out: list[ActionRow] = []
    agenda_rows = []
    for row in rows:
        if row["kind"] == "m":
            times = json.loads(row["extra"] or "[]")
            by_id[row["id"]] = MeetingRow(
                id=row["id"],
                uuid=_as_uuid(row["uuid"]),
                status=row["status"],
                starts_at=_as_aware(row["starts_at"]),
                location=row["text"] or "",
                candidate_times=[datetime.fromisoformat(t) for t in times],
                proposed_by_id=row["person_id"],
            )
        elif row["kind"] == "a":
            agenda_rows.append(row)
        elif row["kind"] == "h":
            other = Pairing(
                id=row["id"],
                uuid=_as_uuid(row["uuid"]),
                program_id=pairing.program_id,
                status=row["status"],
                created_at=_as_aware(row["starts_at"]),
                ended_on=_as_date(row["due_on"]),
                mentor_id=row["person_id"],
                mentee_id=pairing.mentee_id,
            )
            if row["person_id"] is not None:
                other.mentor = User(id=row["person_id"], name=row["text"], email=row["extra"])
            history.append(other)
        else:
            actions_out.append(
                ActionRow(
                    id=row["id"],
                    uuid=_as_uuid(row["uuid"]),
                    meeting_id=row["meeting_id"],
                    title=row["text"],
                    owner_id=row["person_id"],
                    due_on=_as_date(row["due_on"]),
                    done_at=None,
                )
            )
    for row in sorted(agenda_rows, key=lambda r: r["id"]):
        if row["meeting_id"] in by_id:
            by_id[row["meeting_id"]].agenda.append(row["text"])
    upcoming = sorted(
        by_id.values(),
        key=lambda m: (m.starts_at or (m.candidate_times or [timezone.now()])[0], m.id),
    )
    actions_out.sort(key=lambda a: (a.due_on is None, a.due_on or date.max, a.id))
    history.sort(key=lambda p: (p.created_at, p.id), reverse=True)
    return MeetingBlock(upcoming=upcoming, open_actions=actions_out, history=history)


def _as_uuid(value):
    return value if isinstance(value, uuid_module.UUID) else uuid_module.UUID(str(value))


def _as_aware(value):
    """A UNION's column comes back as the database gives it (SQLite: text)."""
    if value is None or isinstance(value, datetime):
        if isinstance(value, datetime) and timezone.is_naive(value):
            return timezone.make_aware(value, zoneinfo.ZoneInfo("UTC"))
        return value
    parsed = datetime.fromisoformat(str(value))
    return (
        parsed
        if timezone.is_aware(parsed)
        else timezone.make_aware(parsed, zoneinfo.ZoneInfo("UTC"))
    )


def _as_date(value):
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass
class AgendaSuggestion:
    text: str
    reason: str


def agenda_suggestions(
    pairing: Pairing, *, before: date, agenda: list[str]
) -> list[AgendaSuggestion]:
    """Points for the next agenda from the pair's own data: the mentee's active goals that
    are off track or at risk, that have progress updates not yet acknowledged, or
    milestones due by `before`. One query.

    Only goals the mentor may see: shared with the mentor or the program (never a private
    one), in this pairing's program or in none (goals.policy.mentor_goals_q's rule for this
    pairing). A point already on the agenda is not suggested again."""
    if pairing.mentee_id is None or pairing.status not in (
        PairingStatus.ACTIVE,
        PairingStatus.PAUSED,
    ):
        return []
    milestone_table = Milestone._meta.db_table
    goal_table = Goal._meta.db_table
    due_sql = (
        f"SELECT COUNT(*) FROM {milestone_table} c "  # noqa: S608
        f'WHERE c.goal_id = "{goal_table}"."id" AND c.kind = %s AND c.completed_at IS NULL '
        "AND c.due_on IS NOT NULL AND c.due_on <= %s"
    )
    goals = list(
        with_unacknowledged(
            with_progress(
                Goal.objects.filter(
                    Q(program__isnull=True) | Q(program_id=pairing.program_id),
                    mentee_id=pairing.mentee_id,
                    visibility__in=SHARED_WITH_MENTOR,
                    status=GoalStatus.ACTIVE,
                    archived_at__isnull=True,
                )
            )
        )
        .annotate(
            due_soon=RawSQL(  # noqa: S611 (names from the models, values as parameters)
                due_sql, [MilestoneKind.MILESTONE.value, before], output_field=IntegerField()
            )
        )
        .order_by("priority", "pk")[:50]
    )
    taken = {text.strip().lower() for text in agenda}
    out = []
    for goal in goals:
        health = goal.progress.health
        if health in (Health.OFF_TRACK, Health.AT_RISK):
            out.append(
                AgendaSuggestion(
                    _("How to get “%(goal)s” back on track") % {"goal": goal.title},
                    str(Health(health).label),
                )
            )
        if goal.unacknowledged:
            out.append(
                AgendaSuggestion(
                    _("Progress on “%(goal)s”") % {"goal": goal.title},
                    ngettext(
                        "%(n)d update not acknowledged yet",
                        "%(n)d updates not acknowledged yet",
                        goal.unacknowledged,
                    )
                    % {"n": goal.unacknowledged},
                )
            )
        if goal.due_soon:
            out.append(
                AgendaSuggestion(
                    _("Milestones of “%(goal)s” coming due") % {"goal": goal.title},
                    ngettext(
                        "%(n)d milestone due before the next meeting",
                        "%(n)d milestones due before the next meeting",
                        goal.due_soon,
                    )
                    % {"n": goal.due_soon},
                )
            )
    return [s for s in out if s.text.strip().lower() not in taken]


@dataclass
class MeetingPage:
    meeting: Meeting
    agenda: list[AgendaItem]
    open_actions: list[ActionItem]
    suggestions: list[AgendaSuggestion]


def meeting_page(meeting: Meeting) -> MeetingPage:
    """A meeting's agenda, its action items and the suggestions: three queries."""
    pairing = meeting.pairing
    agenda = list(AgendaItem.objects.filter(meeting=meeting).select_related("author"))
    # A logged meeting lists the action items agreed at it; any other, the pairing's open
    # ones (carried onto every agenda until done).
    actions = (
        ActionItem.objects.filter(meeting=meeting)
        if meeting.status == MeetingStatus.DONE
        else ActionItem.objects.filter(pairing=pairing, done_at__isnull=True)
    )
    open_actions = list(actions.select_related("owner"))
    suggestions = []
    if meeting.is_upcoming:
        before = (meeting.starts_at or timezone.now()).date() + timedelta(days=1)
        suggestions = agenda_suggestions(pairing, before=before, agenda=[a.text for a in agenda])
    return MeetingPage(meeting, agenda, open_actions, suggestions)


# --- Conversation -----------------------------------------------------------------------------

MESSAGES_PER_PAGE = 30


def _links(viewer: Viewer) -> tuple[PairingLink, ...]:
    return (*viewer.as_mentor, *viewer.as_mentee)


def unread_message_count(viewer_or_user) -> int:
    """The other sides' messages the viewer has not read, over all their pairings: from the
    viewer's facts, no query of its own."""
    viewer = Viewer.of(viewer_or_user)
    if not viewer.is_authenticated:
        return 0
    return sum(link.unread_messages for link in _links(viewer))


def unread_messages_by_pairing(viewer_or_user) -> dict[int, int]:
    viewer = Viewer.of(viewer_or_user)
    if not viewer.is_authenticated:
        return {}
    return {link.pairing_id: link.unread_messages for link in _links(viewer)}


def viewer_read_conversation(viewer: Viewer, pairing_id: int) -> None:
    """Tell the request's viewer that the conversation of `pairing_id` has just been read, so
    the page that read it shows no unread count for it (without reading the facts again)."""
    if not viewer.is_authenticated:
        return
    for name in ("as_mentor", "as_mentee"):
        links = getattr(viewer, name)
        viewer.__dict__[name] = tuple(
            link._replace(unread_messages=0) if link.pairing_id == pairing_id else link
            for link in links
        )


class Reference(NamedTuple):
    """What a message points at, as its reader sees it."""

    label: str
    url: str


@dataclass
class MessageRow:
    message: Message
    mine: bool
    is_new: bool
    reference: Reference | None


@dataclass
class ConversationPage:
    rows: list[MessageRow]
    # The oldest message shown, when older ones exist ("show earlier" asks for those before).
    earlier_than: object | None
    # The newest message shown (the poll asks for those after it); None: no message yet.
    newest: Message | None


def meeting_label(meeting: Meeting) -> str:
    """A meeting as a message names it: by its time (the reader's), or as proposed."""
    if meeting.starts_at is not None:
        when = written(meeting.starts_at, "weekday_date_time")
        if meeting.status == MeetingStatus.CANCELLED:
            return _("The meeting of %(when)s (cancelled)") % {"when": when}
        return _("The meeting of %(when)s") % {"when": when}
    return _("The meeting proposed on %(day)s") % {"day": written(meeting.created_at)}


def _reference(message: Message, pairing: Pairing) -> Reference | None:
    """What `message` points at, if both sides may still see it (a goal made private since,
    or moved to another program, is not shown; a meeting is always the pair's own)."""
    meeting = message.meeting
    if meeting is not None and meeting.pairing_id == pairing.pk:
        return Reference(
            meeting_label(meeting),
            reverse("mentorship:meeting_detail", args=[pairing.uuid, meeting.uuid]),
        )
    milestone = message.milestone
    goal = milestone.goal if milestone is not None else message.goal
    if goal is None or not shared_in_pairing(goal, pairing):
        return None
    url = reverse("goals:goal_detail", args=[goal.uuid])
    if milestone is not None:
        return Reference(
            _("Milestone “%(milestone)s” of “%(goal)s”")
            % {"milestone": milestone.title, "goal": goal.title},
            f"{url}#milestones",
        )
    return Reference(_("Goal “%(goal)s”") % {"goal": goal.title}, url)


def conversation_page(
    pairing: Pairing,
    *,
    viewer_or_user,
    before=None,
    after=None,
    limit: int = MESSAGES_PER_PAGE,
) -> ConversationPage:
    """A page of the pair's conversation, oldest first, in one query: the newest `limit`
    messages, or the `limit` before the message `before` (a UUID: "show earlier"), or every
    message after the message `after` (the poll). The other side's messages the viewer has
    not read yet (the viewer's facts count them; for the poll, all it finds) are marked
    new."""
    viewer = Viewer.of(viewer_or_user)
    messages = Message.objects.filter(pairing=pairing).select_related(
        "author", "goal", "milestone", "milestone__goal", "meeting"
    )
    pairing_messages = Message.objects.filter(pairing=pairing)
    if after is not None:
        anchor = pairing_messages.filter(uuid=after).values("id")[:1]
        found = list(messages.filter(id__gt=Subquery(anchor)).order_by("id")[: limit * 10])
        more = False
    else:
        if before is not None:
            anchor = pairing_messages.filter(uuid=before).values("id")[:1]
            messages = messages.filter(id__lt=Subquery(anchor))
        found = list(messages.order_by("-id")[: limit + 1])
        more = len(found) > limit
        found = found[:limit][::-1]
    unread = 0
    if after is not None:
        unread = len(found)  # the poll: whatever the other side wrote since is new
    elif before is None:
        unread = unread_messages_by_pairing(viewer).get(pairing.pk, 0)
    rows = []
    for message in reversed(found):
        mine = message.author_id is not None and message.author_id == viewer.pk
        is_new = unread > 0 and not mine and message.deleted_at is None
        if is_new:
            unread -= 1
        message.pairing = pairing
        rows.append(MessageRow(message, mine, is_new, _reference(message, pairing)))
    rows.reverse()
    return ConversationPage(
        rows=rows,
        earlier_than=found[0].uuid if more and found else None,
        newest=found[-1] if found and before is None else None,
    )


class ReferenceChoice(NamedTuple):
    goal_uuid: object
    goal_title: str
    milestones: list[tuple[object, str]]


def conversation_references(pairing: Pairing) -> list[ReferenceChoice]:
    """The goals and milestones a message of the pair may point at: the mentee's goals that
    both sides see (goals.policy.pairing_goals_q), not archived, with their milestones (not
    the weekly steps). One query."""
    rows = (
        Goal.objects.filter(pairing_goals_q(pairing), archived_at__isnull=True)
        .order_by("title", "pk", "milestones__position", "milestones__id")
        .values_list("uuid", "title", "milestones__uuid", "milestones__title", "milestones__kind")
    )
    choices: dict[object, ReferenceChoice] = {}
    for goal_uuid, title, milestone_uuid, milestone_title, kind in rows:
        choice = choices.setdefault(goal_uuid, ReferenceChoice(goal_uuid, title, []))
        if milestone_uuid is not None and kind == MilestoneKind.MILESTONE:
            choice.milestones.append((milestone_uuid, milestone_title))
    return list(choices.values())


# How many of the pair's meetings a message offers to point at (the latest).
MEETINGS_TO_REFER_TO = 6


def conversation_meetings(pairing: Pairing) -> list[Meeting]:
    """The pair's latest meetings, not cancelled, that a message may point at. One query."""
    return list(
        Meeting.objects.filter(pairing=pairing)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-created_at", "-id")[:MEETINGS_TO_REFER_TO]
    )


def conversation_reference(
    pairing: Pairing, value: str
) -> tuple[Goal | None, Milestone | None, Meeting | None]:
    """The goal, milestone or meeting named by a form's value ("goal:<uuid>",
    "milestone:<uuid>", "meeting:<uuid>"), if the pair may point at it; (None, None, None)
    otherwise. One query, none for no value."""
    kind, _sep, raw = (value or "").partition(":")
    try:
        wanted = uuid.UUID(raw)
    except ValueError:
        return None, None, None
    if kind == "meeting":
        meeting = Meeting.objects.filter(pairing=pairing, uuid=wanted).first()
        return None, None, meeting
    if kind == "goal":
        goal = Goal.objects.filter(pairing_goals_q(pairing), uuid=wanted).first()
        return goal, None, None
    if kind == "milestone":
        milestone = (
            Milestone.objects.filter(
                pairing_goals_q(pairing, prefix="goal__"),
                uuid=wanted,
                kind=MilestoneKind.MILESTONE,
            )
            .select_related("goal")
            .first()
        )
        return None, milestone, None
    return None, None, None


# --- Cohorts: ending one, starting the next -------------------------------------------------


@dataclass(frozen=True)
class CohortEndPreview:
    """What ending the cohort would do, counted before the admin confirms."""

    open_pairings: int
    mentor_requests: int
    invitations: int
    applications: int
    members: int


def cohort_end_preview(program: Program) -> CohortEndPreview:
    """The open pairings that ending the cohort closes, what waiting answer it withdraws, and
    how many members keep their history. One query (subqueries)."""
    count = IntegerField()

    def number(queryset):
        return Coalesce(_per_program(queryset, "program", Count("pk"), count), 0)

    row = (
        Program.objects.filter(pk=program.pk)
        .annotate(
            n_pairings=number(Pairing.objects.filter(status__in=OPEN_PAIRING_STATUSES)),
            n_requests=number(MentorRequest.objects.filter(status=MentorRequestStatus.PENDING)),
            n_invitations=number(
                Invitation.objects.filter(
                    accepted_at__isnull=True, declined_at__isnull=True, revoked_at__isnull=True
                )
            ),
            n_applications=number(Application.objects.filter(status=ApplicationStatus.PENDING)),
            n_members=number(Membership.objects.exclude(role=Role.ADMIN)),
        )
        .values("n_pairings", "n_requests", "n_invitations", "n_applications", "n_members")
        .get()
    )
    return CohortEndPreview(
        open_pairings=row["n_pairings"],
        mentor_requests=row["n_requests"],
        invitations=row["n_invitations"],
        applications=row["n_applications"],
        members=row["n_members"],
    )


@dataclass(frozen=True)
class NextCohortPreview:
    """Who "Start the next cohort" brings along: the old cohort's admins (made admins) and
    mentors (invited), and the short names already taken like the proposed one's."""

    admins: int
    mentors: int
    taken_slugs: frozenset


def next_cohort_preview(program: Program) -> NextCohortPreview:
    """Two queries: the old cohort's admins and mentors counted, and the short names that
    start like the program's own (to propose a free one)."""
    counts = Membership.objects.filter(program=program, user__is_active=True).aggregate(
        admins=Count("pk", filter=Q(role=Role.ADMIN)),
        mentors=Count("pk", filter=Q(role=Role.MENTOR)),
    )
    taken = Program.objects.filter(slug__startswith=program.slug[:50]).values_list(
        "slug", flat=True
    )
    return NextCohortPreview(
        admins=counts["admins"], mentors=counts["mentors"], taken_slugs=frozenset(taken)
    )


# --- Surveys ---------------------------------------------------------------------------------

# No aggregate is shown over fewer answers than this: one answer could be read off it.
SURVEY_MIN_ANSWERS = 3


def _mean(total, count: int) -> float | None:
    return round(total / count, 2) if count >= SURVEY_MIN_ANSWERS and total is not None else None


def survey_summary(*, program: Program, pairings: QuerySet[Pairing] | None = None) -> dict:
    """The program's survey answers as aggregates, for its admins: never one answer, and no
    figure over fewer than SURVEY_MIN_ANSWERS answers (None instead), counted after
    `pairings` (a queryset of the program's pairings: a cohort) narrows the set. One query.

    Returns {"pulse": K, "close_out": K}, each K a dict:
      count           int: answers of that kind (always given);
      match_score     float | None: mean of "How well is the match working for you?" (1-5);
      progress_score  float | None: mean of "How much is it helping you towards your goals?"
                      (1-5), over the answers that have one;
      nps             float | None: % promoters (9-10) minus % detractors (0-6) of the
                      answers to "recommend" (close-out; None for pulses);
      recommend_count int: answers with a recommendation score;
      goals_met       {"yes": n, "partly": n, "no": n} | None (close-out; None for pulses
                      or under the threshold);
      months          [(date of the month's first day, count, mean match score | None)],
                      oldest first, months with answers only; the mean is None for a month
                      of fewer than SURVEY_MIN_ANSWERS answers.
    Each figure needs SURVEY_MIN_ANSWERS answers of its own (a mean of progress scores counts
    the answers that gave one). Months are calendar months in UTC, by when the answer was
    first given.
    """
    return _survey_summary_of(list(_survey_rows(program, pairings)))


# The grouped figures of survey answers, per kind and month, besides the kind and count ("n").
_SURVEY_COLUMNS = (
    "year",
    "month",
    "match_sum",
    "progress_n",
    "progress_sum",
    "recommend_n",
    "promoters",
    "detractors",
    "goals_yes",
    "goals_partly",
    "goals_no",
)


def _survey_rows(program: Program, pairings: QuerySet[Pairing] | None = None) -> QuerySet:
    """The program's survey answers grouped by kind and calendar month (UTC)."""
    responses = SurveyResponse.objects.filter(pairing__program=program)
    if pairings is not None:
        responses = responses.filter(pairing__in=pairings.values("pk"))
    return (
        responses.values("kind", year=ExtractYear("created_at"), month=ExtractMonth("created_at"))
        .annotate(
            n=Count("pk"),
            match_sum=Sum("match_score"),
            progress_n=Count("progress_score"),
            progress_sum=Sum("progress_score"),
            recommend_n=Count("recommend"),
            promoters=Count("pk", filter=Q(recommend__gte=9)),
            detractors=Count("pk", filter=Q(recommend__lte=6)),
            goals_yes=Count("pk", filter=Q(goals_met="yes")),
            goals_partly=Count("pk", filter=Q(goals_met="partly")),
            goals_no=Count("pk", filter=Q(goals_met="no")),
        )
        .order_by()
    )


def _survey_summary_of(rows: list[dict]) -> dict:
    """survey_summary's answer from the grouped rows (any order)."""
    measures = ("n", *_SURVEY_COLUMNS[2:])
    totals = {kind: dict.fromkeys(measures, 0) for kind in SurveyKind.values}
    months: dict[str, list] = {kind: [] for kind in SurveyKind.values}
    for row in sorted(rows, key=lambda r: (int(r["year"]), int(r["month"]))):
        kind = row["kind"]
        if kind not in totals:
            continue
        for name in measures:
            totals[kind][name] += int(row[name] or 0)
        month = date(int(row["year"]), int(row["month"]), 1)
        n = int(row["n"])
        months[kind].append((month, n, _mean(int(row["match_sum"] or 0), n)))
    summary = {}
    for kind, t in totals.items():
        enough = t["n"] >= SURVEY_MIN_ANSWERS
        close_out = kind == SurveyKind.CLOSE_OUT
        nps = None
        if close_out and t["recommend_n"] >= SURVEY_MIN_ANSWERS:
            nps = round(100 * (t["promoters"] - t["detractors"]) / t["recommend_n"], 1)
        goals = {"yes": t["goals_yes"], "partly": t["goals_partly"], "no": t["goals_no"]}
        summary[kind] = {
            "count": t["n"],
            "match_score": _mean(t["match_sum"], t["n"]),
            "progress_score": _mean(t["progress_sum"], t["progress_n"]),
            "nps": nps,
            "recommend_count": t["recommend_n"],
            "goals_met": goals
            if close_out and enough and sum(goals.values()) >= SURVEY_MIN_ANSWERS
            else None,
            "months": months[kind],
        }
    return summary


@dataclass
class SurveyPrompt:
    """A survey open to the viewer on one of their pairings, for their dashboard."""

    pairing_uuid: uuid.UUID
    partner: str
    kind: str
    round: int


def open_surveys_for(viewer_or_user) -> list[SurveyPrompt]:
    """The surveys the viewer has yet to answer on their pairings (policy.open_survey): the
    latest pulse of each active pairing, the close-out of each pairing that ended within
    SURVEY_PROMPT_DAYS. One query: each pairing with the latest pulse round the viewer
    answered and whether they answered its close-out."""
    viewer = Viewer.of(viewer_or_user)
    ids = own_pairing_ids(viewer)
    if not ids:
        return []
    today = policy.survey_today(viewer.user)
    mine = SurveyResponse.objects.filter(pairing=OuterRef("pk"), author_id=viewer.pk)
    pairings = (
        Pairing.objects.filter(pk__in=ids, started_on__isnull=False)
        .filter(
            Q(status=PairingStatus.ACTIVE)
            | Q(
                status__in=(PairingStatus.COMPLETED, PairingStatus.ENDED),
                ended_on__gte=today - timedelta(days=SURVEY_PROMPT_DAYS),
            )
        )
        .annotate(
            pulse_answered=Subquery(
                mine.filter(kind=SurveyKind.PULSE).order_by("-round").values("round")[:1],
                output_field=IntegerField(),
            ),
            closed_out=Exists(mine.filter(kind=SurveyKind.CLOSE_OUT)),
        )
        .select_related("mentor", "mentee")
        .only(
            "uuid",
            "status",
            "started_on",
            "ended_on",
            "mentor__name",
            "mentor__email",
            "mentee__name",
            "mentee__email",
            "mentor_id",
            "mentee_id",
            "program_id",
        )
        .order_by("started_on", "pk")
    )
    prompts = []
    for pairing in pairings:
        survey = policy.open_survey(pairing, day=today)
        if survey is None:
            continue
        kind, round_ = survey
        if kind == SurveyKind.CLOSE_OUT and pairing.closed_out:
            continue
        if kind == SurveyKind.PULSE and (pairing.pulse_answered or 0) >= round_:
            continue
        partner = pairing.mentee_name if pairing.mentor_id == viewer.pk else pairing.mentor_name
        prompts.append(SurveyPrompt(pairing.uuid, partner, kind, round_))
    return prompts


# How long after a pairing ends its close-out survey is still shown on the dashboard.
SURVEY_PROMPT_DAYS = 60
