"""Who may see and change what in the mentoring domain: the one access policy every view, the
API and the tasks use.

Someone outside an object's relationships gets 404 (they may not know it exists); someone who
may see it but not change it gets 403.

- A program's pages belong to its admins. Its mentors and mentees know the program exists,
  so they get 403; everyone else 404.
- A pairing is seen by its mentor, its mentee and the admins of its program. The mentor and
  the mentee change an open pairing (agreement, check-ins); a closed pairing is read-only to
  them. They rate it once it has started (not while it is only proposed), also after it
  ends. Admins change its status (pause, end, reassign) but do not log the pair's meetings or
  accept their agreement.
- Each side answers its own surveys on the pairing (`open_survey`: a pulse on day 30 and
  every 60 days while it is active, a close-out once it has ended). An answer is read by its
  author, and by the other side once the author shared it; never by the program's admins,
  shared or not: they see answers only as aggregates of three or more
  (selectors.survey_summary).

- A program open to applications (open, or open with approval, and active) is seen by
  everyone signed in, on its join page; an invite-only one is never shown there, to anyone
  (404). An application is its applicant's (withdraw) and its program admins' (approve,
  decline: 403 for the program's other members, 404 for everyone else).
- A membership's first-steps checklist and a mentor's own capacity page are the member's
  own: 404 for everyone else.

- An invitation is bound to its address: only an account on which that address is verified
  may accept or decline it (`invitation_bound_to`).

- A person's profile is seen by the person, by anyone in a pairing with them (open or past,
  either side), by the admins of their programs and, while matching, by the candidates shown
  to each other (`candidates_shown_to_each_other`); everyone else gets 404
  (`profile_visible`, `person_for_profile`).

Every rule reads the viewer (core.viewer): an object check costs the object's own row and
nothing else once the viewer's facts are loaded (one query per request), and a list filter
is a plain `IN (ids)` over those facts. Each function takes a viewer or a user.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date

from allauth.account.models import EmailAddress
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.access import require, require_found
from core.viewer import Viewer

from .models import (
    JOINABLE_POLICIES,
    ActionItem,
    AgendaItem,
    Application,
    CheckIn,
    ImportRun,
    Meeting,
    Membership,
    MentorRequest,
    MentorRequestStatus,
    Message,
    Pairing,
    PairingStatus,
    Program,
    Role,
    SurveyKind,
    SurveyResponse,
    survey_pulse_round_on,
)

MENTOR = "mentor"
MENTEE = "mentee"
ADMIN = "admin"


def get_program_for_admin(viewer_or_user, program_uuid) -> Program:
    """The program, if the viewer is one of its admins; 403 for its other members, 404 for
    everyone else. One query: the program's row."""
    viewer = Viewer.of(viewer_or_user)
    require_found(viewer.is_authenticated and program_uuid is not None)
    program = programs_with_cohort_links().filter(uuid=program_uuid).first()
    require_found(program is not None and program.pk in viewer.member_program_ids)
    require(program.pk in viewer.admin_program_ids)
    return program


def programs_with_cohort_links():
    """Programs with the id, UUID and name of the cohort before and after each (the program
    pages' "Previous cohort" / "Next cohort" links), read in the program's own query."""
    following = Program.objects.filter(previous_cohort=OuterRef("pk"))
    return Program.objects.annotate(
        previous_cohort_uuid=F("previous_cohort__uuid"),
        previous_cohort_name=F("previous_cohort__name"),
        next_cohort_id=Subquery(following.values("pk")[:1]),
        next_cohort_uuid=Subquery(following.values("uuid")[:1]),
        next_cohort_name=Subquery(following.values("name")[:1]),
    )


def get_import_run_for_admin(viewer_or_user, program_uuid, run_uuid) -> ImportRun:
    """A CSV import run, to the admins of its program only; 404 for everyone else (the
    program's other members included: a run names the people it imported). One query."""
    viewer = Viewer.of(viewer_or_user)
    require_found(viewer.is_authenticated and program_uuid is not None and run_uuid is not None)
    run = (
        ImportRun.objects.select_related("program")
        .defer("batches")
        .filter(uuid=run_uuid, program__uuid=program_uuid)
        .first()
    )
    require_found(run is not None and run.program_id in viewer.admin_program_ids)
    return run


