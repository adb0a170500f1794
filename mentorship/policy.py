"""Who may see and change what in the mentoring domain: the one access policy every view uses.

Someone outside an object's relationships gets 404 (they may not know it exists); someone who
may see it but not change it gets 403.

- A program's pages belong to its admins. Its mentors and mentees know the program exists,
  so they get 403; everyone else 404.
- A pairing is seen by its mentor, its mentee and the admins of its program. The mentor and
  the mentee change an open pairing (agreement, check-ins); a closed pairing is read-only to
  them. Admins change its status (pause, end, reassign) but do not log the pair's meetings or
  accept their agreement.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Membership, Pairing, Program, Role

MENTOR = "mentor"
MENTEE = "mentee"
ADMIN = "admin"


def _uuid_or_404(value):
    # URL converters already give UUIDs; a string from elsewhere that is not one is a 404.
    if value is None:
        raise Http404
    return value


def get_program_for_admin(user, program_uuid) -> Program:
    """The program, if `user` is one of its admins; 403 for its other members, 404 for
    everyone else. One query: the user's memberships in it, with the program."""
    if not user.is_authenticated:
        raise Http404
    memberships = list(
        Membership.objects.filter(program__uuid=_uuid_or_404(program_uuid), user=user)
        .select_related("program")
        .order_by()
    )
    if not memberships:
        raise Http404
    if any(m.role == Role.ADMIN for m in memberships):
        return memberships[0].program
    raise PermissionDenied


def can_create_program(user) -> bool:
    """Staff, and people who already run a program, may start another."""
    if not user.is_authenticated:
        return False
    return user.is_staff or Membership.objects.filter(user=user, role=Role.ADMIN).exists()


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
    def can_give_feedback(self) -> bool:
        """Feedback is given at any time, also after the pairing ends."""
        return self.is_participant

    @property
    def can_manage(self) -> bool:
        """Pause, resume, complete, end and reassign: the program's admins."""
        return self.is_admin


def get_pairing_for_user(user, pairing_uuid) -> tuple[Pairing, str]:
    """The pairing and the user's role in it ("mentor", "mentee" or "admin"); 404 for anyone
    who is neither side of it nor an admin of its program."""
    access = pairing_access(user, pairing_uuid)
    return access.pairing, access.role


def pairing_access(user, pairing_uuid) -> PairingAccess:
    if not user.is_authenticated:
        raise Http404
    pairing = (
        Pairing.objects.select_related("program", "mentor", "mentee", "agreement")
        .filter(uuid=_uuid_or_404(pairing_uuid))
        .first()
    )
    if pairing is None:
        raise Http404
    if pairing.mentor_id == user.pk:
        return PairingAccess(pairing, MENTOR)
    if pairing.mentee_id == user.pk:
        return PairingAccess(pairing, MENTEE)
    if Membership.objects.filter(
        program_id=pairing.program_id, user=user, role=Role.ADMIN
    ).exists():
        return PairingAccess(pairing, ADMIN)
    raise Http404


def require(allowed: bool) -> None:
    """Raise 403 unless `allowed`; used after the object was found visible."""
    if not allowed:
        raise PermissionDenied


def audience(*, people=(), programs=(), program_admins=()) -> set[int]:
    """Everyone who may see something about these people or programs: the inverse of the
    rules above and of the goal rules (goals/policy.py), widened rather than narrowed where
    that is simpler. One query.

    - people: the people themselves, everyone they were ever paired with (either side, any
      status: past mentors keep read access) and the admins of every program they are in;
    - programs: every member of those programs;
    - program_admins: the admins of those programs.
    """
    people = {p for p in people if p is not None}
    programs = {p for p in programs if p is not None}
    program_admins = {p for p in program_admins if p is not None}
    queries = []
    if people:
        queries += [
            Pairing.objects.filter(mentee_id__in=people).values_list("mentor_id"),
            Pairing.objects.filter(mentor_id__in=people).values_list("mentee_id"),
            Membership.objects.filter(
                role=Role.ADMIN,
                program__in=Membership.objects.filter(user_id__in=people).values("program_id"),
            ).values_list("user_id"),
        ]
    if programs:
        queries.append(Membership.objects.filter(program_id__in=programs).values_list("user_id"))
    if program_admins:
        queries.append(
            Membership.objects.filter(program_id__in=program_admins, role=Role.ADMIN).values_list(
                "user_id"
            )
        )
    found = set(people)
    if queries:
        first, *rest = [q.order_by() for q in queries]
        found.update(row[0] for row in first.union(*rest))
    return found
