"""Reads of the mentoring domain that pages share; each makes a fixed number of queries."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from goals.models import Category, Goal

from .models import (
    OPEN_PAIRING_STATUSES,
    CheckIn,
    Invitation,
    Membership,
    MentorshipFeedback,
    Pairing,
    PairingEvent,
    PairingStatus,
    Program,
    Role,
    split_tags,
)


def programs_for_admin(user: User) -> QuerySet[Program]:
    """The programs `user` runs, with their numbers of mentors, mentees and open pairings
    (subqueries: joining both memberships and pairings would multiply rows)."""
    count = IntegerField()
    members = Membership.objects.all()
    return (
        Program.objects.filter(
            Exists(Membership.objects.filter(program=OuterRef("pk"), user=user, role=Role.ADMIN))
        )
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


def unpaired_mentees(program: Program) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(program=program, role=Role.MENTEE)
        .annotate(is_paired=_has_open_pairing(program))
        .filter(is_paired=False)
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


@dataclass
class ProgramDashboard:
    program: Program
    role_counts: dict[str, int]
    pairings_by_status: dict[str, int]
    active_pairings: list[Pairing]
    unpaired: list[Membership]
    at_capacity: list[Membership]
    stalled: list[Pairing]
    feedback: dict
    pending_invitations: int
    # Goal health joins the dashboard here once the goals app provides it.
    goal_health: object = None


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


def program_stats(program: Program) -> dict:
    """Members by role, pairings by status, open invitations and the feedback aggregates,
    in one query (a subquery each)."""
    count, average = IntegerField(), FloatField()
    members = Membership.objects.all()
    pairings = Pairing.objects.all()
    feedback = MentorshipFeedback.objects.all()
    by_mentor = Q(author=F("pairing__mentor"))
    by_mentee = Q(author=F("pairing__mentee"))
    columns = {
        **{
            f"role_{role}": Coalesce(
                _per_program(members.filter(role=role), "program", Count("pk"), count), 0
            )
            for role in Role.values
        },
        **{
            f"status_{status}": Coalesce(
                _per_program(pairings.filter(status=status), "program", Count("pk"), count), 0
            )
            for status in PairingStatus.values
        },
        "pending_invitations": Coalesce(
            _per_program(
                Invitation.objects.filter(
                    accepted_at__isnull=True,
                    revoked_at__isnull=True,
                    expires_at__gt=timezone.now(),
                ),
                "program",
                Count("pk"),
                count,
            ),
            0,
        ),
        "feedback_count": Coalesce(
            _per_program(feedback, "pairing__program", Count("pk"), count), 0
        ),
        "feedback_average": _per_program(feedback, "pairing__program", Avg("rating"), average),
        "feedback_mentor_count": Coalesce(
            _per_program(feedback.filter(by_mentor), "pairing__program", Count("pk"), count), 0
        ),
        "feedback_mentor_average": _per_program(
            feedback.filter(by_mentor), "pairing__program", Avg("rating"), average
        ),
        "feedback_mentee_count": Coalesce(
            _per_program(feedback.filter(by_mentee), "pairing__program", Count("pk"), count), 0
        ),
        "feedback_mentee_average": _per_program(
            feedback.filter(by_mentee), "pairing__program", Avg("rating"), average
        ),
    }
    return Program.objects.filter(pk=program.pk).annotate(**columns).values(*columns).get()


def program_dashboard(program: Program, *, today: date | None = None) -> ProgramDashboard:
    """Everything the program dashboard shows, in four queries whatever the program's size:
    the counts, the open pairings (stalled ones are picked from them), the mentors with their
    load, and the unpaired mentees."""
    today = today or timezone.localdate()
    stats = program_stats(program)
    open_pairings = list(
        Pairing.objects.filter(program=program, status__in=OPEN_PAIRING_STATUSES)
        .select_related("mentor", "mentee")
        .order_by("mentor__name", "mentee__name")
    )
    cutoff = today - timedelta(days=program.stall_after_days)
    stalled = sorted(
        (
            p
            for p in open_pairings
            if p.status == PairingStatus.ACTIVE
            and (p.last_checkin_on or p.started_on) is not None
            and (p.last_checkin_on or p.started_on) <= cutoff
        ),
        key=lambda p: p.last_checkin_on or p.started_on,
    )
    at_capacity = [
        m
        for m in mentors_with_load(program).order_by("user__name")
        if m.open_pairings >= m.capacity
    ]
    prefix = "feedback_"
    return ProgramDashboard(
        program=program,
        role_counts={role: stats[f"role_{role}"] for role in Role.values},
        pairings_by_status={status: stats[f"status_{status}"] for status in PairingStatus.values},
        active_pairings=open_pairings,
        unpaired=list(unpaired_mentees(program)),
        at_capacity=at_capacity,
        stalled=stalled,
        feedback={
            ("count" if k == "feedback_count" else k.removeprefix(prefix)): v
            for k, v in stats.items()
            if k.startswith(prefix)
        },
        pending_invitations=stats["pending_invitations"],
    )


def feedback_summary(program: Program) -> dict:
    """Aggregates only: the admin sees how pairs rate their mentorship, not who said what."""
    return MentorshipFeedback.objects.filter(pairing__program=program).aggregate(
        count=Count("pk"),
        average=Avg("rating"),
        mentor_count=Count("pk", filter=Q(author=F("pairing__mentor"))),
        mentor_average=Avg("rating", filter=Q(author=F("pairing__mentor"))),
        mentee_count=Count("pk", filter=Q(author=F("pairing__mentee"))),
        mentee_average=Avg("rating", filter=Q(author=F("pairing__mentee"))),
    )


def member_list(
    program: Program, *, query: str = "", role: str = "", paired: str = ""
) -> QuerySet[Membership]:
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
    return members


def pending_invitations(program: Program) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        program=program, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def pairings_export_rows(program: Program):
    """Rows for the pairings CSV: one per pairing, with its last check-in date."""
    last_checkin = Subquery(
        CheckIn.objects.filter(pairing=OuterRef("pk"))
        .order_by("-occurred_on")
        .values("occurred_on")[:1]
    )
    return (
        Pairing.objects.filter(program=program)
        .select_related("mentor", "mentee")
        .annotate(last_checkin=Coalesce(last_checkin, "last_checkin_on"))
        .order_by("status", "mentor__email", "mentee__email")
    )


def pairings_for_user(user: User) -> QuerySet[Pairing]:
    """'My mentorships': the pairings where the user is the mentor or the mentee."""
    return (
        Pairing.objects.filter(Q(mentor=user) | Q(mentee=user))
        .select_related("program", "mentor", "mentee", "agreement")
        .order_by("-created_at")
    )


@dataclass
class PairingPage:
    pairing: Pairing
    role: str
    checkins: list[CheckIn]
    events: list[PairingEvent]
    feedback: list[MentorshipFeedback]
    feedback_summary: dict | None
    history: list[Pairing] = field(default_factory=list)


def pairing_page(pairing: Pairing, *, role: str, viewer: User, limit: int = 50) -> PairingPage:
    """What the pairing page shows to `viewer` in `role`; fixed queries, newest first, capped
    at `limit` meetings and events."""
    checkins = list(CheckIn.objects.filter(pairing=pairing).select_related("logged_by")[:limit])
    events = list(PairingEvent.objects.filter(pairing=pairing).select_related("actor")[:limit])
    feedback: list = []
    summary = None
    if role == "admin":
        summary = MentorshipFeedback.objects.filter(pairing=pairing).aggregate(
            count=Count("pk"), average=Avg("rating")
        )
    else:
        # Your own entries, and the other side's only if they chose to share them.
        feedback = list(
            MentorshipFeedback.objects.filter(pairing=pairing)
            .filter(Q(author=viewer) | Q(shared_with_partner=True))
            .select_related("author")
        )
    history = list(
        Pairing.objects.filter(program=pairing.program_id, mentee=pairing.mentee_id)
        .exclude(pk=pairing.pk)
        .select_related("mentor")
        .order_by("-created_at")[:limit]
    )
    return PairingPage(pairing, role, checkins, events, feedback, summary, history)


# --- Matching -------------------------------------------------------------------------------


@dataclass
class Suggestion:
    membership: Membership
    score: float
    shared: list[str]
    remaining: int
    hours_apart: float
    reasons: list[str]

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


def mentee_match_terms(mentee_membership: Membership) -> list[str]:
    """The mentee's interests and the categories of their goals, lower-case."""
    terms = list(mentee_membership.interest_list)
    labels = dict(Category.choices)
    categories = (
        Goal.objects.filter(mentee=mentee_membership.user_id)
        .values_list("category", flat=True)
        .distinct()
    )
    for category in categories:
        label = str(labels.get(category, category)).lower()
        if category != "other" and label not in terms:
            terms.append(label)
    return terms


