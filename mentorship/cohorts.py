"""A program's lifecycle as cohorts: ending one, and starting the next from it.

Ending closes every open pairing through `services.pairing_end` (so that everything an end
triggers, notices, meeting cancellation, the close-out survey, happens for each pair as for a
manual end), withdraws what still waits for an answer, and marks the program ended: it then
takes no new members, pairings, imports or goals (`services.refuse_if_ended`), and its pages
stay readable. The next cohort copies the old one's settings and templates, and invites its
mentors: nobody becomes a member without accepting.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.errors import Forbidden
from notifications.kinds import Kind
from notifications.services import notification_withdraw, notify

from . import services
from .models import (
    OPEN_PAIRING_STATUSES,
    PROGRAM_TEMPLATE_FIELDS,
    Application,
    ApplicationStatus,
    Invitation,
    Membership,
    MentorRequest,
    MentorRequestStatus,
    Pairing,
    Program,
    Role,
)

# What the pairs' records and notices say when their cohort ends (the admin may word it).
COHORT_ENDED_REASON = gettext_noop("The cohort ended")
# The settings a next cohort takes from the one before it (beside the templates).
COPIED_SETTINGS = (
    "description",
    "join_policy",
    "checkin_cadence_days",
    "stall_after_days",
    "max_active_goals",
    "mentees_choose",
    "request_expires_days",
    "meeting_rule",
    *PROGRAM_TEMPLATE_FIELDS,
)


@dataclass(frozen=True)
class CohortEnded:
    """What `program_end` did; all zeros and `already` when the program had ended before."""

    pairings: int = 0
    mentor_requests: int = 0
    invitations: int = 0
    applications: int = 0
    already: bool = False


def _refuse_non_admin(program: Program, by: User) -> None:
    if not Membership.objects.filter(program=program, user=by, role=Role.ADMIN).exists():
        raise Forbidden(_("Only the program's admins run its cohorts."))


def _lock_program(program: Program) -> Program:
    return Program.objects.select_for_update().get(pk=program.pk)


@transaction.atomic
def program_end(*, program: Program, by: User, reason: str = "") -> CohortEnded:
    """End the cohort, in one transaction.

    1. The program's row is locked: of two admins ending it at once, the second waits and
       then finds it ended, and nothing more happens (as for any second call).
    2. Every open pairing (proposed, active, paused) ends through `services.pairing_end`
       with `reason`: its record, both people's notices, its meetings to come called off,
       whatever else ending a pairing does.
    3. What waits for an answer is withdrawn: mentees' requests to mentors (both told),
       invitations not yet answered (their links stop working), applications waiting for
       approval (declined with the reason, the applicant told).
    4. The program is marked ended now, by `by`; its end date becomes today unless it was
       earlier already (never before its start).
    """
    reason = (reason or _(COHORT_ENDED_REASON)).strip()
    if len(reason) > 500:
        raise services.MentorshipError(_("Write at most 500 characters."), field="reason")
    _refuse_non_admin(program, by)
    locked = _lock_program(program)
    if locked.ended_at is not None:
        _copy_end(locked, program)
        return CohortEnded(already=True)
    pairings = list(
        Pairing.objects.filter(program=locked, status__in=OPEN_PAIRING_STATUSES)
        .select_related("program", "mentor", "mentee")
        .order_by("pk")
    )
    for pairing in pairings:
        services.pairing_end(pairing=pairing, by=by, reason=reason)
    requests = _withdraw_mentor_requests(locked, reason)
    invitations = _withdraw_invitations(locked)
    applications = _decline_applications(locked, by=by, reason=reason)
    now = timezone.now()
    today = timezone.localdate()
    locked.ended_at, locked.ended_by = now, by
    if locked.ends_on is None or locked.ends_on > today:
        locked.ends_on = max(today, locked.starts_on)
    locked.save(update_fields=["ended_at", "ended_by", "ends_on"])
    _copy_end(locked, program)
    return CohortEnded(
        pairings=len(pairings),
        mentor_requests=requests,
        invitations=invitations,
        applications=applications,
    )


def _copy_end(locked: Program, program: Program) -> None:
    program.ended_at, program.ended_by_id, program.ends_on = (
        locked.ended_at,
        locked.ended_by_id,
        locked.ends_on,
    )


def _withdraw_mentor_requests(program: Program, reason: str) -> int:
    waiting = list(
        MentorRequest.objects.select_for_update(of=("self",))
        .select_related("program", "mentee__user", "mentor__user")
        .filter(program=program, status=MentorRequestStatus.PENDING)
    )
    closed = 0
    for mentor_request in waiting:
        changed = MentorRequest.objects.filter(
            pk=mentor_request.pk, status=MentorRequestStatus.PENDING
        ).update(status=MentorRequestStatus.WITHDRAWN, decided_at=timezone.now())
        if not changed:
            continue
        closed += 1
        words = {"program": program.name, "mentor": mentor_request.mentor.user.display_name}
        notify(
            recipient=mentor_request.mentee.user,
            kind=Kind.MENTOR_REQUEST_ANSWERED,
            dedupe_key=f"mentor-request:{mentor_request.uuid}:answered",
            title=lambda: _("%(program)s ended; your request to %(mentor)s is withdrawn") % words,
            body=reason,
            url=reverse("mentorship:my_pairings"),
        )
        # The mentor's notice goes while unread; once delivered, the page says withdrawn.
        notification_withdraw(dedupe_key=f"mentor-request:{mentor_request.uuid}:received")
    return closed


def _withdraw_invitations(program: Program) -> int:
    waiting = list(
        Invitation.objects.filter(
            program=program,
            accepted_at__isnull=True,
            declined_at__isnull=True,
            revoked_at__isnull=True,
        ).values_list("pk", "uuid")
    )
    Invitation.objects.filter(pk__in=[pk for pk, _uuid in waiting]).update(
        revoked_at=timezone.now()
    )
    for _pk, uuid in waiting:
        notification_withdraw(dedupe_key=f"invitation:{uuid}")
    return len(waiting)


def _decline_applications(program: Program, *, by: User, reason: str) -> int:
    waiting = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(program=program, status=ApplicationStatus.PENDING)
    )
    now = timezone.now()
    for application in waiting:
        Application.objects.filter(pk=application.pk).update(
            status=ApplicationStatus.DECLINED, decided_by=by, decided_at=now, decline_reason=reason
        )
        words = {"program": program.name, "role": str(Role(application.role).label).lower()}
        notify(
            recipient=application.user,
            kind=Kind.APPLICATION_DECIDED,
            dedupe_key=f"application:{application.uuid}:decided",
            title=lambda: _("%(program)s ended before your application was decided") % words,
            body=reason,
            url=reverse("mentorship:join_list"),
            payload={"decision": "declined", "reason": reason, **words},
        )
    return len(waiting)


# --- The next cohort ----------------------------------------------------------------------


@dataclass(frozen=True)
class NextCohort:
    program: Program
    admins: int
    mentors_invited: int


def _invitation_message(old: Program, by: User) -> str:
    return _(
        "You mentored in %(old)s. %(name)s starts its next cohort and would be glad to have "
        "you again: accept to mentor in it, with the capacity and skills you had (you can "
        "change them), or decline."
    ) % {"old": old.name, "name": by.display_name}


@transaction.atomic
def program_start_next(
    *,
    program: Program,
    by: User,
    name: str,
    slug: str,
    starts_on: date,
    ends_on: date | None = None,
) -> NextCohort:
    """Start the cohort after `program`.

    1. A new program, linked to it (`previous_cohort`), with its settings (join policy,
       cadence, stall days, focus limit, choice, meeting rule, description), its agreement
       template and its choice of goal templates; checked as any program (dates in order, a
       unique short name). A cohort has one next cohort: a second start is refused.
    2. `by` and the old program's other admins run the new one (told in the inbox).
    3. The old cohort's mentors are invited to the new one (the invitation e-mail, with
       their capacity, skills and interests filled in for when they accept); mentees are
       not carried over. Nobody becomes a mentor of it without accepting.
    """
    _refuse_non_admin(program, by)
    old = _lock_program(program)
    if Program.objects.filter(previous_cohort=old).exists():
        raise services.MentorshipConflict(
            _("%(program)s has a next cohort already.") % {"program": old.name}
        )
    new = Program(
        name=name,
        slug=slug,
        starts_on=starts_on,
        ends_on=ends_on,
        is_active=True,
        previous_cohort=old,
        **{field: getattr(old, field) for field in COPIED_SETTINGS},
    )
    new.goal_template_keys = list(old.goal_template_keys or [])
    services._validate(new, exclude=["uuid", "previous_cohort", "ended_by"], unique=True)
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError as error:
        raise services.MentorshipConflict(
            _("%(program)s has a next cohort already.") % {"program": old.name}
        ) from error
    admin_ids = [by.pk] + list(
        Membership.objects.filter(program=old, role=Role.ADMIN, user__is_active=True)
        .exclude(user=by)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    Membership.objects.bulk_create(
        [Membership(program=new, user_id=pk, role=Role.ADMIN) for pk in admin_ids]
    )
    for admin in User.objects.filter(pk__in=admin_ids[1:]).order_by("pk"):
        notify(
            recipient=admin,
            kind=Kind.PAIRING_CHANGED,
            dedupe_key=f"next-cohort:{new.uuid}:admin:{admin.pk}",
            title=lambda: (
                _("%(name)s started %(new)s, the next cohort of %(old)s; you run it too")
                % {"name": by.display_name, "new": new.name, "old": old.name}
            ),
            url=reverse("mentorship:program_dashboard", args=[new.uuid]),
            send_email=False,
        )
    mentors = list(
        Membership.objects.filter(program=old, role=Role.MENTOR, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    message = _invitation_message(old, by)
    for membership in mentors:
        services.invitation_create(
            program=new,
            email=membership.user.email,
            role=Role.MENTOR,
            invited_by=by,
            name=membership.user.name,
            message=message,
            capacity=membership.capacity,
            skills=membership.skills,
            interests=membership.interests,
        )
    return NextCohort(program=new, admins=len(admin_ids), mentors_invited=len(mentors))


def next_cohort_initial(program: Program, *, taken_slugs: set[str]) -> dict:
    """What the "Start the next cohort" form proposes: the same name, a free short name, the
    day after the old cohort's end (today if later, or when it has none) and as long a run."""
    today = timezone.localdate()
    starts = max(program.ends_on + timedelta(days=1), today) if program.ends_on else today
    ends = None
    if program.ends_on:
        ends = starts + (program.ends_on - program.starts_on)
    base = f"{program.slug}-{starts.year}"[:56]
    slug, n = base, 2
    while slug in taken_slugs:
        slug, n = f"{base}-{n}", n + 1
    return {"name": program.name, "slug": slug, "starts_on": starts, "ends_on": ends}