def get_joinable_program(viewer_or_user, program_uuid) -> Program:
    """A program the viewer may apply to: active, open or open with approval. 404 for an
    invite-only or inactive one, whoever asks (its members included): it takes no
    applications, and a stranger may not learn that it exists. One query."""
    viewer = Viewer.of(viewer_or_user)
    require_found(viewer.is_authenticated and program_uuid is not None)
    program = Program.objects.filter(
        uuid=program_uuid,
        is_active=True,
        ended_at__isnull=True,
        join_policy__in=JOINABLE_POLICIES,
    ).first()
    require_found(program is not None)
    return program


def get_application_for_admin(viewer_or_user, program_uuid, application_uuid) -> Application:
    """An application to a program the viewer runs, with its applicant. 403 for the program's
    other members (as on every program page), 404 for everyone else and for an application
    to another program. Two queries: the program's row and the application's."""
    program = get_program_for_admin(viewer_or_user, program_uuid)
    application = (
        Application.objects.select_related("user", "decided_by")
        .filter(uuid=application_uuid, program=program)
        .first()
        if application_uuid is not None
        else None
    )
    require_found(application is not None)
    application.program = program
    return application


def get_own_application(viewer_or_user, application_uuid) -> Application:
    """One of the viewer's own applications; 404 for anyone else's. One query."""
    viewer = Viewer.of(viewer_or_user)
    require_found(viewer.is_authenticated and application_uuid is not None)
    application = (
        Application.objects.select_related("program")
        .filter(uuid=application_uuid, user_id=viewer.pk)
        .first()
    )
    require_found(application is not None)
    return application


def get_own_membership(viewer_or_user, membership_uuid, *, role: str | None = None) -> Membership:
    """One of the viewer's own memberships (in `role`, when given); 404 for anyone else's,
    the program's admins included: a checklist and one's own capacity are the member's
    business (admins correct a member on the member's page). One query."""
    viewer = Viewer.of(viewer_or_user)
    require_found(viewer.is_authenticated and membership_uuid is not None)
    memberships = Membership.objects.select_related("program").filter(
        uuid=membership_uuid, user_id=viewer.pk
    )
    if role is not None:
        memberships = memberships.filter(role=role)
    membership = memberships.first()
    require_found(membership is not None)
    return membership


def invitation_bound_to(viewer_or_user, invitation) -> bool:
    """Whether the viewer may answer `invitation`: their account has its address, verified.
    One query (allauth's e-mail addresses); the link alone proves nothing, since a forwarded
    or leaked link reaches other people."""
    viewer = Viewer.of(viewer_or_user)
    if not viewer.is_authenticated:
        return False
    return EmailAddress.objects.filter(
        user_id=viewer.pk, email__iexact=invitation.email, verified=True
    ).exists()


def can_create_program(viewer_or_user) -> bool:
    """Staff, and people who already run a program, may start another."""
    viewer = Viewer.of(viewer_or_user)
    if not viewer.is_authenticated:
        return False
    return viewer.user.is_staff or bool(viewer.admin_program_ids)


@dataclass(frozen=True)
class PairingAccess:
    pairing: Pairing
    role: str  # "mentor", "mentee" or "admin"

    @property
    def is_participant(self) -> bool:
        return self.role in (MENTOR, MENTEE)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def can_participate(self) -> bool:
        """Log check-ins, edit and accept the agreement: the pair, while it is open."""
        return self.is_participant and self.pairing.is_open

    @property
    def can_answer_surveys(self) -> bool:
        """Surveys are answered (and answers corrected) once the pairing has started, also
        after it ends; a proposed pairing (or one ended before it started) has nothing to
        rate yet."""
        return self.is_participant and pairing_has_started(self.pairing)

    @property
    def can_manage(self) -> bool:
        """Pause, resume, complete, end and reassign: the program's admins."""
        return self.is_admin


def pairing_has_started(pairing) -> bool:
    if pairing.status == "proposed":
        return False
    return pairing.started_on is not None or pairing.status in ("active", "paused")