def mentor_suggestions(program: Program, mentee_membership: Membership) -> list[Suggestion]:
    """Mentors of the program ranked for one mentee.

    1. Overlap: the mentee's interests and goal categories that appear among the mentor's
       skills or interests; each shared term weighs most.
    2. Remaining capacity: a mentor with free places ranks above a busy one; a full mentor
       is listed last and cannot be chosen.
    3. Time zones: every hour between their clocks costs a little.
    """
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    wanted = mentee_match_terms(mentee_membership)
    mentee_tz = mentee_membership.user.timezone
    now = timezone.now()
    suggestions = []
    for membership in mentors_with_load(program).exclude(user=mentee_membership.user_id):
        offered = set(split_tags(membership.skills)) | set(split_tags(membership.interests))
        shared = [term for term in wanted if term in offered]
        remaining = max(membership.capacity - membership.open_pairings, 0)
        hours = timezone_distance_hours(mentee_tz, membership.user.timezone, at=now)
        score = 10 * len(shared) + 2 * min(remaining, 3) - 0.5 * hours
        reasons = []
        if shared:
            reasons.append(_("Shares: %(terms)s") % {"terms": ", ".join(shared)})
        else:
            reasons.append(_("No shared skills or interests"))
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
        suggestions.append(Suggestion(membership, score, shared, remaining, hours, reasons))
    suggestions.sort(key=lambda s: (not s.can_pair, -s.score, s.membership.user.email))
    return suggestions


