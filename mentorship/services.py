"""Every write of the mentoring domain: programs, memberships, invitations, pairings,
agreements, check-ins and feedback.

Each function is atomic and takes keyword-only arguments. Rules that a form, the API or a CSV
import could break raise `MentorshipError` (a core.errors.InvalidInput) with a message fit to
show on the page, and the field it is about where there is one. The rules of a single row live
in the model's clean() (the page's ModelForms run them too); the services run them again for
callers without a form.
"""

import hashlib
import secrets
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.selectors import reading_languages
from core import jobs
from core.dates import written
from core.dedupe import recent_twin
from core.errors import Forbidden, InvalidInput
from goals import policy as goals_policy
from goals.kinds import MilestoneKind
from goals.models import Goal, Milestone
from notifications.email import build_email
from notifications.kinds import Kind
from notifications.services import (
    email_enqueue,
    emails_enqueue,
    notification_withdraw,
    notifications_settle,
    notify,
)

from . import policy
from .models import (
    APPLICATION_ROLES,
    CHECKIN_FIELDS,
    JOINABLE_POLICIES,
    MENTOR_REQUEST_MESSAGE_MAX,
    MESSAGE_MAX_LENGTH,
    OPEN_PAIRING_STATUSES,
    PROGRAM_PAGE_FIELDS,
    SURVEY_FIELDS,
    Agreement,
    Application,
    ApplicationStatus,
    CheckIn,
    GoalsMet,
    ImportRun,
    ImportRunStatus,
    Invitation,
    JoinPolicy,
    Meeting,
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
    role_in_sentence,
)
from .selectors import mentor_choices

INVITATION_VALID_DAYS = 14
ONE_OPEN_PAIRING_CONSTRAINT = "pairing_one_open_per_mentee_per_program"
# Background job (registered by mentorship.apps with core.jobs): tell the people of imported
# pairings; work through a large CSV import.
NOTIFY_IMPORTED_PAIRINGS = "mentorship.notify_imported_pairings"
IMPORT_RUN_PROCESS = "mentorship.import_run_process"
# A pairing that closes calls off its meetings to come (mentorship.meetings, above this module).
CANCEL_MEETINGS_OF_CLOSED_PAIRING = "mentorship.meetings_cancel_for_closed_pairing"


class MentorshipError(InvalidInput):
    """A rule of the domain was broken; the message is shown to the person who tried."""


class MentorshipConflict(MentorshipError):
    """The pairing's state does not allow this step (409 in the API)."""

    status = 409
    code = "conflict"


class MentorshipDuplicate(MentorshipConflict):
    """The same person made the same entry a moment ago (a form posted twice); `existing` is
    the entry already made."""

    def __init__(self, message, *, existing):
        super().__init__(message)
        self.existing = existing


# A create identical to one the same person made this recently is a repeated request.
def _recent(queryset):
    """The twin of a create that is being sent again (core.dedupe), or None."""
    return recent_twin(queryset)


def _invalid(error: ValidationError) -> MentorshipError:
    """A model's ValidationError as the services' error, with every message by field."""
    if hasattr(error, "error_dict"):
        errors = {
            (None if name == NON_FIELD_ERRORS else name): list(messages)
            for name, messages in error.message_dict.items()
        }
    else:
        errors = {None: list(error.messages)}
    field, messages = next(iter(errors.items()))
    return MentorshipError(messages[0], field=field, errors=errors)


def _validate(instance, *, exclude=(), unique: bool = False) -> None:
    """The row's own rules (field types and lengths, the model's clean(), and with `unique`
    its unique fields). Foreign keys the service set itself are excluded: checking that they
    exist would cost a query each."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=unique)
    except ValidationError as error:
        raise _invalid(error) from error


def refuse_if_ended(program: Program) -> None:
    """An ended cohort takes nothing new: no member, pairing, import, request or goal."""
    if program.ended_at is not None:
        raise MentorshipConflict(
            _(
                "%(program)s ended on %(date)s: it takes no new members, pairings, imports "
                "or goals. Its pages stay readable."
            )
            % {
                "program": program.name,
                "date": timezone.localtime(program.ended_at).strftime("%Y-%m-%d"),
            }
        )


def _known(fields: dict, allowed: tuple, entity: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {entity} fields: {sorted(unknown)}")


# --- Programs -------------------------------------------------------------------------------


@transaction.atomic
def program_create(*, created_by: User, **fields) -> Program:
    """Create a program; its creator becomes its first admin. Its settings are checked by
    Program.clean() (dates in order, numbers of at least 1) and for a unique short name."""
    _known(fields, PROGRAM_PAGE_FIELDS, "program")
    program = Program(**fields)
    _validate(program, exclude=["uuid"], unique=True)
    program.save()
    Membership.objects.create(program=program, user=created_by, role=Role.ADMIN)
    return program


@transaction.atomic
def program_update(*, program: Program, **fields) -> Program:
    """Change some of a program's settings; the whole program is checked as on creation."""
    _known(fields, PROGRAM_PAGE_FIELDS, "program")
    for name, value in fields.items():
        setattr(program, name, value)
    _validate(program, exclude=["uuid"], unique=True)
    program.save()
    return program


# --- Memberships ----------------------------------------------------------------------------


@transaction.atomic
def membership_add(
    *,
    program: Program,
    user: User,
    role: str,
    capacity: int | None = None,
    skills: str = "",
    interests: str = "",
) -> Membership:
    """Give `user` `role` in `program`; adding a role they already hold changes nothing."""
    if role not in Role.values:
        raise MentorshipError(_("“%(role)s” is not a role.") % {"role": role})
    defaults: dict = {"skills": skills, "interests": interests}
    if capacity is not None:
        # Chosen for this person (an import's column): the mentor's checklist counts it.
        defaults["capacity"] = capacity
        defaults["capacity_set_at"] = timezone.now()
    membership, _created = Membership.objects.get_or_create(
        program=program, user=user, role=role, defaults=defaults
    )
    return membership


def _member_event(membership: Membership, *, by: User, action: str, detail: str = "") -> None:
    MemberEvent.objects.create(
        program_id=membership.program_id,
        member_id=membership.user_id,
        actor=by,
        action=action,
        detail=detail[:1000],
    )


def _lock_membership(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("program", "user")
        .get(pk=membership.pk)
    )


def _open_pairings_of(membership: Membership):
    field = {Role.MENTOR: "mentor_id", Role.MENTEE: "mentee_id"}.get(membership.role)
    if field is None:
        return Pairing.objects.none()
    return Pairing.objects.filter(
        program_id=membership.program_id,
        status__in=OPEN_PAIRING_STATUSES,
        **{field: membership.user_id},
    )


def _refuse_last_admin(membership: Membership) -> None:
    if membership.role == Role.ADMIN and not (
        Membership.objects.filter(program_id=membership.program_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise MentorshipConflict(
            _("%(program)s needs at least one admin: make someone else an admin first.")
            % {"program": membership.program.name}
        )


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    by: User,
    role: str,
    capacity: int,
    skills: str = "",
    interests: str = "",
) -> Membership:
    """An admin corrects a member: role, capacity (mentors), skills and interests. Refused
    with a message: a role the person holds already in this program, a new role while they
    have open pairings in the old one, a capacity below their open pairings, the program's
    last admin giving the role up. Each change is recorded (MemberEvent)."""
    membership = _lock_membership(membership)
    if role not in Role.values:
        raise MentorshipError(_("“%(role)s” is not a role.") % {"role": role})
    if not 0 <= capacity <= 50:
        raise MentorshipError(_("Capacity is a whole number from 0 to 50."))
    changes = []
    if role != membership.role:
        if Membership.objects.filter(
            program_id=membership.program_id, user_id=membership.user_id, role=role
        ).exists():
            raise MentorshipConflict(
                _("%(name)s is a %(role)s in this program already.")
                % {"name": membership.user.display_name, "role": role_in_sentence(role)}
            )
        open_count = _open_pairings_of(membership).count()
        if open_count:
            raise MentorshipConflict(
                ngettext(
                    "%(name)s has %(n)s open pairing as %(role)s: end it first.",
                    "%(name)s has %(n)s open pairings as %(role)s: end them first.",
                    open_count,
                )
                % {
                    "name": membership.user.display_name,
                    "n": open_count,
                    "role": role_in_sentence(membership.role),
                }
            )
        _refuse_last_admin(membership)
        changes.append(
            _("role %(old)s → %(new)s")
            % {"old": Role(membership.role).label, "new": Role(role).label}
        )
    if capacity != membership.capacity:
        if role == Role.MENTOR:
            open_count = _open_pairings_of(membership).count()
            if capacity < open_count:
                raise MentorshipConflict(
                    _("%(name)s mentors %(n)s people now: the capacity cannot be lower.")
                    % {"name": membership.user.display_name, "n": open_count}
                )
        changes.append(
            _("capacity %(old)s → %(new)s") % {"old": membership.capacity, "new": capacity}
        )
    skills, interests = skills.strip()[:500], interests.strip()[:500]
    if skills != membership.skills:
        changes.append(_("skills: %(v)s") % {"v": skills or "—"})
    if interests != membership.interests:
        changes.append(_("interests: %(v)s") % {"v": interests or "—"})
    if not changes:
        return membership
    update_fields = ["role", "capacity", "skills", "interests"]
    if capacity != membership.capacity:
        membership.capacity_set_at = timezone.now()
        update_fields.append("capacity_set_at")
    membership.role, membership.capacity = role, capacity
    membership.skills, membership.interests = skills, interests
    membership.save(update_fields=update_fields)
    _member_event(membership, by=by, action="member_changed", detail="; ".join(changes))
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User, reason: str) -> int:
    """Take a member out of the program: their open pairings in that role end with the
    reason (each pairing keeps its history), the membership goes, the removal is recorded.
    Goals, check-ins and feedback stay. Returns how many pairings were ended."""
    reason = reason.strip()
    if not reason:
        raise MentorshipError(_("Say why the member is removed."))
    membership = _lock_membership(membership)
    _refuse_last_admin(membership)
    ended = 0
    for pairing in _open_pairings_of(membership).select_related("program", "mentor", "mentee"):
        pairing_end(
            pairing=pairing,
            by=by,
            reason=_("Removed from the program: %(reason)s") % {"reason": reason},
        )
        ended += 1
    _member_event(
        membership,
        by=by,
        action="member_removed",
        detail=_("%(role)s removed: %(reason)s")
        % {"role": Role(membership.role).label, "reason": reason},
    )
    membership.delete()
    notify(
        recipient=membership.user,
        kind=Kind.PAIRING_CHANGED,
        dedupe_key=f"member-removed:{membership.uuid}",
        title=lambda: (
            _("You are no longer a %(role)s in %(program)s")
            % {"role": role_in_sentence(membership.role), "program": membership.program.name}
        ),
        body=reason[:500],
        url=reverse("mentorship:my_pairings"),
    )
    return ended


# --- Invitations ----------------------------------------------------------------------------


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("mentorship:invitation_accept", args=[token])