def pairing_role(viewer_or_user, pairing) -> str | None:
    """ "mentor", "mentee" or "admin" (either side first), None for anyone else. `pairing` is
    anything with mentor_id, mentee_id and program_id (a Pairing, a PairingLink)."""
    viewer = Viewer.of(viewer_or_user)
    if not viewer.is_authenticated:
        return None
    if pairing.mentor_id == viewer.pk:
        return MENTOR
    if pairing.mentee_id == viewer.pk:
        return MENTEE
    if pairing.program_id in viewer.admin_program_ids:
        return ADMIN
    return None


def pairing_access(viewer_or_user, pairing_uuid) -> PairingAccess:
    """The pairing (with its program, people and agreement) and the viewer's role in it;
    404 for anyone who is neither side of it nor an admin of its program. One query: the
    pairing's row."""
    viewer = Viewer.of(viewer_or_user)
    require_found(viewer.is_authenticated and pairing_uuid is not None)
    pairing = (
        Pairing.objects.select_related("program", "mentor__profile", "mentee__profile", "agreement")
        .filter(uuid=pairing_uuid)
        .first()
    )
    role = pairing_role(viewer, pairing) if pairing is not None else None
    require_found(role is not None)
    return PairingAccess(pairing, role)


def get_pairing_for_user(viewer_or_user, pairing_uuid) -> tuple[Pairing, str]:
    """The pairing and the viewer's role in it ("mentor", "mentee" or "admin")."""
    access = pairing_access(viewer_or_user, pairing_uuid)
    return access.pairing, access.role


def own_pairing_ids(viewer_or_user) -> list[int]:
    """The pairings the viewer is either side of, any status."""
    viewer = Viewer.of(viewer_or_user)
    if not viewer.is_authenticated:
        return []
    return [link.pairing_id for link in (*viewer.as_mentor, *viewer.as_mentee)]


def pairings_visible_q(viewer_or_user, *, via: str = "") -> Q:
    """The list form of pairing_access: pairings whose mentor or mentee the viewer is, and
    those of the programs they run. `via` is the path from the listed model to its pairing
    ("pairing" for check-ins); empty for pairings themselves."""
    viewer = Viewer.of(viewer_or_user)
    pk = f"{via}_id" if via else "pk"
    if not viewer.is_authenticated:
        return Q(**{f"{pk}__in": []})
    program = f"{via}__program_id" if via else "program_id"
    return Q(**{f"{pk}__in": own_pairing_ids(viewer)}) | Q(
        **{f"{program}__in": sorted(viewer.admin_program_ids)}
    )


def _of_pairing(queryset, access, object_uuid):
    """The object of `queryset` with this UUID that belongs to the pairing of `access`, with
    its pairing attached (no query more for it); 404 for a missing UUID or another pairing's
    object. One query."""
    found = (
        queryset.filter(uuid=object_uuid, pairing=access.pairing).first()
        if object_uuid is not None
        else None
    )
    require_found(found is not None)
    found.pairing = access.pairing
    return found


def checkin_for_author(viewer_or_user, pairing_uuid, checkin_uuid):
    """A check-in of the pairing, to be edited or deleted by the one who logged it, while the
    pairing is open. 404 for anyone outside the pairing and for a check-in of another
    pairing; 403 for the other side of the pair and the program's admins (they see that the
    meeting took place), and for the author once the pairing is closed (read-only). Two
    queries: the pairing's row and the check-in's."""
    access = pairing_access(viewer_or_user, pairing_uuid)
    checkin = _of_pairing(CheckIn.objects, access, checkin_uuid)
    require(access.can_participate and checkin.logged_by_id == Viewer.of(viewer_or_user).pk)
    return access, checkin