def mentee_membership_for_match(program: Program, membership_uuid) -> Membership | None:
    return (
        Membership.objects.filter(program=program, uuid=membership_uuid, role=Role.MENTEE)
        .select_related("user")
        .first()
    )


# --- The request's viewer -------------------------------------------------------------------


class PairingLink(NamedTuple):
    """One pairing seen from one side: the other person, in which program, in which status."""

    pairing_id: int
    program_id: int
    other_id: int
    status: str


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
    - as_mentor / as_mentee: PairingLink rows, every status.
    """
    membership = Membership._meta.db_table
    program = Program._meta.db_table
    pairing = Pairing._meta.db_table
    # Table names come from the models, the values are parameters.
    sql = (
        f"SELECT 0, m.program_id, m.role, NULL, NULL, p.is_active FROM {membership} m "  # noqa: S608
        f"JOIN {program} p ON p.id = m.program_id WHERE m.user_id = %s "
        f"UNION ALL SELECT 1, program_id, status, mentee_id, id, NULL FROM {pairing} "
        "WHERE mentor_id = %s "
        f"UNION ALL SELECT 2, program_id, status, mentor_id, id, NULL FROM {pairing} "
        "WHERE mentee_id = %s"
    )
    roles, admin_of, member_of, as_mentor, as_mentee = set(), set(), set(), [], []
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk, user.pk])
        rows = cursor.fetchall()
    for kind, program_id, label, other_id, pairing_id, active in rows:
        if kind == 0:
            member_of.add(program_id)
            if label == Role.ADMIN:
                admin_of.add(program_id)
            if active:
                roles.add(label)
        else:
            link = PairingLink(pairing_id, program_id, other_id, label)
            (as_mentor if kind == 1 else as_mentee).append(link)
    return {
        "roles": frozenset(roles),
        "admin_program_ids": frozenset(admin_of),
        "member_program_ids": frozenset(member_of),
        "as_mentor": tuple(as_mentor),
        "as_mentee": tuple(as_mentee),
    }
