"""Who may see and change a goal: the one place these rules are written.

Rules (DESIGN.md, "Who may see what"):

1. The mentee owns her goals: she sees and changes everything in them.
2. A mentor sees a mentee's goal only through a pairing between the two of them (in the goal's
   program), and only when the goal's visibility is "mentor" or "program". An open pairing
   (proposed, active, paused) lets the mentor read, comment and acknowledge updates; a past
   pairing (completed, ended) lets the mentor read only. A mentor never edits the goal.
3. An admin of the goal's program (or of its pairing's program) sees the title, status,
   progress and health of goals shared beyond the mentee; everything else only when the
   visibility is "program". A private goal ("only me") is invisible to admins.
4. Everyone else: the goal does not exist for them (404). Visible but not changeable: 403.

Views call `goal_access`; list pages use `Goal.objects.visible_to(user)`, which applies
`goal_visibility_filter` below, so object and list rules cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from mentorship.models import OPEN_PAIRING_STATUSES, Membership, Pairing, Role

from .models import Goal, Visibility

SHARED_WITH_MENTOR = (Visibility.MENTOR, Visibility.PROGRAM)


class Level(IntEnum):
    NONE = 0
    SUMMARY = 1  # program admin: title, status, progress, health
    READ = 2  # past mentor; program admin when visibility is "program"
    FEEDBACK = 3  # mentor in an open pairing: read, comment, acknowledge
    OWNER = 4  # the mentee herself


@dataclass(frozen=True)
class GoalAccess:
    level: Level
    role: str = ""  # "mentee", "mentor", "admin" or ""

    @property
    def exists(self) -> bool:
        return self.level > Level.NONE

    @property
    def can_see_details(self) -> bool:
        return self.level >= Level.READ

    @property
    def can_comment(self) -> bool:
        return self.level in (Level.FEEDBACK, Level.OWNER)

    @property
    def can_acknowledge(self) -> bool:
        return self.level == Level.FEEDBACK

    @property
    def can_edit(self) -> bool:
        return self.level == Level.OWNER

    @property
    def is_owner(self) -> bool:
        return self.level == Level.OWNER

    @property
    def is_mentor(self) -> bool:
        return self.role == "mentor"


NO_ACCESS = GoalAccess(Level.NONE)


def goal_access(user, goal: Goal) -> GoalAccess:
    """The access `user` has to `goal` (at most two small queries)."""
    if user is None or not user.is_authenticated:
        return NO_ACCESS
    if goal.mentee_id == user.pk:
        return GoalAccess(Level.OWNER, "mentee")
    best = NO_ACCESS
    if goal.visibility in SHARED_WITH_MENTOR:
        pairings = Pairing.objects.filter(mentor=user, mentee_id=goal.mentee_id)
        if goal.program_id is not None:
            pairings = pairings.filter(program_id=goal.program_id)
        statuses = set(pairings.values_list("status", flat=True))
        if statuses & set(OPEN_PAIRING_STATUSES):
            best = GoalAccess(Level.FEEDBACK, "mentor")
        elif statuses:
            best = GoalAccess(Level.READ, "mentor")
    if goal.visibility != Visibility.PRIVATE and best.level < Level.READ:
        program_ids = {goal.program_id}
        if goal.pairing_id is not None:
            program_ids.add(goal.pairing.program_id)
        program_ids.discard(None)
        if (
            program_ids
            and Membership.objects.filter(
                user=user, role=Role.ADMIN, program_id__in=program_ids
            ).exists()
        ):
            level = Level.READ if goal.visibility == Visibility.PROGRAM else Level.SUMMARY
            if level > best.level:
                best = GoalAccess(level, "admin")
    return best


def mentor_pairing_filter(user, *, prefix: str = "", open_only: bool = False) -> Q:
    """Rows whose goal (reached through `prefix`, e.g. "goal__") is shared with `user` as the
    mentee's mentor through a pairing in the goal's program."""
    pairings = Pairing.objects.filter(mentor=user, mentee=OuterRef(f"{prefix}mentee"))
    if open_only:
        pairings = pairings.filter(status__in=OPEN_PAIRING_STATUSES)
    in_goal_program = pairings.filter(program=OuterRef(f"{prefix}program"))
    # Implied by the EXISTS below, but as an IN over the mentor's mentees it lets the database
    # start from the goals' mentee index instead of testing every goal in the table.
    mentees = Pairing.objects.filter(mentor=user).values("mentee")
    if open_only:
        mentees = mentees.filter(status__in=OPEN_PAIRING_STATUSES)
    return (
        Q(**{f"{prefix}mentee__in": mentees})
        & Q(**{f"{prefix}visibility__in": SHARED_WITH_MENTOR})
        & (
            Q(Exists(in_goal_program))
            | (Q(**{f"{prefix}program__isnull": True}) & Exists(pairings))
        )
    )


def goal_visibility_filter(user) -> Q:
    """Goals `user` may at least know exist (the SQL form of `goal_access(...).exists`)."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    admin_programs = Membership.objects.filter(user=user, role=Role.ADMIN).values("program_id")
    shared = Goal.objects.exclude(visibility=Visibility.PRIVATE)
    # One branch per rule, joined by UNION: each is an index lookup, where the same rules
    # written as one OR make PostgreSQL read the whole goals table (tens of ms at scale 10).
    branches = [
        Goal.objects.filter(mentee=user),
        Goal.objects.filter(mentor_pairing_filter(user)),
        shared.filter(program__in=admin_programs),
        shared.filter(pairing__program__in=admin_programs),
    ]
    first, *rest = [branch.order_by().values("pk") for branch in branches]
    return Q(pk__in=first.union(*rest))


def visibility_sentences(*, mentor_name: str | None, program_name: str | None) -> dict:
    """A plain sentence per visibility choice saying who will see the goal."""
    admins = (
        _("the admins of %(program)s") % {"program": program_name}
        if program_name
        else _("your program's admins")
    )
    mentor = (
        _("your mentor %(mentor)s") % {"mentor": mentor_name}
        if mentor_name
        else _("your mentor (once you are paired)")
    )
    return {
        Visibility.PRIVATE: _(
            "Only you will see this goal. Neither %(mentor)s nor %(admins)s will."
        )
        % {"mentor": mentor, "admins": admins},
        Visibility.MENTOR: _(
            "You and %(mentor)s will see everything; %(admins)s see only its title, status, "
            "progress and health."
        )
        % {"mentor": mentor, "admins": admins},
        Visibility.PROGRAM: _("You, %(mentor)s and %(admins)s will see everything in it.")
        % {"mentor": mentor, "admins": admins},
    }