@transaction.atomic
def invitation_create(
    *,
    program: Program,
    email: str,
    role: str,
    invited_by: User,
    name: str = "",
    message: str = "",
    valid_days: int = INVITATION_VALID_DAYS,
    capacity: int | None = None,
    skills: str = "",
    interests: str = "",
) -> tuple[Invitation, str]:
    """Create a single-use invitation, e-mail its link, and return it with the secret token.

    Only the hash of the token is stored; the link in the e-mail is the one copy of it.
    `capacity`, `skills` and `interests` (from a CSV import) go to the membership the
    invitation creates when it is accepted. An address that already has an invitation in this
    role waiting for an answer is not invited twice: that invitation is sent again (with the
    new name and message, when given), see `invitation_resend`.
    """
    if role not in Role.values:
        raise MentorshipError(_("“%(role)s” is not a role.") % {"role": role})
    refuse_if_ended(program)
    email = email.strip().lower()
    if Membership.objects.filter(program=program, user__email__iexact=email, role=role).exists():
        raise MentorshipError(
            _("%(email)s is already a %(role)s in this program.")
            % {"email": email, "role": role_in_sentence(role)}
        )
    if len(message) > 1000:
        raise MentorshipError(_("The personal message is longer than 1,000 characters."))
    pending = (
        Invitation.objects.select_for_update()
        .filter(
            program=program,
            email=email,
            role=role,
            accepted_at__isnull=True,
            declined_at__isnull=True,
            revoked_at__isnull=True,
        )
        .order_by("-created_at")
        .first()
    )
    if pending is not None:
        return invitation_resend(
            invitation=pending, by=invited_by, name=name, message=message, valid_days=valid_days
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        program=program,
        email=email,
        name=name,
        role=role,
        token_hash=invitation_token_hash(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=valid_days),
        capacity=capacity,
        skills=skills[:500],
        interests=interests[:500],
        message=message,
    )
    # Through the outbox, in this transaction: a rolled-back invitation sends nothing, and a
    # mail server that is down delays the e-mail (retried with backoff), never the page.
    email_enqueue(message=_invitation_message(invitation, token), kind="invitation")
    _tell_invited_accounts([invitation])
    return invitation, token


@transaction.atomic
def _give_new_link(invitation: Invitation, *, by: User, now, expires_at) -> str:
    """Give an unanswered invitation a new link (the old one stops working: only the newest
    link's hash is kept), sent again by `by` now; return the link's token. Not saved."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = invitation_token_hash(token)
    invitation.expires_at = expires_at
    invitation.sent_count += 1
    invitation.last_sent_at = now
    invitation.invited_by = by
    return token


def invitation_resend(
    *,
    invitation: Invitation,
    by: User,
    name: str = "",
    message: str = "",
    valid_days: int = INVITATION_VALID_DAYS,
) -> tuple[Invitation, str]:
    """Send an invitation that waits for an answer again, expired or not: a new link (the old
    one stops working, since only the newest link's hash is kept), valid for `valid_days`
    from now. A used, declined or withdrawn invitation is not sent again."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=invitation.pk)
    )
    if invitation.accepted_at is not None:
        raise MentorshipError(_("This invitation has already been accepted."))
    if invitation.declined_at is not None or invitation.revoked_at is not None:
        raise MentorshipError(
            _("This invitation was declined or withdrawn; invite %(email)s again instead.")
            % {"email": invitation.email}
        )
    now = timezone.now()
    token = _give_new_link(invitation, by=by, now=now, expires_at=now + timedelta(days=valid_days))
    if name:
        invitation.name = name
    if message:
        invitation.message = message
    invitation.save(
        update_fields=[
            "token_hash",
            "expires_at",
            "sent_count",
            "last_sent_at",
            "invited_by",
            "name",
            "message",
        ]
    )
    email_enqueue(message=_invitation_message(invitation, token), kind="invitation")
    return invitation, token


def _invitation_language(invitation: Invitation, languages: dict[str, str] | None = None):
    """An invitation is written in the language its reader chose on their account; someone
    without one reads it in the language of the admin who invites (the request's)."""
    if languages is None:
        languages = reading_languages([invitation.email])
    chosen = languages.get(invitation.email.lower())
    return translation.override(chosen or translation.get_language())


def _invitation_message(invitation: Invitation, token: str, languages=None):
    with _invitation_language(invitation, languages):
        return build_email(
            "invitation",
            {
                "invitation": invitation,
                "program": invitation.program,
                "role_label": Role(invitation.role).label,
                "invited_by": invitation.invited_by,
                "accept_url": invitation_url(token),
                "expires_at": invitation.expires_at,
            },
            to=[invitation.email],
        )


# Where each invitation's own token goes in a message rendered once for many (see below).
TOKEN_SLOT = "INVITATION-TOKEN-SLOT"  # noqa: S105 (a placeholder, not a secret)


def _invitation_messages(invitations: list[Invitation], tokens: dict[str, str]) -> list:
    """The e-mails of many invitations of one program by one admin: rendered once per role
    and language (the templates differ per invitation only in the link) and copied with each
    one's link, which makes an import of thousands of rows several times faster."""
    rendered: dict[tuple[str, str], EmailMultiAlternatives] = {}
    languages = reading_languages([invitation.email for invitation in invitations])
    messages = []
    for invitation in invitations:
        version = (invitation.role, languages.get(invitation.email.lower(), ""))
        proto = rendered.get(version)
        if proto is None:
            proto = rendered[version] = _invitation_message(invitation, TOKEN_SLOT, languages)
        token = tokens[invitation.token_hash]
        message = EmailMultiAlternatives(
            subject=proto.subject,
            body=proto.body.replace(TOKEN_SLOT, token),
            from_email=proto.from_email,
            to=[invitation.email],
        )
        for content, mimetype in proto.alternatives:
            message.attach_alternative(content.replace(TOKEN_SLOT, token), mimetype)
        messages.append(message)
    return messages


def _tell_invited_accounts(invitations: list[Invitation]) -> None:
    """An account that has the address verified also finds its invitation in its inbox, and
    answers it on "My invitations" (the e-mail may be missed). The admin learns nothing."""
    from .csv_import import _chunks

    by_email = {invitation.email: invitation for invitation in invitations}
    for chunk in _chunks(sorted(by_email)):
        for address in EmailAddress.objects.filter(email__in=chunk, verified=True).select_related(
            "user"
        ):
            invitation = by_email.get(address.email.lower())
            if invitation is None:
                continue
            notify(
                recipient=address.user,
                kind=Kind.PAIRING_CHANGED,
                dedupe_key=f"invitation:{invitation.uuid}",
                title=lambda: (
                    _("You are invited to %(program)s as %(role)s; accept or decline")
                    % {"program": invitation.program.name, "role": Role(invitation.role).label}
                ),
                url=reverse("mentorship:my_invitations"),
                send_email=False,
            )


def invitations_create_many(*, program: Program, rows: list, by: User) -> tuple[int, int, int]:
    """Invite every checked participant row (an import): one invitation and one e-mail per
    row, written in bulk, whether or not the address has an account, so that the admin learns
    nothing about anyone beyond what the file said. A row whose address already has an
    unanswered invitation in the same role gets no second one: while its link works it is
    left alone (importing a file twice sends nothing twice); once its link has expired it is
    sent again with a new link, as "Send again" would. Returns how many rows were invited,
    how many were waiting for an answer already, and how many expired ones were sent again."""
    refuse_if_ended(program)
    waiting = _unanswered_invitations(program, [row.email for row in rows])
    now = timezone.now()
    expires_at = now + timedelta(days=INVITATION_VALID_DAYS)
    tokens: dict[str, str] = {}
    invitations, renewed = [], []
    already = 0
    for row in rows:
        key = (row.email, row.role)
        found = waiting.get(key)
        if found is not None and found.expires_at > now:
            already += 1
            continue
        if found is not None:  # expired: the same invitation, a new link
            token = _give_new_link(found, by=by, now=now, expires_at=expires_at)
            renewed.append(found)
            tokens[found.token_hash] = token
            waiting[key] = found
            continue
        token = secrets.token_urlsafe(32)
        invitation = Invitation(
            program=program,
            email=row.email,
            name=row.name,
            role=row.role,
            token_hash=invitation_token_hash(token),
            invited_by=by,
            expires_at=expires_at,
            capacity=row.capacity,
            skills=row.skills[:500],
            interests=row.interests[:500],
        )
        waiting[key] = invitation
        tokens[invitation.token_hash] = token
        invitations.append(invitation)
    Invitation.objects.bulk_create(invitations, batch_size=500)
    Invitation.objects.bulk_update(
        renewed,
        ["token_hash", "expires_at", "sent_count", "last_sent_at", "invited_by"],
        batch_size=500,
    )
    sent = invitations + renewed
    # The few sent again carry what their invitation said before (a personal message, say):
    # each is rendered on its own.
    messages = _invitation_messages(invitations, tokens) + [
        _invitation_message(invitation, tokens[invitation.token_hash]) for invitation in renewed
    ]
    emails_enqueue(messages=messages, kind="invitation")
    # One person invited in two roles hears of the invitations once in the inbox: both wait
    # on "My invitations".
    _tell_invited_accounts(sent)
    return len(invitations), already, len(renewed)