def survey_today(user) -> date:
    """The day it is for `user`, in their own time zone: their day 30 opens the pulse."""
    try:
        zone = zoneinfo.ZoneInfo(getattr(user, "timezone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.now().astimezone(zone).date()


def open_survey(pairing, *, day: date) -> tuple[str, int] | None:
    """The survey the pair of `pairing` is asked on `day`, as (kind, round), or None: the
    close-out once a pairing that had started has ended (every way a pairing closes), the
    latest pulse round while it is active (not while it is paused or only proposed)."""
    if pairing.started_on is None:
        return None
    if pairing.status in (PairingStatus.COMPLETED, PairingStatus.ENDED):
        return (SurveyKind.CLOSE_OUT.value, 0)
    if pairing.status == PairingStatus.ACTIVE:
        round_ = survey_pulse_round_on(pairing.started_on, day)
        if round_:
            return (SurveyKind.PULSE.value, round_)
    return None


def survey_visible(access: PairingAccess, response, viewer_pk) -> bool:
    """A survey answer is read by its author, and by the other side of the pair once shared;
    the program's admins never read one (shared means shared with the partner): they see
    answers only as aggregates."""
    if response.author_id == viewer_pk:
        return True
    return access.is_participant and response.shared


def survey_to_answer(viewer_or_user, pairing_uuid, kind: str, round_: int) -> PairingAccess:
    """The pairing whose survey (kind, round) the viewer is to answer now. 404 for anyone
    outside the pairing and for a survey that is not open (a round to come, or past); 403 for
    the program's admins (they answer nothing). One query: the pairing's row."""
    viewer = Viewer.of(viewer_or_user)
    access = pairing_access(viewer, pairing_uuid)
    require(access.can_answer_surveys)
    require_found(open_survey(access.pairing, day=survey_today(viewer.user)) == (kind, round_))
    return access


def survey_response_for_author(viewer_or_user, pairing_uuid, response_uuid):
    """A survey answer, to be corrected, shared, unshared or deleted by its author (at any
    time: close-outs are answered after the pairing ends). 404 for anyone who may not read
    it (strangers, the program's admins, the other side while it is private); 403 for the
    other side once it is shared. Two queries: the pairing's row and the answer's."""
    viewer = Viewer.of(viewer_or_user)
    access = pairing_access(viewer, pairing_uuid)
    response = _of_pairing(SurveyResponse.objects, access, response_uuid)
    require_found(survey_visible(access, response, viewer.pk))
    require(access.can_answer_surveys and response.author_id == viewer.pk)
    return access, response


# --- Profiles -------------------------------------------------------------------------------


def paired_person_ids(viewer_or_user) -> frozenset[int]:
    """The people the viewer is or was paired with, either side, any status (from the
    viewer's facts: no query once they are loaded)."""
    viewer = Viewer.of(viewer_or_user)
    if not viewer.is_authenticated:
        return frozenset()
    return frozenset(
        link.other_id
        for link in (*viewer.as_mentor, *viewer.as_mentee)
        if link.other_id is not None
    )


def candidates_shown_to_each_other(viewer_or_user, person) -> bool:
    """While matching, the people a match suggestion shows to each other see each other's
    profiles: a mentee choosing her mentor sees the mentors of the program she chooses in
    (those she may be suggested), and a mentor sees the mentee who asked him while the request
    waits. (An admin's match page is covered by the admin rule.) Queries only for a viewer
    who could be either (two at most)."""
    viewer = Viewer.of(viewer_or_user)
    if not viewer.is_authenticated or person is None:
        return False
    asked_me = MentorRequest.objects.filter(
        mentor__user_id=viewer.pk, mentee__user_id=person.pk, status=MentorRequestStatus.PENDING
    )
    choosing_among = Membership.objects.filter(
        user_id=person.pk,
        role=Role.MENTOR,
        program__mentees_choose=True,
        program__is_active=True,
        program__memberships__user_id=viewer.pk,
        program__memberships__role=Role.MENTEE,
    )
    return asked_me.exists() or choosing_among.exists()


def profile_visible(viewer_or_user, person) -> bool:
    """Whether the viewer may see `person`'s profile: themselves, anyone paired with them
    (open or past), the admins of their programs, and match candidates shown to each other.
    No query when `person` comes from person_for_profile (its admin fact is annotated);
    one otherwise, and only for a viewer who runs a program."""
    viewer = Viewer.of(viewer_or_user)
    if not viewer.is_authenticated or person is None:
        return False
    if person.pk == viewer.pk or person.pk in paired_person_ids(viewer):
        return True
    if viewer.admin_program_ids:
        in_admin_program = getattr(person, "in_viewer_admin_program", None)
        if in_admin_program is None:
            in_admin_program = Membership.objects.filter(
                user_id=person.pk, program_id__in=sorted(viewer.admin_program_ids)
            ).exists()
        if in_admin_program:
            return True
    return candidates_shown_to_each_other(viewer, person)


def person_for_profile(viewer_or_user, user_uuid) -> User:
    """The person (with their profile) whose page the viewer asks for; 404 unless
    profile_visible. One query: the person's row, with whether they belong to a program the
    viewer runs."""
    viewer = Viewer.of(viewer_or_user)
    require_found(viewer.is_authenticated and user_uuid is not None)
    people = User.objects.filter(uuid=user_uuid, is_active=True).select_related("profile")
    if viewer.admin_program_ids:
        people = people.annotate(
            in_viewer_admin_program=Exists(
                Membership.objects.filter(
                    user_id=OuterRef("pk"), program_id__in=sorted(viewer.admin_program_ids)
                )
            )
        )
    person = people.first()
    require_found(person is not None and profile_visible(viewer, person))
    return person


# --- Mentee choice --------------------------------------------------------------------------
#
# - A program's choice page is its mentee's own (an unpaired mentee asks a mentor there):
#   404 for everyone else, the program's mentors and admins included.
# - A mentor request is seen by its mentee, its mentor and the admins of its program; 404 for
#   everyone else. The mentor accepts or declines it, the mentee withdraws it; the other
#   side and the admins may see it but not do that (403).


def get_own_mentee_membership(viewer_or_user, program_uuid) -> Membership:
    """The viewer's mentee membership of the program, with the program; 404 for anyone who
    is not a mentee there. One query."""
    viewer = Viewer.of(viewer_or_user)
    require_found(viewer.is_authenticated and program_uuid is not None)
    membership = (
        Membership.objects.select_related("program", "user__profile")
        .filter(program__uuid=program_uuid, user_id=viewer.pk, role=MENTEE)
        .first()
    )
    require_found(membership is not None)
    return membership


@dataclass(frozen=True)
class MentorRequestAccess:
    request: object
    role: str  # "mentor", "mentee" or "admin"

    @property
    def can_answer(self) -> bool:
        return self.role == MENTOR and self.request.is_pending

    @property
    def can_withdraw(self) -> bool:
        return self.role == MENTEE and self.request.is_pending


def mentor_request_access(viewer_or_user, request_uuid) -> MentorRequestAccess:
    """The request (with its program, both memberships and their people) and the viewer's
    role in it; 404 for anyone outside it. One query."""
    viewer = Viewer.of(viewer_or_user)
    require_found(viewer.is_authenticated and request_uuid is not None)
    found = (
        MentorRequest.objects.select_related(
            "program", "mentee__user__profile", "mentor__user__profile", "pairing"
        )
        .filter(uuid=request_uuid)
        .first()
    )
    role = None
    if found is not None:
        if found.mentor.user_id == viewer.pk:
            role = MENTOR
        elif found.mentee.user_id == viewer.pk:
            role = MENTEE
        elif found.program_id in viewer.admin_program_ids:
            role = ADMIN
    require_found(role is not None)
    return MentorRequestAccess(found, role)


def require_mentor_of_request(access: MentorRequestAccess) -> None:
    """Accept and decline: the request's mentor only (403 for the mentee and the admins)."""
    require(access.role == MENTOR)


def require_mentee_of_request(access: MentorRequestAccess) -> None:
    """Withdraw: the request's mentee only (403 for the mentor and the admins)."""
    require(access.role == MENTEE)


# --- Meetings -------------------------------------------------------------------------------
# A meeting, its agenda and its action items are the pair's own: 404 for everyone else, the
# program's admins included (they see when the pair met, on the pairing page and the
# dashboard). The pair changes them while the pairing is active; paused or closed, they read
# only (403).


def can_arrange(access: PairingAccess) -> bool:
    """Propose, pick, cancel, edit the agenda, log, tick: the pair, while it is active."""
    return access.is_participant and access.pairing.status == PairingStatus.ACTIVE


def pairing_for_pair(viewer_or_user, pairing_uuid) -> PairingAccess:
    """The pairing, to one of its two people; 404 for everyone else. One query."""
    access = pairing_access(viewer_or_user, pairing_uuid)
    require_found(access.is_participant)
    return access


def meeting_access(viewer_or_user, pairing_uuid, meeting_uuid) -> tuple[PairingAccess, Meeting]:
    """A meeting of the pairing, to its pair only. Two queries: the pairing's row and the
    meeting's."""
    access = pairing_for_pair(viewer_or_user, pairing_uuid)
    meeting = _of_pairing(
        Meeting.objects.select_related("proposed_by", "checkin"), access, meeting_uuid
    )
    return access, meeting


def agenda_item_access(
    viewer_or_user, pairing_uuid, meeting_uuid, item_uuid
) -> tuple[PairingAccess, AgendaItem]:
    """One point of a meeting's agenda, to the pair, who both may change it while the
    pairing is active (403 otherwise). Three queries."""
    access, meeting = meeting_access(viewer_or_user, pairing_uuid, meeting_uuid)
    item = (
        AgendaItem.objects.filter(uuid=item_uuid, meeting=meeting).first()
        if item_uuid is not None
        else None
    )
    require_found(item is not None)
    item.meeting = meeting
    require(can_arrange(access))
    return access, item


def action_item_access(viewer_or_user, pairing_uuid, item_uuid) -> tuple[PairingAccess, ActionItem]:
    """An action item of the pairing, to the pair; only its owner ticks it, while the
    pairing is active (403 for the other side). Two queries."""
    access = pairing_for_pair(viewer_or_user, pairing_uuid)
    item = _of_pairing(ActionItem.objects, access, item_uuid)
    require(can_arrange(access) and item.owner_id == Viewer.of(viewer_or_user).pk)
    return access, item


# --- Conversation -----------------------------------------------------------------------------
#
# A pair's conversation is theirs alone: 404 to everyone else, the program's admins included
# (they see that a pair talks, as counts on the program dashboard, never what they say). Both
# sides read it in every status; they write in it while the pairing runs (active or paused):
# not before both accepted the agreement, and not after it ended (read-only).

CONVERSATION_STATUSES = ("active", "paused")


def conversation_open(pairing) -> bool:
    return pairing.status in CONVERSATION_STATUSES


def conversation_closed_reason(pairing) -> str | None:
    """Why no message can be written in the pair's conversation now; None while it is open."""
    if conversation_open(pairing):
        return None
    if pairing.status == "proposed":
        return _("The conversation opens once you have both accepted the agreement.")
    return _(
        "This mentorship has ended: its conversation stays readable to you both, but no new "
        "messages can be written."
    )


def conversation_access(viewer_or_user, pairing_uuid) -> PairingAccess:
    """The pairing, to one of its two sides; 404 for everyone else. One query."""
    access = pairing_access(viewer_or_user, pairing_uuid)
    require_found(access.is_participant)
    return access


def can_post_message(access: PairingAccess) -> bool:
    return access.is_participant and conversation_open(access.pairing)


def message_for_author(viewer_or_user, pairing_uuid, message_uuid):
    """A message of the pair's conversation, to be edited or deleted by its author while the
    conversation is open. 404 outside the pair and for a message of another pairing; 403 for
    the other side, and for the author once deleted or once the pairing is over. Two queries:
    the pairing's row and the message's."""
    viewer = Viewer.of(viewer_or_user)
    access = conversation_access(viewer, pairing_uuid)
    message = _of_pairing(Message.objects, access, message_uuid)
    require(
        can_post_message(access) and message.author_id == viewer.pk and message.deleted_at is None
    )
    return access, message


def get_program_for_attention(viewer_or_user, program_uuid) -> Program:
    """The program, for its needs-attention list and nudge rules: to its admins only, 404
    for everyone else, its other members included (the list names who is waiting on whom).
    One query: the program's row."""
    viewer = Viewer.of(viewer_or_user)
    require_found(viewer.is_authenticated and program_uuid is not None)
    program = Program.objects.filter(uuid=program_uuid).first()
    require_found(program is not None and program.pk in viewer.admin_program_ids)
    return program