def invitation_find(*, token: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its state; None for an altered
    or made-up link."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("program", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def _lock_answerable(invitation: Invitation, user: User) -> Invitation:
    """The invitation, locked (two clicks on the same link cannot both use it), if it can
    still be answered and `user` is the person it was sent to.

    1. Used, declined, withdrawn or expired: MentorshipError saying which.
    2. Sent to an address that is not verified on `user`'s account: Forbidden. The link
       alone proves nothing (it may have been forwarded); nothing changes.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=invitation.pk)
    )
    if invitation.accepted_at is not None:
        raise MentorshipError(_("This invitation has already been used."))
    if invitation.declined_at is not None:
        raise MentorshipError(_("This invitation was declined."))
    if invitation.revoked_at is not None:
        raise MentorshipError(_("This invitation was withdrawn by the program admin."))
    if invitation.is_expired:
        raise MentorshipError(_("This invitation has expired."))
    if not policy.invitation_bound_to(user, invitation):
        if invitation.role == Role.ADMIN:
            message = _(
                "This invitation to run %(program)s was sent to another e-mail address. "
                "Only the person it was sent to can accept it, signed in with that address "
                "verified; nothing was changed."
            )
        else:
            message = _(
                "This invitation to %(program)s was sent to another e-mail address. Sign in "
                "with the account of that address (verified) to answer it; nothing was changed."
            )
        raise Forbidden(message % {"program": invitation.program.name})
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Use the invitation: `user` gets its role in its program. A used, declined, expired or
    revoked invitation raises MentorshipError; one sent to an address not verified on
    `user`'s account raises Forbidden."""
    invitation = _lock_answerable(invitation, user)
    refuse_if_ended(invitation.program)
    membership = membership_add(
        program=invitation.program,
        user=user,
        role=invitation.role,
        capacity=invitation.capacity,
        skills=invitation.skills,
        interests=invitation.interests,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if invitation.name and not user.name:
        user.name = invitation.name
        user.save(update_fields=["name"])
    if invitation.invited_by_id:
        notify(
            recipient=invitation.invited_by,
            kind=Kind.PAIRING_CHANGED,
            dedupe_key=f"invitation-accepted:{invitation.uuid}",
            title=lambda: (
                _("%(name)s joined %(program)s as %(role)s")
                % {
                    "name": user.display_name,
                    "program": invitation.program.name,
                    "role": Role(invitation.role).label,
                }
            ),
            url=reverse("mentorship:member_list", args=[invitation.program.uuid]),
            send_email=False,
        )
    return membership


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user: User) -> Invitation:
    """The invited person says no: nothing is created, and the admin sees "declined". The
    same rules as accepting decide who may answer."""
    invitation = _lock_answerable(invitation, user)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    if invitation.invited_by_id:
        notify(
            recipient=invitation.invited_by,
            kind=Kind.PAIRING_CHANGED,
            dedupe_key=f"invitation-declined:{invitation.uuid}",
            # Only what the admin typed: the address and the role, not the account's name.
            title=lambda: (
                _("%(email)s declined the invitation to %(program)s as %(role)s")
                % {
                    "email": invitation.email,
                    "program": invitation.program.name,
                    "role": Role(invitation.role).label,
                }
            ),
            url=reverse("mentorship:program_invite", args=[invitation.program.uuid]),
            send_email=False,
        )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


# --- Applications ---------------------------------------------------------------------------

APPLICATION_MESSAGE_MAX = 2000


def _program_admins(program: Program) -> list[User]:
    return list(
        User.objects.filter(
            memberships__program=program, memberships__role=Role.ADMIN, is_active=True
        ).order_by("pk")
    )


def _admin_notice_key(application: Application, admin_pk: int) -> str:
    return f"application:{application.uuid}:admin:{admin_pk}"


def _role_word(role: str) -> str:
    return role_in_sentence(role)


def _already_pending(program: Program) -> MentorshipConflict:
    return MentorshipConflict(
        _(
            "You have applied to %(program)s already, and your application is waiting for an "
            "admin's answer. Withdraw it first if you want to apply differently."
        )
        % {"program": program.name}
    )


@transaction.atomic
def application_submit(
    *,
    program: Program,
    user: User,
    role: str,
    message: str = "",
    skills: str = "",
    interests: str = "",
) -> Application:
    """`user` applies to join `program` as `role`: their own act, and the only way in
    besides an invitation.

    1. Refused with a message: a program that takes no applications (invite only, or not
       active), a role one may not apply for (admins are made by admins), a role the person
       holds there already, and a second application while one waits (one at a time, backed
       by the constraint `application_one_pending_per_person`).
    2. An open program: the application is approved at once and the person becomes a member
       (membership_add, with the skills and interests given); its admins are told in the
       inbox.
    3. Open with approval: the application waits in the program's queue; its admins are told
       in the inbox (and count it in their weekly digest).
    """
    if not program.is_active or program.join_policy not in JOINABLE_POLICIES:
        raise MentorshipError(
            _("%(program)s does not take applications: its admins invite people.")
            % {"program": program.name}
        )
    refuse_if_ended(program)
    if role not in APPLICATION_ROLES:
        raise MentorshipError(_("Apply as a mentee or as a mentor."), field="role")
    message = message.strip()
    if len(message) > APPLICATION_MESSAGE_MAX:
        raise MentorshipError(
            _("Write at most %(n)s characters.") % {"n": f"{APPLICATION_MESSAGE_MAX:,}"},
            field="message",
        )
    if Membership.objects.filter(program=program, user=user, role=role).exists():
        raise MentorshipConflict(
            _("You are already a %(role)s in %(program)s.")
            % {"role": _role_word(role), "program": program.name},
            field="role",
        )
    if Application.objects.filter(
        program=program, user=user, status=ApplicationStatus.PENDING
    ).exists():
        raise _already_pending(program)
    is_open = program.join_policy == JoinPolicy.OPEN
    now = timezone.now()
    application = Application(
        program=program,
        user=user,
        role=role,
        message=message,
        skills=skills.strip()[:500],
        interests=interests.strip()[:500],
        status=ApplicationStatus.APPROVED if is_open else ApplicationStatus.PENDING,
        decided_at=now if is_open else None,
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as error:
        # The same person applying twice at once: the constraint lets one through.
        raise _already_pending(program) from error
    if is_open:
        membership_add(
            program=program,
            user=user,
            role=role,
            skills=application.skills,
            interests=application.interests,
        )
        title = _("%(name)s joined %(program)s as %(role)s")
        url = reverse("mentorship:member_list", args=[program.uuid])
    else:
        title = _("%(name)s applied to join %(program)s as %(role)s")
        url = reverse("mentorship:application_queue", args=[program.uuid])
    words = {"name": user.display_name, "program": program.name, "role": _role_word(role)}
    for admin in _program_admins(program):
        if admin.pk == user.pk:
            continue
        notify(
            recipient=admin,
            kind=Kind.APPLICATION_RECEIVED,
            dedupe_key=_admin_notice_key(application, admin.pk),
            title=title % words,
            body=message[:500],
            url=url,
            send_email=False,
        )
    return application


def application_state_message(application: Application) -> str:
    """Why a decided application cannot be decided (or withdrawn) again."""
    who = (
        application.decided_by.display_name
        if application.decided_by_id and application.decided_by
        else _("another admin")
    )
    if application.status == ApplicationStatus.APPROVED:
        if application.decided_by_id is None:
            return _("This application was approved when it was made (the program is open).")
        return _("This application was approved already, by %(who)s.") % {"who": who}
    if application.status == ApplicationStatus.DECLINED:
        return _("This application was declined already, by %(who)s.") % {"who": who}
    return _("This application was withdrawn by the person who made it.")


@transaction.atomic
def application_withdraw(*, application: Application, user: User) -> Application:
    """The applicant takes back an application that waits for an answer; the admins' inbox
    notices of it go too (unless read on the way). A decided one cannot be withdrawn."""
    now = timezone.now()
    changed = Application.objects.filter(
        pk=application.pk, user=user, status=ApplicationStatus.PENDING
    ).update(status=ApplicationStatus.WITHDRAWN, decided_at=now, decided_by=user)
    application.refresh_from_db()
    if not changed:
        raise MentorshipConflict(application_state_message(application))
    for admin in _program_admins(application.program):
        notification_withdraw(dedupe_key=_admin_notice_key(application, admin.pk))
    return application


@transaction.atomic
def application_decide(
    *, application: Application, by: User, approve: bool, reason: str = ""
) -> Application:
    """A program admin approves or declines an application that waits.

    1. The application's row is locked and must still be waiting: of two admins deciding at
       once, the second waits for the first and is then told who decided (MentorshipConflict).
       The update is conditional too (status still pending), for databases without row locks.
    2. Approved: the person becomes a member in the role applied for, with the skills and
       interests given (membership_add), in this same transaction.
    3. The applicant is told by e-mail and in the inbox, with the reason when declined.
    """
    reason = reason.strip()
    if len(reason) > 500:
        raise MentorshipError(_("Write at most 500 characters."), field="reason")
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("program", "user", "decided_by")
        .get(pk=application.pk)
    )
    if locked.status != ApplicationStatus.PENDING:
        # Read again: on PostgreSQL a row that was waited for comes back with its new
        # columns, but the rows joined to it (who decided) as they were before.
        decided = Application.objects.select_related("decided_by").get(pk=locked.pk)
        raise MentorshipConflict(application_state_message(decided))
    now = timezone.now()
    status = ApplicationStatus.APPROVED if approve else ApplicationStatus.DECLINED
    changed = Application.objects.filter(pk=locked.pk, status=ApplicationStatus.PENDING).update(
        status=status,
        decided_by=by,
        decided_at=now,
        decline_reason="" if approve else reason,
    )
    if changed != 1:
        locked.refresh_from_db()
        raise MentorshipConflict(application_state_message(locked))
    locked.status, locked.decided_by, locked.decided_at = status, by, now
    locked.decline_reason = "" if approve else reason
    program, person = locked.program, locked.user
    words = {"program": program.name, "role": _role_word(locked.role)}
    if approve:
        refuse_if_ended(program)
        membership_add(
            program=program,
            user=person,
            role=locked.role,
            skills=locked.skills,
            interests=locked.interests,
        )
        notify(
            recipient=person,
            kind=Kind.APPLICATION_DECIDED,
            dedupe_key=f"application:{locked.uuid}:decided",
            title=lambda: _("Your application to %(program)s was approved") % words,
            body=lambda: (
                (
                    _("You are now a mentor in %(program)s.")
                    if locked.role == Role.MENTOR
                    else _("You are now a mentee in %(program)s.")
                )
                % words
            ),
            url=reverse("home"),
            # The role as its code: the e-mail picks the sentence in the reader's language.
            payload={"decision": "approved", "program": program.name, "role": locked.role},
        )
    else:
        notify(
            recipient=person,
            kind=Kind.APPLICATION_DECIDED,
            dedupe_key=f"application:{locked.uuid}:decided",
            title=lambda: _("Your application to %(program)s was declined") % words,
            body=reason,
            url=reverse("mentorship:join_list"),
            payload={"decision": "declined", "reason": reason, **words},
        )
    return locked


# --- First steps: the members' and the program's checklists ---------------------------------


def _stamp_once(instance, field: str):
    """Set the time `field` of `instance` to now unless it is set already (in the database
    too: the first of two clicks wins), and return the instance."""
    if getattr(instance, field) is None:
        setattr(instance, field, timezone.now())
        type(instance).objects.filter(pk=instance.pk, **{f"{field}__isnull": True}).update(
            **{field: getattr(instance, field)}
        )
    return instance


@transaction.atomic
def membership_checklist_dismiss(*, membership: Membership) -> Membership:
    """The member closes their first-steps checklist; it stays closed."""
    return _stamp_once(membership, "checklist_dismissed_at")


@transaction.atomic
def membership_capacity_set(*, membership: Membership, capacity: int) -> Membership:
    """A mentor says how many mentees they take at once in a program: from 0 to 50, and not
    fewer than they mentor now. Recorded on the member's page (MemberEvent)."""
    membership = _lock_membership(membership)
    if membership.role != Role.MENTOR:
        raise MentorshipError(_("Only mentors have a capacity."))
    if not 0 <= capacity <= 50:
        raise MentorshipError(_("Capacity is a whole number from 0 to 50."), field="capacity")
    open_count = _open_pairings_of(membership).count()
    if capacity < open_count:
        raise MentorshipConflict(
            _("You mentor %(n)s people now: the capacity cannot be lower.") % {"n": open_count},
            field="capacity",
        )
    old = membership.capacity
    membership.capacity = capacity
    membership.capacity_set_at = timezone.now()
    membership.save(update_fields=["capacity", "capacity_set_at"])
    if old != capacity:
        _member_event(
            membership,
            by=membership.user,
            action="member_changed",
            detail=_("capacity %(old)s → %(new)s") % {"old": old, "new": capacity},
        )
    return membership


@transaction.atomic
def program_setup_dismiss(*, program: Program) -> Program:
    """An admin closes the program's setup checklist; it stays closed for every admin."""
    return _stamp_once(program, "setup_dismissed_at")


# --- Pairings -------------------------------------------------------------------------------


def _event(pairing: Pairing, *, actor: User | None, action: str, detail: str = "") -> None:
    PairingEvent.objects.create(pairing=pairing, actor=actor, action=action, detail=detail[:1000])


def _tell(
    pairing: Pairing, *, recipients, actor: User | None, what: str, key: str, body=""
) -> None:
    """Tell the people in `recipients` (except the one who acted) that `what` happened;
    `body` is the text of the message, or a function of the person that gives it."""
    url = reverse("mentorship:pairing_detail", args=[pairing.uuid])
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    for person in recipients:
        if person is None or (actor is not None and person.pk == actor.pk):
            continue
        notify(
            recipient=person,
            kind=Kind.PAIRING_CHANGED,
            dedupe_key=f"pairing:{pairing.uuid}:{key}:{person.pk}:{stamp}",
            title=what,
            # Composed by notify, in the person's language.
            body=(lambda b=body, p=person: b(p)) if callable(body) else body,
            url=url,
        )


def _both(pairing: Pairing) -> list[User]:
    return [pairing.mentor, pairing.mentee]


def _pairing_name(pairing: Pairing) -> dict:
    return {"mentor": pairing.mentor_name, "mentee": pairing.mentee_name}


def _lock(pairing: Pairing) -> Pairing:
    # Only the pairing's own row is locked (`of`): its mentor and mentee may be gone (an
    # emptied foreign key is the nullable side of an outer join, which PostgreSQL cannot
    # lock).
    return (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("program", "mentor", "mentee")
        .get(pk=pairing.pk)
    )


def open_pairing_count(*, program: Program, mentor: User) -> int:
    return Pairing.objects.filter(
        program=program, mentor=mentor, status__in=OPEN_PAIRING_STATUSES
    ).count()


def _check_can_pair(*, program: Program, mentor: User, mentee: User) -> None:
    """1. Both people hold the right role in the program.
    2. The mentee has no open pairing in it.
    3. The mentor has a free place; their membership row is locked until commit, so two
       requests pairing the same mentor wait for each other instead of both passing."""
    if mentor.pk == mentee.pk:
        raise MentorshipError(_("A person cannot mentor themselves."))
    refuse_if_ended(program)
    memberships = {
        m.role: m
        for m in Membership.objects.select_for_update()
        .filter(
            Q(user=mentor, role=Role.MENTOR) | Q(user=mentee, role=Role.MENTEE),
            program=program,
        )
        .order_by("pk")
    }
    mentor_membership = memberships.get(Role.MENTOR)
    if mentor_membership is None or mentor_membership.user_id != mentor.pk:
        raise MentorshipError(
            _("%(name)s is not a mentor in this program.") % {"name": mentor.display_name}
        )
    mentee_membership = memberships.get(Role.MENTEE)
    if mentee_membership is None or mentee_membership.user_id != mentee.pk:
        raise MentorshipError(
            _("%(name)s is not a mentee in this program.") % {"name": mentee.display_name}
        )
    same = _recent(
        Pairing.objects.filter(
            program=program, mentor=mentor, mentee=mentee, status=PairingStatus.PROPOSED
        )
    )
    if same is not None:
        raise MentorshipDuplicate(
            _("%(mentor)s and %(mentee)s were paired a moment ago.")
            % {"mentor": mentor.display_name, "mentee": mentee.display_name},
            existing=same,
        )
    if Pairing.objects.filter(
        program=program, mentee=mentee, status__in=OPEN_PAIRING_STATUSES
    ).exists():
        raise MentorshipError(_second_pairing_message(mentee))
    if open_pairing_count(program=program, mentor=mentor) >= mentor_membership.capacity:
        raise MentorshipError(
            _(
                "%(name)s is at capacity: they already mentor %(count)s people, the most "
                "they agreed to. Raise their capacity or choose another mentor."
            )
            % {"name": mentor.display_name, "count": mentor_membership.capacity}
        )


def _second_pairing_message(mentee: User) -> str:
    return _("%(name)s already has an open pairing in this program. End or reassign it first.") % {
        "name": mentee.display_name
    }


def pairing_create(
    *,
    program: Program,
    mentor: User,
    mentee: User,
    by: User | None,
    reassigned_from: Pairing | None = None,
) -> Pairing:
    """Propose a pairing; it becomes active once both sides accept the agreement."""
    try:
        with transaction.atomic():
            _check_can_pair(program=program, mentor=mentor, mentee=mentee)
            pairing = Pairing.objects.create(
                program=program,
                mentor=mentor,
                mentee=mentee,
                status=PairingStatus.PROPOSED,
                reassigned_from=reassigned_from,
            )
            # The program's agreement template, for the pair to change and accept.
            Agreement.objects.create(
                pairing=pairing,
                meeting_frequency=program.agreement_meeting_frequency
                or _("Every %(days)s days") % {"days": program.checkin_cadence_days},
                expectations=program.agreement_expectations,
                boundaries=program.agreement_boundaries,
                updated_by=by,
            )
            _event(
                pairing,
                actor=by,
                action="created",
                detail=_("Paired %(mentor)s with %(mentee)s") % _pairing_name(pairing),
            )
            _tell(
                pairing,
                recipients=_both(pairing),
                actor=by,
                key="created",
                what=lambda: (
                    _("New pairing in %(program)s: %(mentor)s mentors %(mentee)s")
                    % {"program": program.name, **_pairing_name(pairing)}
                ),
                body=lambda person: _new_pairing_body(pairing, person),
            )
            # Paired another way than by her request: it no longer waits for an answer.
            mentor_requests_close_for_paired_mentee(
                program=program, mentee=mentee, pairing=pairing, by=by
            )
    except IntegrityError as error:
        # Two requests raced past the check; the database constraint stopped the second.
        message = str(error)
        if ONE_OPEN_PAIRING_CONSTRAINT in message or "mentorship_pairing.mentee_id" in message:
            raise MentorshipError(_second_pairing_message(mentee)) from error
        raise
    return pairing


def _agreement_of(pairing: Pairing) -> Agreement:
    """The pairing's agreement, locked; made blank for a pairing that has none (one made in
    the Django admin, say)."""
    agreement, _created = Agreement.objects.select_for_update().get_or_create(pairing=pairing)
    return agreement


def _new_pairing_body(pairing: Pairing, person: User) -> str:
    """Who the other person is and what to do next, for one side of a new pairing."""
    if person.pk == pairing.mentor_id:
        other, intro = pairing.mentee, _("Your mentee is %(name)s (%(email)s).")
    else:
        other, intro = pairing.mentor, _("Your mentor is %(name)s (%(email)s).")
    lines = [intro % {"name": other.display_name, "email": other.email}]
    lines.append(
        _(
            "What to do next: open the pairing, read the agreement (how often you meet, what "
            "you expect of each other) and accept it, or change it together first. The "
            "mentorship starts once both of you have accepted."
        )
    )
    return "\n\n".join(lines)


@transaction.atomic
def pairing_accept_agreement(*, pairing: Pairing, user: User) -> Pairing:
    """One side accepts the agreement; when both have, a proposed pairing becomes active."""
    pairing = _lock(pairing)
    agreement = _agreement_of(pairing)
    if not pairing.is_open:
        raise MentorshipError(_("This pairing has ended; its agreement can no longer change."))
    now = timezone.now()
    if user.pk == pairing.mentor_id:
        agreement.mentor_accepted_at = agreement.mentor_accepted_at or now
    elif user.pk == pairing.mentee_id:
        agreement.mentee_accepted_at = agreement.mentee_accepted_at or now
    else:
        raise MentorshipError(_("Only the mentor and the mentee accept the agreement."))
    agreement.save(update_fields=["mentor_accepted_at", "mentee_accepted_at"])
    _event(pairing, actor=user, action="agreement_accepted")
    if agreement.is_accepted_by_both and pairing.status == PairingStatus.PROPOSED:
        today = timezone.localdate()
        pairing.status = PairingStatus.ACTIVE
        pairing.started_on = today
        pairing.next_checkin_due = today + timedelta(days=pairing.program.checkin_cadence_days)
        pairing.save(update_fields=["status", "started_on", "next_checkin_due"])
        _event(pairing, actor=user, action="activated", detail=_("Both sides accepted."))
    _tell(
        pairing,
        recipients=_both(pairing),
        actor=user,
        key="agreement-accepted",
        what=lambda: _("%(name)s accepted your mentoring agreement") % {"name": user.display_name},
    )
    return pairing


@transaction.atomic
def agreement_update(
    *,
    pairing: Pairing,
    by: User,
    meeting_frequency: str,
    expectations: str,
    boundaries: str,
) -> Agreement:
    """Change the agreement; both sides must accept it again."""
    pairing = _lock(pairing)
    if not pairing.is_open:
        raise MentorshipError(_("This pairing has ended; its agreement can no longer change."))
    agreement = _agreement_of(pairing)
    agreement.meeting_frequency = meeting_frequency
    agreement.expectations = expectations
    agreement.boundaries = boundaries
    _validate(agreement, exclude=["pairing", "updated_by"])
    agreement.mentor_accepted_at = None
    agreement.mentee_accepted_at = None
    agreement.updated_at = timezone.now()
    agreement.updated_by = by
    agreement.save()
    _event(pairing, actor=by, action="agreement_updated", detail=_("Both sides asked to accept."))
    _tell(
        pairing,
        recipients=_both(pairing),
        actor=by,
        key="agreement-updated",
        what=lambda: (
            _("%(name)s changed your mentoring agreement; please read and accept it")
            % {"name": by.display_name}
        ),
    )
    return agreement


# Why a pairing in its present status cannot take a step, one whole sentence per step (each
# language words them its own way).
TRANSITION_REFUSALS = {
    "paused": lambda: _("This pairing cannot be paused: its status is “%(status)s”."),
    "resumed": lambda: _("This pairing cannot be resumed: its status is “%(status)s”."),
    "completed": lambda: _("This pairing cannot be completed: its status is “%(status)s”."),
    "ended": lambda: _("This pairing cannot be ended: its status is “%(status)s”."),
    "reassigned": lambda: _("This pairing cannot be reassigned: its status is “%(status)s”."),
    "changed": lambda: _("This pairing cannot be changed: its status is “%(status)s”."),
}


def _transition(
    pairing: Pairing, *, by: User | None, allowed: tuple, to: str, action: str, detail: str = ""
) -> Pairing:
    if pairing.status not in allowed:
        refusal = TRANSITION_REFUSALS.get(action, TRANSITION_REFUSALS["changed"])
        raise MentorshipConflict(refusal() % {"status": pairing.get_status_display()})
    pairing.status = to
    fields = ["status"]
    if to in (PairingStatus.COMPLETED, PairingStatus.ENDED):
        today = timezone.localdate()
        pairing.ended_on = max(today, pairing.started_on) if pairing.started_on else today
        pairing.next_checkin_due = None
        fields += ["ended_on", "next_checkin_due"]
        jobs.enqueue_on_commit(CANCEL_MEETINGS_OF_CLOSED_PAIRING, pairing.pk)
    pairing.save(update_fields=fields)
    _event(pairing, actor=by, action=action, detail=detail)
    _tell(
        pairing,
        recipients=_both(pairing),
        actor=by,
        key=action,
        what=lambda: PAIRING_NOW[to]() % _pairing_name(pairing),
    )
    return pairing


# What both sides are told when their pairing changes status: a whole sentence per status.
PAIRING_NOW = {
    PairingStatus.ACTIVE: lambda: _("Your pairing of %(mentor)s with %(mentee)s is active again"),
    PairingStatus.PAUSED: lambda: _("Your pairing of %(mentor)s with %(mentee)s is paused"),
    PairingStatus.COMPLETED: lambda: _("Your pairing of %(mentor)s with %(mentee)s is completed"),
    PairingStatus.ENDED: lambda: _("Your pairing of %(mentor)s with %(mentee)s has ended"),
}


@transaction.atomic
def pairing_pause(*, pairing: Pairing, by: User, reason: str = "") -> Pairing:
    pairing = _lock(pairing)
    return _transition(
        pairing,
        by=by,
        allowed=(PairingStatus.ACTIVE,),
        to=PairingStatus.PAUSED,
        action="paused",
        detail=reason,
    )


@transaction.atomic
def pairing_resume(*, pairing: Pairing, by: User) -> Pairing:
    pairing = _lock(pairing)
    pairing = _transition(
        pairing, by=by, allowed=(PairingStatus.PAUSED,), to=PairingStatus.ACTIVE, action="resumed"
    )
    # The clock restarts: a pause is not a missed meeting.
    pairing.next_checkin_due = timezone.localdate() + timedelta(
        days=pairing.program.checkin_cadence_days
    )
    pairing.save(update_fields=["next_checkin_due"])
    return pairing


@transaction.atomic
def pairing_complete(*, pairing: Pairing, by: User) -> Pairing:
    pairing = _lock(pairing)
    return _transition(
        pairing,
        by=by,
        allowed=(PairingStatus.ACTIVE, PairingStatus.PAUSED),
        to=PairingStatus.COMPLETED,
        action="completed",
    )


@transaction.atomic
def pairing_end(*, pairing: Pairing, by: User, reason: str) -> Pairing:
    reason = reason.strip()
    if not reason:
        raise MentorshipError(_("Say why the pairing ends."))
    pairing = _lock(pairing)
    pairing.end_reason = reason[:500]
    pairing.save(update_fields=["end_reason"])
    return _transition(
        pairing,
        by=by,
        allowed=OPEN_PAIRING_STATUSES,
        to=PairingStatus.ENDED,
        action="ended",
        detail=reason,
    )


@transaction.atomic
def pairings_end_for_deleted_account(*, user: User) -> int:
    """Before `user`'s account is deleted: end each open pairing of theirs, so the other
    person's pairing (its agreement, meetings and feedback stay, with "a deleted user") is
    history rather than a pairing with nobody. Returns how many ended."""
    pairings = list(
        Pairing.objects.select_for_update(of=("self",))
        .select_related("program", "mentor", "mentee")
        .filter(Q(mentor=user) | Q(mentee=user), status__in=OPEN_PAIRING_STATUSES)
    )
    reason = _("An account was deleted.")
    for pairing in pairings:
        pairing.end_reason = reason
        pairing.save(update_fields=["end_reason"])
        _transition(
            pairing,
            by=user,
            allowed=OPEN_PAIRING_STATUSES,
            to=PairingStatus.ENDED,
            action="ended",
            detail=reason,
        )
    return len(pairings)


@transaction.atomic
def pairing_reassign(*, pairing: Pairing, new_mentor: User, by: User, reason: str = "") -> Pairing:
    """End the pairing and start a new one for the same mentee with `new_mentor`.

    The old pairing, its check-ins, feedback and events stay as they were; the new one points
    back to it through `reassigned_from`.
    """
    pairing = _lock(pairing)
    if new_mentor.pk == pairing.mentor_id:
        raise MentorshipError(_("Choose a different mentor to reassign to."))
    if not pairing.is_open:
        raise MentorshipError(_("Only an open pairing can be reassigned."))
    reason = reason.strip() or _("Reassigned to %(name)s") % {"name": new_mentor.display_name}
    pairing.end_reason = reason[:500]
    pairing.save(update_fields=["end_reason"])
    _transition(
        pairing,
        by=by,
        allowed=OPEN_PAIRING_STATUSES,
        to=PairingStatus.ENDED,
        action="reassigned",
        detail=reason,
    )
    new = pairing_create(
        program=pairing.program,
        mentor=new_mentor,
        mentee=pairing.mentee,
        by=by,
        reassigned_from=pairing,
    )
    _event(
        new,
        actor=by,
        action="reassigned_from",
        detail=_("Continues the pairing with %(name)s") % {"name": pairing.mentor_name},
    )
    return new


# --- Check-ins and feedback -----------------------------------------------------------------


@transaction.atomic
def checkin_log(
    *, pairing: Pairing, by: User, occurred_on: date, summary: str, next_steps: str = ""
) -> CheckIn:
    """Record a meeting; the next one is due a cadence after the latest meeting."""
    pairing = _lock(pairing)
    if pairing.status not in (PairingStatus.ACTIVE, PairingStatus.PAUSED):
        raise MentorshipError(_("Check-ins are logged on active pairings only."))
    same = _recent(
        CheckIn.objects.filter(
            pairing=pairing,
            logged_by=by,
            occurred_on=occurred_on,
            summary=summary,
            next_steps=next_steps,
        )
    )
    if same is not None:
        raise MentorshipDuplicate(
            _("This check-in was logged a moment ago; it is shown below."), existing=same
        )
    checkin = CheckIn(
        pairing=pairing,
        occurred_on=occurred_on,
        summary=summary,
        next_steps=next_steps,
        logged_by=by,
    )
    # The meeting's own rules (CheckIn.clean: not in the future), as the page's form has them.
    _validate(checkin, exclude=["pairing", "logged_by"])
    checkin.save()
    latest = max(occurred_on, pairing.last_checkin_on or occurred_on)
    pairing.last_checkin_on = latest
    pairing.next_checkin_due = latest + timedelta(days=pairing.program.checkin_cadence_days)
    pairing.save(update_fields=["last_checkin_on", "next_checkin_due"])
    _event(
        pairing,
        actor=by,
        action="checkin_logged",
        detail=_("Meeting on %(date)s") % {"date": occurred_on.isoformat()},
    )
    _tell(
        pairing,
        recipients=_both(pairing),
        actor=by,
        key="checkin",
        what=lambda: (
            _("%(name)s logged your check-in of %(date)s")
            % {"name": by.display_name, "date": occurred_on.isoformat()}
        ),
        body=_checkin_body(checkin),
    )
    return checkin


def _checkin_body(checkin: CheckIn) -> str:
    """The notice of a meeting: what was said and what comes next."""
    lines = [_("Summary:"), checkin.summary.strip()]
    if checkin.next_steps.strip():
        lines += ["", _("Next steps:"), checkin.next_steps.strip()]
    return "\n".join(lines)


def _checkin_dates(pairing: Pairing) -> None:
    """The pairing's latest meeting and the next one due, from the check-ins it has now."""
    latest = (
        CheckIn.objects.filter(pairing=pairing)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first()
    )
    pairing.last_checkin_on = latest
    if pairing.is_open:
        start = latest or pairing.started_on or timezone.localdate()
        pairing.next_checkin_due = start + timedelta(days=pairing.program.checkin_cadence_days)
    pairing.save(update_fields=["last_checkin_on", "next_checkin_due"])


def _changes(instance, fields: dict) -> list[str]:
    """The names of the fields whose value `fields` changes."""
    return [name for name, value in fields.items() if getattr(instance, name) != value]


@transaction.atomic
def checkin_update(*, checkin: CheckIn, by: User, **fields) -> CheckIn:
    """The one who logged a meeting corrects it (date, summary, next steps) while the pairing
    is open; the pairing's dates follow the corrected date."""
    _known(fields, CHECKIN_FIELDS, "check-in")
    pairing = _lock(checkin.pairing)
    checkin = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    if checkin.logged_by_id != by.pk:
        raise Forbidden(_("Only the person who logged a check-in changes it."))
    if not pairing.is_open:
        raise MentorshipConflict(_("This pairing has ended; its check-ins stay as they were."))
    changed = _changes(checkin, fields)
    if not changed:
        return checkin
    old_date = checkin.occurred_on
    for name in changed:
        setattr(checkin, name, fields[name])
    _validate(checkin, exclude=["pairing", "logged_by"])
    checkin.save(update_fields=changed)
    checkin.pairing = pairing
    if "occurred_on" in changed:
        _checkin_dates(pairing)
    labels = {name: str(CheckIn._meta.get_field(name).verbose_name) for name in changed}
    detail = _("Meeting on %(date)s: %(fields)s changed") % {
        "date": checkin.occurred_on.isoformat(),
        "fields": ", ".join(labels[name] for name in changed),
    }
    if checkin.occurred_on != old_date:
        detail += " " + _("(was %(date)s)") % {"date": old_date.isoformat()}
    _event(pairing, actor=by, action="checkin_edited", detail=detail)
    return checkin


@transaction.atomic
def checkin_delete(*, checkin: CheckIn, by: User) -> None:
    """The one who logged a meeting removes it while the pairing is open; the pairing's dates
    are those of the meetings that remain."""
    pairing = _lock(checkin.pairing)
    checkin = CheckIn.objects.select_for_update().filter(pk=checkin.pk).first()
    if checkin is None:
        return
    if checkin.logged_by_id != by.pk:
        raise Forbidden(_("Only the person who logged a check-in deletes it."))
    if not pairing.is_open:
        raise MentorshipConflict(_("This pairing has ended; its check-ins stay as they were."))
    occurred_on = checkin.occurred_on
    checkin.delete()
    _checkin_dates(pairing)
    _event(
        pairing,
        actor=by,
        action="checkin_deleted",
        detail=_("Meeting on %(date)s") % {"date": occurred_on.isoformat()},
    )


SURVEY_ANSWER_FIELDS = (
    "match_score",
    "progress_score",
    "goals_met",
    "recommend",
    "comment",
    "shared",
)


def _score(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check_survey_answer(kind: str, fields: dict) -> None:
    """Every question of the survey answered, each in its range; all messages at once."""
    errors: dict = {}
    required = SURVEY_FIELDS[kind]
    for name, low, high in (("match_score", 1, 5), ("progress_score", 1, 5), ("recommend", 0, 10)):
        if name not in fields:
            continue
        value = fields[name]
        if value is None and name in required:
            errors[name] = [_("Please answer this question.")]
        elif value is not None and not _score(value, low, high):
            errors[name] = [
                _("Choose a number from %(low)d to %(high)d.") % {"low": low, "high": high}
            ]
    if "goals_met" in fields:
        value = fields["goals_met"]
        if value not in GoalsMet.values and (value or "goals_met" in required):
            errors["goals_met"] = [_("Choose yes, partly or no.")]
    if errors:
        field, messages = next(iter(errors.items()))
        raise MentorshipError(messages[0], field=field, errors=errors)


def _tell_partner_shared(response: SurveyResponse, by: User) -> None:
    pairing = response.pairing
    partner = pairing.mentee if by.pk == pairing.mentor_id else pairing.mentor
    _tell(
        pairing,
        recipients=[partner],
        actor=by,
        key=f"survey-{response.uuid}",
        what=lambda: (
            _("%(name)s shared their survey answer on your mentorship") % {"name": by.display_name}
        ),
    )


@transaction.atomic
def survey_answer(
    *,
    pairing: Pairing,
    author: User,
    kind: str,
    round: int,
    match_score: int | None,
    progress_score: int | None,
    goals_met: str = "",
    recommend: int | None = None,
    comment: str = "",
    shared: bool = False,
) -> SurveyResponse:
    """`author` answers the survey (kind, round) of their pairing: the pulse round open for
    them today (their own time zone), or the close-out of a pairing that has ended. One answer
    per person, survey and round: a second is refused with the first one (`existing`).
    Answers are recorded in no history the admins read; sharing tells the other side."""
    if author.pk not in (pairing.mentor_id, pairing.mentee_id):
        raise MentorshipError(_("Only the mentor and the mentee answer the pairing's surveys."))
    if kind not in SurveyKind.values:
        raise MentorshipError(_("There is no such survey."), field="kind")
    if policy.open_survey(pairing, day=policy.survey_today(author)) != (kind, round):
        raise MentorshipConflict(_("This survey is not open (any more)."))
    if kind == SurveyKind.PULSE:
        goals_met, recommend = "", None
    fields = {
        "match_score": match_score,
        "progress_score": progress_score,
        "goals_met": goals_met or "",
        "recommend": recommend,
        "comment": comment,
        "shared": bool(shared),
    }
    _check_survey_answer(kind, fields)
    existing = (
        SurveyResponse.objects.select_for_update()
        .filter(pairing=pairing, author=author, kind=kind, round=round)
        .first()
    )
    if existing is not None:
        raise MentorshipDuplicate(
            _("You have answered this survey already; your answer is shown below."),
            existing=existing,
        )
    response = SurveyResponse(pairing=pairing, author=author, kind=kind, round=round, **fields)
    _validate(response, exclude=["pairing", "author"])
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as error:
        # A second request got there first.
        twin = SurveyResponse.objects.filter(
            pairing=pairing, author=author, kind=kind, round=round
        ).first()
        raise MentorshipDuplicate(
            _("You have answered this survey already; your answer is shown below."),
            existing=twin,
        ) from error
    if response.shared:
        _tell_partner_shared(response, author)
    return response


@transaction.atomic
def survey_update(*, response: SurveyResponse, by: User, **fields) -> SurveyResponse:
    """The author corrects their answer, or shares or unshares it with the other side."""
    _known(fields, SURVEY_ANSWER_FIELDS, "survey answer")
    response = SurveyResponse.objects.select_for_update().get(pk=response.pk)
    if response.author_id != by.pk:
        raise Forbidden(_("Only the author changes their answer."))
    allowed = SURVEY_FIELDS[response.kind]
    fields = {name: value for name, value in fields.items() if name in allowed}
    if "goals_met" in fields:
        fields["goals_met"] = fields["goals_met"] or ""
    _check_survey_answer(response.kind, fields)
    changed = _changes(response, fields)
    if not changed:
        return response
    newly_shared = "shared" in changed and fields["shared"]
    for name in changed:
        setattr(response, name, fields[name])
    response.updated_at = timezone.now()
    _validate(response, exclude=["pairing", "author"])
    response.save(update_fields=[*changed, "updated_at"])
    response.pairing = Pairing.objects.select_related("mentor", "mentee").get(
        pk=response.pairing_id
    )
    if newly_shared:
        _tell_partner_shared(response, by)
    return response


@transaction.atomic
def survey_delete(*, response: SurveyResponse, by: User) -> None:
    """The author withdraws their answer; it leaves the aggregates at once, and the survey
    is open to them again while it is the pairing's open one."""
    response = SurveyResponse.objects.select_for_update().filter(pk=response.pk).first()
    if response is None:
        return
    if response.author_id != by.pk:
        raise Forbidden(_("Only the author deletes their answer."))
    response.delete()


# --- CSV imports ----------------------------------------------------------------------------


class ImportRejected(MentorshipError):
    """The file has bad rows; nothing was imported."""

    def __init__(self, preview):
        super().__init__(_("The file has rows with problems; nothing was imported."))
        self.preview = preview


@transaction.atomic
def participants_import(*, program: Program, text: str, by: User) -> dict[str, int]:
    """Import a checked participants file, all or nothing (see `_participants_apply`)."""
    from .csv_import import preview_participants

    refuse_if_ended(program)
    preview = preview_participants(program, text)
    if not preview.ok:
        raise ImportRejected(preview)
    return _participants_apply(program=program, rows=preview.rows, by=by)


def _participants_apply(*, program: Program, rows: list, by: User) -> dict[str, int]:
    """Write checked participant rows: nobody becomes a member without agreeing, so every
    row becomes an invitation (e-mailed) that its person accepts, signing up first if they
    have no account yet, or declines. Rows for people with and without an account are
    treated alike: the result tells the admin only what the file said."""
    invited, already, again = invitations_create_many(program=program, rows=rows, by=by)
    result = {"invitations": invited}
    if already:
        result["already_invited"] = already
    if again:
        result["sent_again"] = again
    return result


def _unanswered_invitations(
    program: Program, emails: list[str]
) -> dict[tuple[str, str], Invitation]:
    """The newest invitation of `program` to each of `emails` in each role that nobody has
    answered (accepted, declined) or withdrawn, expired or not, by (e-mail, role), locked."""
    from .csv_import import _chunks

    found: dict[tuple[str, str], Invitation] = {}
    for chunk in _chunks(sorted(set(emails))):
        for invitation in (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("program")
            .filter(
                program=program,
                email__in=chunk,
                accepted_at__isnull=True,
                declined_at__isnull=True,
                revoked_at__isnull=True,
            )
            .order_by("created_at", "id")
        ):
            found[(invitation.email, invitation.role)] = invitation  # the newest wins
    return found


def _lock_mentors(program: Program) -> None:
    """Lock the mentors' membership rows, so a pairing made on the page while an import runs
    cannot push a mentor over capacity."""
    list(
        Membership.objects.select_for_update()
        .filter(program=program, role=Role.MENTOR)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def pairings_import(*, program: Program, text: str, by: User) -> dict[str, int]:
    """Import a checked mentor_email,mentee_email file as proposed pairings, all or nothing.

    The mentors' membership rows are locked first, so a pairing made on the page while the
    import runs cannot push a mentor over capacity.
    """
    from .csv_import import preview_pairings

    refuse_if_ended(program)
    _lock_mentors(program)
    preview = preview_pairings(program, text)
    if not preview.ok:
        raise ImportRejected(preview)
    return _pairings_apply(program=program, rows=preview.rows, by=by)


def _pairings_apply(*, program: Program, rows: list, by: User) -> dict[str, int]:
    """Write checked pairing rows (the caller holds the mentors' lock) and enqueue the
    notices for after the commit."""
    import uuid as uuid_module

    from .csv_import import _chunks, users_by_email

    users = users_by_email([row.mentor_email for row in rows] + [row.mentee_email for row in rows])
    pairings = [
        Pairing(
            uuid=uuid_module.uuid4(),
            program=program,
            mentor=users[row.mentor_email],
            mentee=users[row.mentee_email],
            status=PairingStatus.PROPOSED,
        )
        for row in rows
    ]
    try:
        with transaction.atomic():
            Pairing.objects.bulk_create(pairings, batch_size=500)
    except IntegrityError as error:
        raise MentorshipError(
            _("Someone paired one of these mentees meanwhile; upload the file again.")
        ) from error
    created: list[Pairing] = []
    for chunk in _chunks([p.uuid for p in pairings]):
        created.extend(
            Pairing.objects.filter(uuid__in=chunk).select_related("program", "mentor", "mentee")
        )
    frequency = _("Every %(days)s days") % {"days": program.checkin_cadence_days}
    Agreement.objects.bulk_create(
        [Agreement(pairing=p, meeting_frequency=frequency, updated_by=by) for p in created],
        batch_size=500,
    )
    PairingEvent.objects.bulk_create(
        [
            PairingEvent(
                pairing=p,
                actor=by,
                action="created",
                detail=_("Imported from a CSV file: %(mentor)s with %(mentee)s") % _pairing_name(p),
            )
            for p in created
        ],
        batch_size=500,
    )
    if program.mentees_choose and created:
        # Mentees paired by the file no longer wait for the mentor they asked.
        mentor_requests_close_for_imported(program=program, pairings=created)
    # The notices leave the request: with a broker a worker sends them; without one (eager
    # tasks) they run right after the commit.
    if created:
        jobs.enqueue_on_commit(
            NOTIFY_IMPORTED_PAIRINGS, uuid_module.uuid4().hex, [p.pk for p in created]
        )
    return {"pairings": len(created)}


# --- Background imports ---------------------------------------------------------------------

# At most this many rows are imported within the request (all or none, as before); a larger
# file becomes an ImportRun that a background task works through in batches.
IMPORT_INLINE_ROWS = 1000
IMPORT_BATCH_ROWS = 500
# Rows skipped by a background run (the database changed since the preview) kept for the
# result page.
IMPORT_SKIPPED_KEPT = 200
# An unfinished run without progress for this long lost its job; its page resumes it.
IMPORT_STALE_AFTER = timedelta(minutes=2)


def _import_apply(*, run: ImportRun, rows: list) -> dict:
    """Check one batch again against the database and write its good rows; the others are
    reported as skipped."""
    from .csv_import import check_pairings, check_participants

    if run.kind == "pairings":
        _lock_mentors(run.program)
        checked = check_pairings(run.program, rows)
        outcome = _pairings_apply(program=run.program, rows=checked.rows, by=run.by)
    else:
        checked = check_participants(run.program, rows)
        outcome = _participants_apply(program=run.program, rows=checked.rows, by=run.by)
    outcome["skipped"] = skipped_rows(checked.errors)
    return outcome


def skipped_rows(errors: list) -> list[dict]:
    """One entry per line of the file that is not imported, with all its reasons."""
    reasons: dict[int, list[str]] = {}
    for error in errors:
        reasons.setdefault(error.line, []).append(error.reason)
    return [{"line": line, "reason": " ".join(r)} for line, r in sorted(reasons.items())]


def _merge_result(result: dict, outcome: dict) -> dict:
    merged = dict(result)
    for key, value in outcome.items():
        if key == "skipped":
            if not value:
                continue
            kept = merged.get("skipped", [])
            merged["skipped"] = (kept + value)[:IMPORT_SKIPPED_KEPT]
            merged["skipped_count"] = merged.get("skipped_count", 0) + len(value)
        else:
            merged[key] = merged.get(key, 0) + value
    return merged


@transaction.atomic
def import_start(
    *,
    program: Program,
    kind: str,
    text: str,
    by: User,
    filename: str = "",
    inline_rows: int | None = None,
    batch_rows: int | None = None,
    skip_bad_rows: bool = False,
    file_header: list[str] | None = None,
) -> ImportRun:
    """Check a confirmed file again and record it as an ImportRun.

    A file of at most `inline_rows` rows is imported here, all or none, and the run is done
    when this returns. A larger one is cut into batches and handed to the background task
    (after the commit): each batch is its own transaction, so the import goes on when the
    browser is closed and the page shows how far it got. Raises ImportRejected when a row
    is bad now, unless `skip_bad_rows`: then the good rows are imported and the others are
    reported in the run's result as skipped, with their reasons, and kept as a file with the
    file's own column names (`file_header`, when they were matched to ours) and a reason
    column (nothing to import at all is still ImportRejected)."""
    from .csv_import import batches_of, preview_pairings, preview_participants, skipped_file

    if kind not in ("participants", "pairings"):
        raise MentorshipError(_("Unknown kind of import."))
    refuse_if_ended(program)
    inline_rows = IMPORT_INLINE_ROWS if inline_rows is None else inline_rows
    batch_rows = batch_rows or IMPORT_BATCH_ROWS
    if kind == "pairings":
        _lock_mentors(program)
        preview = preview_pairings(program, text)
    else:
        preview = preview_participants(program, text)
    if not preview.rows or (preview.errors and not skip_bad_rows):
        raise ImportRejected(preview)
    left_out = skipped_rows(preview.errors)
    skipped = _merge_result({}, {"skipped": left_out})
    skipped_csv = skipped_file(text, left_out, file_header) if left_out else ""
    total = len(preview.rows)
    now = timezone.now()
    if total <= inline_rows:
        if kind == "pairings":
            result = _pairings_apply(program=program, rows=preview.rows, by=by)
        else:
            result = _participants_apply(program=program, rows=preview.rows, by=by)
        result.update(skipped)
        return ImportRun.objects.create(
            program=program,
            kind=kind,
            filename=filename[:200],
            by=by,
            status=ImportRunStatus.DONE,
            rows_total=total,
            rows_done=total,
            batches_done=1,
            result=result,
            skipped_csv=skipped_csv,
            started_at=now,
            finished_at=now,
        )
    run = ImportRun.objects.create(
        program=program,
        kind=kind,
        filename=filename[:200],
        by=by,
        batches=batches_of(kind, preview.rows, batch_rows),
        rows_total=total,
        result=skipped,
        skipped_csv=skipped_csv,
    )
    jobs.enqueue_on_commit(IMPORT_RUN_PROCESS, run.pk)
    return run


def import_run_process(*, run_id: int) -> ImportRun | None:
    """Work through a run's batches from the first one not done yet. Each batch commits
    together with `batches_done`, under a lock on the run's row: a task that is retried or
    delivered twice carries on after the last batch committed, and never imports a row
    twice. Returns the run as it ends (None if it no longer exists)."""
    from .csv_import import rows_of

    head = ImportRun.objects.filter(pk=run_id).first()
    if head is None or head.finished:
        return head
    batches = head.batches
    while True:
        with transaction.atomic():
            run = (
                ImportRun.objects.select_for_update(of=("self",))
                .select_related("program", "by")
                .defer("batches")
                .filter(pk=run_id)
                .first()
            )
            if run is None or run.finished:
                return run
            now = timezone.now()
            if run.status == ImportRunStatus.PENDING:
                run.status = ImportRunStatus.RUNNING
                run.started_at = now
            index = run.batches_done
            if index >= len(batches):
                run.status = ImportRunStatus.DONE
                run.finished_at = now
                run.save(update_fields=["status", "started_at", "finished_at"])
                return run
            rows = rows_of(run.kind, batches[index])
            try:
                with transaction.atomic():
                    outcome = _import_apply(run=run, rows=rows)
            except MentorshipError as error:
                run.status = ImportRunStatus.FAILED
                run.error = error.message
                run.finished_at = now
                run.save(update_fields=["status", "started_at", "error", "finished_at"])
                return run
            run.result = _merge_result(run.result, outcome)
            run.batches_done = index + 1
            run.rows_done += len(rows)
            run.updated_at = timezone.now()
            run.save(
                update_fields=[
                    "status",
                    "started_at",
                    "result",
                    "batches_done",
                    "rows_done",
                    "updated_at",
                ]
            )


@transaction.atomic
def import_run_resume_if_stale(*, run: ImportRun) -> bool:
    """Hand an unfinished run to the broker again when it made no progress for
    IMPORT_STALE_AFTER (its job was lost: Redis emptied, or unreachable when the run was
    confirmed). Harmless if the job was only slow: batches are claimed under the run's lock,
    so two tasks share the remaining batches. Returns whether it was handed over again."""
    stale_before = timezone.now() - IMPORT_STALE_AFTER
    touched = (
        ImportRun.objects.filter(pk=run.pk, updated_at__lt=stale_before)
        .exclude(status__in=[ImportRunStatus.DONE, ImportRunStatus.FAILED])
        .update(updated_at=timezone.now())
    )
    if touched:
        jobs.enqueue_on_commit(IMPORT_RUN_PROCESS, run.pk)
    return bool(touched)


def import_runs_resume_stale() -> int:
    """Every unfinished run that made no progress for IMPORT_STALE_AFTER, handed to the
    broker again (beat runs this every minute, so a run whose job was lost goes on without
    anyone opening its page). Returns how many were handed over."""
    stale_before = timezone.now() - IMPORT_STALE_AFTER
    runs = ImportRun.objects.filter(updated_at__lt=stale_before).exclude(
        status__in=[ImportRunStatus.DONE, ImportRunStatus.FAILED]
    )
    return sum(import_run_resume_if_stale(run=run) for run in runs.only("pk"))


@transaction.atomic
def import_run_fail(*, run_id: int, error: str) -> None:
    """Record that a run stopped on an unexpected error (the batches done stay done)."""
    ImportRun.objects.filter(pk=run_id).exclude(
        status__in=[ImportRunStatus.DONE, ImportRunStatus.FAILED]
    ).update(status=ImportRunStatus.FAILED, error=error, finished_at=timezone.now())


@transaction.atomic
def pairings_imported_notify(*, program: Program, pairings: list[Pairing], batch: str) -> None:
    """Tell the people of imported pairings: one inbox notice per person, without an e-mail
    each (a 4,500-row file would otherwise send 9,000 e-mails); mentors get one notice for
    all their new mentees. The keys include `batch`, so running it twice sends nothing new."""
    url = reverse("mentorship:my_pairings")
    by_mentor: dict[int, list[Pairing]] = {}
    for pairing in pairings:
        by_mentor.setdefault(pairing.mentor_id, []).append(pairing)
        notify(
            recipient=pairing.mentee,
            kind=Kind.PAIRING_CHANGED,
            dedupe_key=f"pairing-import:{batch}:{pairing.mentee_id}",
            title=lambda: (
                _("%(mentor)s is your proposed mentor in %(program)s; please accept the agreement")
                % {"mentor": pairing.mentor.display_name, "program": program.name}
            ),
            url=url,
            send_email=False,
        )
    for mentor_pairings in by_mentor.values():
        mentor = mentor_pairings[0].mentor
        names = ", ".join(p.mentee.display_name for p in mentor_pairings[:5])
        notify(
            recipient=mentor,
            kind=Kind.PAIRING_CHANGED,
            dedupe_key=f"pairing-import:{batch}:{mentor.pk}",
            title=lambda: (
                _("New mentees for you in %(program)s: %(names)s%(more)s")
                % {
                    "program": program.name,
                    "names": names,
                    "more": "…" if len(mentor_pairings) > 5 else "",
                }
            ),
            url=url,
            send_email=False,
        )


# --- Mentee choice: a mentee asks a mentor --------------------------------------------------


def _request_url(mentor_request: MentorRequest) -> str:
    return reverse("mentorship:mentor_request_detail", args=[mentor_request.uuid])


def _choose_url(program: Program) -> str:
    return reverse("mentorship:mentor_choose", args=[program.uuid])


def _request_words(mentor_request: MentorRequest) -> dict:
    return {
        "mentee": mentor_request.mentee.user.display_name,
        "mentor": mentor_request.mentor.user.display_name,
        "program": mentor_request.program.name,
    }


def _request_state_message(mentor_request: MentorRequest) -> str:
    """Why a request that is no longer waiting cannot be answered or withdrawn."""
    return {
        MentorRequestStatus.ACCEPTED: _("This request was accepted already."),
        MentorRequestStatus.DECLINED: _("This request was declined already."),
        MentorRequestStatus.WITHDRAWN: _("This request was withdrawn."),
        MentorRequestStatus.LAPSED: _("This request lapsed: it was not answered in time."),
    }.get(mentor_request.status, _("This request is no longer waiting for an answer."))


def _lock_request(mentor_request: MentorRequest) -> MentorRequest:
    return (
        MentorRequest.objects.select_for_update(of=("self",))
        .select_related("program", "mentee__user", "mentor__user")
        .get(pk=mentor_request.pk)
    )


def _already_asked(program: Program) -> MentorshipConflict:
    return MentorshipConflict(
        _(
            "You have asked a mentor in %(program)s already and are waiting for the answer. "
            "Withdraw that request first to ask someone else."
        )
        % {"program": program.name}
    )


@transaction.atomic
def mentor_request_create(
    *, mentee_membership: Membership, mentor_membership: Membership, message: str = ""
) -> MentorRequest:
    """An unpaired mentee asks one of her top suggestions to mentor her.

    1. Refused with a message: a program where mentees do not choose (or not active), a
       mentee with an open pairing, a mentor who is not among her shown suggestions or is
       full, and a second request while one waits (one at a time, backed by the constraint
       `mentor_request_one_pending_per_mentee`).
    2. The request waits `program.request_expires_days` for the mentor's answer.
    3. The mentor is told by e-mail and in the inbox.
    """
    program = mentee_membership.program
    if mentee_membership.role != Role.MENTEE:
        raise MentorshipError(_("Only mentees ask for a mentor."))
    refuse_if_ended(program)
    if not (program.is_active and program.mentees_choose):
        raise MentorshipError(
            _("In %(program)s the program's admins pair mentees with mentors.")
            % {"program": program.name}
        )
    message = message.strip()
    if len(message) > MENTOR_REQUEST_MESSAGE_MAX:
        raise MentorshipError(
            _("Write at most %(n)s characters.") % {"n": f"{MENTOR_REQUEST_MESSAGE_MAX:,}"},
            field="message",
        )
    if Pairing.objects.filter(
        program=program, mentee_id=mentee_membership.user_id, status__in=OPEN_PAIRING_STATUSES
    ).exists():
        raise MentorshipConflict(_("You have a mentor in this program already."))
    if MentorRequest.objects.filter(
        mentee=mentee_membership, status=MentorRequestStatus.PENDING
    ).exists():
        raise _already_asked(program)
    choice = next(
        (s for s in mentor_choices(mentee_membership) if s.membership.pk == mentor_membership.pk),
        None,
    )
    if choice is None:
        raise MentorshipError(_("Choose one of the mentors suggested to you."), field="mentor")
    if not choice.can_pair:
        raise MentorshipConflict(
            _("%(name)s has no free place at the moment; choose another mentor.")
            % {"name": choice.membership.user.display_name},
            field="mentor",
        )
    now = timezone.now()
    mentor_request = MentorRequest(
        program=program,
        mentee=mentee_membership,
        mentor=choice.membership,
        message=message,
        expires_at=now + timedelta(days=program.request_expires_days),
    )
    try:
        with transaction.atomic():
            mentor_request.save()
    except IntegrityError as error:
        # The same mentee asking twice at once: the constraint lets one through.
        raise _already_asked(program) from error
    words = _request_words(mentor_request)
    notify(
        recipient=choice.membership.user,
        kind=Kind.MENTOR_REQUEST_RECEIVED,
        dedupe_key=f"mentor-request:{mentor_request.uuid}:received",
        title=lambda: _("%(mentee)s asks you to be their mentor in %(program)s") % words,
        body=lambda: "\n\n".join(
            part
            for part in (
                message,
                _("Please accept or decline by %(date)s; after that the request lapses.")
                % {"date": written(mentor_request.expires_at.date())},
            )
            if part
        ),
        url=_request_url(mentor_request),
    )
    return mentor_request


@transaction.atomic
def mentor_request_accept(*, mentor_request: MentorRequest, by: User) -> Pairing:
    """The mentor says yes: the pairing is made, proposed, with its agreement (pairing_create)
    for both to accept, as any pairing (the mentee consented to the pairing by asking, the
    mentor by accepting; the agreement's terms are still theirs to read and accept).

    1. The mentor's membership row is locked first: two requests accepted at once for the
       mentor's last free place wait for each other, and the second finds the mentor full
       (MentorshipConflict), as does an admin's pairing racing it (_check_can_pair locks the
       same row).
    2. The request's row is locked and must still wait, unexpired.
    3. The request is marked accepted and points to the pairing; pairing_create tells the
       mentee (her new pairing, what to do next).
    """
    mentor_membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=mentor_request.mentor_id)
    )
    locked = _lock_request(mentor_request)
    if by.pk != locked.mentor.user_id:
        raise Forbidden(_("Only the mentor who was asked answers the request."))
    if not locked.is_pending:
        raise MentorshipConflict(_request_state_message(locked))
    if locked.expires_at <= timezone.now():
        raise MentorshipConflict(_request_state_message(MentorRequest(status="lapsed")))
    program = locked.program
    if open_pairing_count(program=program, mentor=mentor_membership.user) >= (
        mentor_membership.capacity
    ):
        raise MentorshipConflict(
            ngettext(
                "You have no free place left: you mentor %(n)s person, your capacity. Raise "
                "your capacity or decline the request.",
                "You have no free place left: you mentor %(n)s people, your capacity. Raise "
                "your capacity or decline the request.",
                mentor_membership.capacity,
            )
            % {"n": mentor_membership.capacity}
        )
    now = timezone.now()
    changed = MentorRequest.objects.filter(pk=locked.pk, status=MentorRequestStatus.PENDING).update(
        status=MentorRequestStatus.ACCEPTED, decided_at=now
    )
    if changed != 1:
        locked.refresh_from_db()
        raise MentorshipConflict(_request_state_message(locked))
    pairing = pairing_create(
        program=program, mentor=mentor_membership.user, mentee=locked.mentee.user, by=by
    )
    MentorRequest.objects.filter(pk=locked.pk).update(pairing=pairing)
    locked.status, locked.decided_at, locked.pairing = MentorRequestStatus.ACCEPTED, now, pairing
    _event(
        pairing,
        actor=by,
        action="from_request",
        detail=_("%(mentee)s asked %(mentor)s, who accepted") % _request_words(locked),
    )
    return pairing


@transaction.atomic
def mentor_request_decline(
    *, mentor_request: MentorRequest, by: User, reason: str = ""
) -> MentorRequest:
    """The mentor says no, with an optional reason; the mentee is told and may ask another."""
    reason = reason.strip()
    if len(reason) > 500:
        raise MentorshipError(_("Write at most 500 characters."), field="reason")
    locked = _lock_request(mentor_request)
    if by.pk != locked.mentor.user_id:
        raise Forbidden(_("Only the mentor who was asked answers the request."))
    if not locked.is_pending:
        raise MentorshipConflict(_request_state_message(locked))
    now = timezone.now()
    MentorRequest.objects.filter(pk=locked.pk, status=MentorRequestStatus.PENDING).update(
        status=MentorRequestStatus.DECLINED, decided_at=now, decline_reason=reason
    )
    locked.status, locked.decided_at, locked.decline_reason = (
        MentorRequestStatus.DECLINED,
        now,
        reason,
    )
    notify(
        recipient=locked.mentee.user,
        kind=Kind.MENTOR_REQUEST_ANSWERED,
        dedupe_key=f"mentor-request:{locked.uuid}:answered",
        title=lambda: _("%(mentor)s declined your request in %(program)s") % _request_words(locked),
        body=lambda: "\n\n".join(
            part for part in (reason, _("You may ask another of your suggested mentors.")) if part
        ),
        url=_choose_url(locked.program),
    )
    return locked


@transaction.atomic
def mentor_request_withdraw(*, mentor_request: MentorRequest, by: User) -> MentorRequest:
    """The mentee takes back a request still waiting; the mentor's notice of it goes too (or,
    once delivered, the mentor is told in the inbox)."""
    locked = _lock_request(mentor_request)
    if by.pk != locked.mentee.user_id:
        raise Forbidden(_("Only the mentee who asked withdraws the request."))
    if not locked.is_pending:
        raise MentorshipConflict(_request_state_message(locked))
    _close_request(locked, status=MentorRequestStatus.WITHDRAWN)
    if not notification_withdraw(dedupe_key=f"mentor-request:{locked.uuid}:received"):
        notify(
            recipient=locked.mentor.user,
            kind=Kind.MENTOR_REQUEST_RECEIVED,
            dedupe_key=f"mentor-request:{locked.uuid}:withdrawn",
            title=lambda: (
                _("%(mentee)s withdrew the request in %(program)s") % _request_words(locked)
            ),
            url=_request_url(locked),
            send_email=False,
        )
    return locked


def _close_request(mentor_request: MentorRequest, *, status: str) -> bool:
    """Move a waiting request to `status` with a conditional update; whether it moved."""
    now = timezone.now()
    changed = MentorRequest.objects.filter(
        pk=mentor_request.pk, status=MentorRequestStatus.PENDING
    ).update(status=status, decided_at=now)
    if changed:
        mentor_request.status, mentor_request.decided_at = status, now
    return bool(changed)


def mentor_requests_lapse_expired(*, now=None) -> int:
    """Every waiting request past its time lapses; the mentee is told once (the answer's
    dedupe key, which a decline would have used) and may ask another, the mentor learns it in
    the inbox. Each request is claimed with a conditional update in its own transaction, so
    a second run, or two at once, lapse and tell nothing twice. Returns how many lapsed."""
    now = now or timezone.now()
    due = list(
        MentorRequest.objects.filter(status=MentorRequestStatus.PENDING, expires_at__lte=now)
        .select_related("program", "mentee__user", "mentor__user")
        .order_by("expires_at", "id")[:1000]
    )
    lapsed = 0
    for mentor_request in due:
        with transaction.atomic():
            if not _close_request(mentor_request, status=MentorRequestStatus.LAPSED):
                continue
            lapsed += 1
            words = _request_words(mentor_request)
            notify(
                recipient=mentor_request.mentee.user,
                kind=Kind.MENTOR_REQUEST_ANSWERED,
                dedupe_key=f"mentor-request:{mentor_request.uuid}:answered",
                title=lambda: _("Your request to %(mentor)s in %(program)s lapsed") % words,
                body=lambda: (
                    _(
                        "%(mentor)s did not answer in time. You may ask another of your "
                        "suggested mentors."
                    )
                    % words
                ),
                url=_choose_url(mentor_request.program),
            )
            notify(
                recipient=mentor_request.mentor.user,
                kind=Kind.MENTOR_REQUEST_RECEIVED,
                dedupe_key=f"mentor-request:{mentor_request.uuid}:lapsed",
                title=lambda: _("%(mentee)s's request in %(program)s lapsed unanswered") % words,
                url=_request_url(mentor_request),
                send_email=False,
            )
    return lapsed


def mentor_requests_close_for_imported(*, program: Program, pairings: list[Pairing]) -> int:
    """A CSV import's pairings: the waiting request of each mentee it paired is withdrawn,
    with the same notices as a hand pairing. One query finds them, however large the file."""
    from .csv_import import _chunks

    by_mentee = {pairing.mentee_id: pairing for pairing in pairings}
    closed = 0
    for chunk in _chunks(sorted(by_mentee)):
        mentee_ids = list(
            MentorRequest.objects.filter(
                program=program, mentee__user_id__in=chunk, status=MentorRequestStatus.PENDING
            ).values_list("mentee__user_id", flat=True)
        )
        for mentee_id in mentee_ids:
            pairing = by_mentee[mentee_id]
            closed += mentor_requests_close_for_paired_mentee(
                program=program, mentee=pairing.mentee, pairing=pairing, by=None
            )
    return closed


def mentor_requests_close_for_paired_mentee(
    *, program: Program, mentee: User, pairing: Pairing, by: User | None
) -> int:
    """A mentee paired another way (an admin by hand, a reassignment) no longer waits for
    the mentor she asked: her waiting request is withdrawn and both are told. Called by
    pairing_create in its transaction; an accepted request is no longer waiting by then."""
    waiting = list(
        MentorRequest.objects.select_for_update(of=("self",))
        .select_related("program", "mentee__user", "mentor__user")
        .filter(program=program, mentee__user=mentee, status=MentorRequestStatus.PENDING)
    )
    for mentor_request in waiting:
        if not _close_request(mentor_request, status=MentorRequestStatus.WITHDRAWN):
            continue
        words = {**_request_words(mentor_request), "paired": pairing.mentor_name}
        notify(
            recipient=mentor_request.mentee.user,
            kind=Kind.MENTOR_REQUEST_ANSWERED,
            dedupe_key=f"mentor-request:{mentor_request.uuid}:answered",
            title=lambda: (
                _(
                    "You are paired with %(paired)s in %(program)s; your request to %(mentor)s "
                    "is withdrawn"
                )
                % words
            ),
            url=reverse("mentorship:pairing_detail", args=[pairing.uuid]),
        )
        notification_withdraw(dedupe_key=f"mentor-request:{mentor_request.uuid}:received")
        notify(
            recipient=mentor_request.mentor.user,
            kind=Kind.MENTOR_REQUEST_RECEIVED,
            dedupe_key=f"mentor-request:{mentor_request.uuid}:withdrawn",
            title=lambda: (
                _("%(mentee)s was paired by the program's admins; the request is withdrawn") % words
            ),
            url=_request_url(mentor_request),
            send_email=False,
        )
    return len(waiting)


# --- Conversation -----------------------------------------------------------------------------


def _conversation_url(pairing: Pairing, message: Message | None = None) -> str:
    url = reverse("mentorship:pairing_conversation", args=[pairing.uuid])
    return f"{url}#message-{message.uuid}" if message is not None else url


def _message_key(pairing: Pairing, message: Message) -> str:
    return f"message:{pairing.uuid}:{message.uuid}"


def _message_text(body: str) -> str:
    # PostgreSQL cannot store NUL characters in text.
    text = (body or "").replace("\x00", "").strip()
    if not text:
        raise MentorshipError(_("Write a message first."), field="body")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise MentorshipError(
            _("A message holds at most %(n)d characters; this one has %(len)d.")
            % {"n": MESSAGE_MAX_LENGTH, "len": len(text)},
            field="body",
        )
    return text


def _check_conversation_open(pairing: Pairing) -> None:
    reason = policy.conversation_closed_reason(pairing)
    if reason is not None:
        raise MentorshipConflict(reason)


def _other_side(pairing: Pairing, user: User) -> User | None:
    return pairing.mentee if pairing.mentor_id == user.pk else pairing.mentor


def _notify_message(pairing: Pairing, message: Message, author: User) -> None:
    """Tell the other side, gathered with other notices arriving within a few minutes and
    held through their quiet hours (notifications.notify); nothing if their account is gone
    or they switched messages off."""
    recipient = _other_side(pairing, author)
    if recipient is None:
        return
    notify(
        recipient=recipient,
        kind=Kind.MESSAGE,
        dedupe_key=_message_key(pairing, message),
        title=lambda: _("%(author)s wrote to you") % {"author": author.display_name},
        body=message.body[:1000],
        url=_conversation_url(pairing, message),
        payload={"pairing": str(pairing.uuid), "message_id": message.pk},
    )


@transaction.atomic
def message_post(
    *,
    pairing: Pairing,
    author: User,
    body: str,
    goal: Goal | None = None,
    milestone: Milestone | None = None,
    meeting: Meeting | None = None,
) -> Message:
    """Add a message to the pair's conversation, from one of its two sides, while the pairing
    runs; optionally pointing at a goal or a milestone both sides may see, or at one of the
    pair's meetings. The other side
    is told (gathered e-mail). Posting marks the thread read for its author."""
    pairing = _lock(pairing)
    if author.pk not in (pairing.mentor_id, pairing.mentee_id):
        raise Forbidden(_("Only the mentor and the mentee write in their conversation."))
    _check_conversation_open(pairing)
    text = _message_text(body)
    if meeting is not None:
        goal = milestone = None
        if meeting.pairing_id != pairing.pk:
            raise MentorshipError(_("Choose one of your own meetings."), field="about")
    elif milestone is not None:
        goal = None
        if milestone.kind != MilestoneKind.MILESTONE or not goals_policy.shared_in_pairing(
            milestone.goal, pairing
        ):
            raise MentorshipError(_("Choose a milestone you both can see."), field="about")
    elif goal is not None and not goals_policy.shared_in_pairing(goal, pairing):
        raise MentorshipError(_("Choose a goal you both can see."), field="about")
    same = _recent(Message.objects.filter(pairing=pairing, author=author, body=text))
    if same is not None:
        raise MentorshipDuplicate(_("This message was sent a moment ago."), existing=same)
    message = Message.objects.create(
        pairing=pairing, author=author, body=text, goal=goal, milestone=milestone, meeting=meeting
    )
    _mark_read(pairing=pairing, user=author, up_to=message.pk)
    _notify_message(pairing, message, author)
    return message


def _check_own_message(message: Message, by: User) -> None:
    if message.author_id is None or message.author_id != by.pk:
        raise Forbidden(_("Only its author changes a message."))
    if message.deleted_at is not None:
        raise MentorshipConflict(_("This message was deleted."))


@transaction.atomic
def message_edit(*, message: Message, by: User, body: str) -> Message:
    """Correct one's own message while the conversation is open; it shows as edited. An
    e-mail not yet sent about it carries the corrected text."""
    pairing = _lock(message.pairing)
    _check_own_message(message, by)
    _check_conversation_open(pairing)
    text = _message_text(body)
    if text == message.body:
        return message
    message.body = text
    message.edited_at = timezone.now()
    message.save(update_fields=["body", "edited_at"])
    if notification_withdraw(dedupe_key=_message_key(pairing, message)):
        _notify_message(pairing, message, by)
    return message


@transaction.atomic
def message_delete(*, message: Message, by: User) -> Message:
    """Take back one's own message while the conversation is open: its text and what it
    pointed at are gone, the thread shows that a message was deleted; an e-mail not yet sent
    about it is withdrawn."""
    pairing = _lock(message.pairing)
    _check_own_message(message, by)
    _check_conversation_open(pairing)
    message.body = ""
    message.goal = None
    message.milestone = None
    message.deleted_at = timezone.now()
    message.save(update_fields=["body", "goal", "milestone", "deleted_at"])
    notification_withdraw(dedupe_key=_message_key(pairing, message))
    return message


def _mark_read(*, pairing: Pairing, user: User, up_to: int) -> bool:
    """Move the person's read mark forward to message `up_to` (never back)."""
    now = timezone.now()
    moved = MessageRead.objects.filter(
        pairing=pairing, user=user, last_read_message_id__lt=up_to
    ).update(last_read_message_id=up_to, read_at=now)
    if moved:
        return True
    try:
        with transaction.atomic():
            MessageRead.objects.create(
                pairing=pairing, user=user, last_read_message_id=up_to, read_at=now
            )
    except IntegrityError:
        return False  # a mark already there, at or beyond `up_to`
    return True


@transaction.atomic
def conversation_mark_read(*, pairing: Pairing, user: User, up_to: Message) -> bool:
    """The person has read the conversation up to the message `up_to`: the other side's
    messages up to it are no longer unread, and notices of them not yet e-mailed are
    withdrawn (those already sent are marked read in the inbox). Returns whether the mark
    moved."""
    if user.pk not in (pairing.mentor_id, pairing.mentee_id):
        return False
    moved = _mark_read(pairing=pairing, user=user, up_to=up_to.pk)
    if moved:
        notifications_settle(
            recipient=user,
            kind=Kind.MESSAGE,
            dedupe_prefix=f"message:{pairing.uuid}:",
            where=Q(payload__message_id__lte=up_to.pk),
        )
    return moved
