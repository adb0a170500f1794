"""Who may see and change a goal: the one place these rules are written.

Rules (DESIGN.md, "Who may see what"):

1. The mentee owns her goals: she sees and changes everything in them.
2. A mentor sees a mentee's goal only through a pairing between the two of them that has
   started: one past "proposed", so both accepted its agreement. A proposed pairing shows the
   mentor the mentee's name and profile (mentorship's pages), none of her goals. The pairing
   reaches the goals of its program, and those without a program; only when the goal's
   visibility is "mentor" or "program". A running pairing (active, paused) lets the mentor
   read, comment and acknowledge updates; a past pairing (completed, ended) lets the mentor
   read only. A mentor never edits the goal.
3. An admin of the goal's program (or of its pairing's program) sees the title, status,
   progress and health of goals shared beyond the mentee; everything else only when the
   visibility is "program". A private goal ("only me") is invisible to admins.
4. Everyone else: the goal does not exist for them (404). Visible but not changeable: 403.
5. A comment or reply is changed (edited, deleted) by its author only, while they may comment
   on the goal (`can_change_comment`); milestones, like the goal, by the mentee only.

Everything here reads the viewer (core.viewer: the pairings they are the mentor of, the
programs they run), never the database on its own: `goal_access` makes no query for a goal
loaded with its pairing (or one whose program the viewer runs, or one without a pairing), and
the list filters `visible_goals_q`, `detail_goals_q` and `mentor_goals_q` are plain
conditions on the goal's own columns with IN lists of the viewer's facts. Both are written
from the same facts, so object and list rules cannot drift apart (tests compare them for
every persona). Each function takes a viewer, or a user (`Viewer.of`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import IntEnum

from django.db.models import Q
from django.utils.translation import gettext as _

from core.viewer import Viewer
from mentorship.models import Pairing, PairingStatus

from .kinds import SHARED_WITH_MENTOR, Visibility

__all__ = [
    "NO_ACCESS",
    "RUNNING_PAIRING_STATUSES",
    "SHARED_WITH_MENTOR",
    "GoalAccess",
    "Level",
    "can_change_comment",
    "detail_goals_q",
    "goal_access",
    "may_change_update",
    "mentor_goals_q",
    "pairing_goals_q",
    "shared_in_pairing",
    "visibility_sentences",
    "visible_goals_q",
]

# The pairings through which a mentor follows goals (comments, acknowledges, is told about
# them): started and not over. A proposed pairing shares nothing; a past one, reading only.
RUNNING_PAIRING_STATUSES = (PairingStatus.ACTIVE, PairingStatus.PAUSED)
_RUNNING = frozenset(RUNNING_PAIRING_STATUSES)


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
_OWNER = GoalAccess(Level.OWNER, "mentee")
_MENTOR_FEEDBACK = GoalAccess(Level.FEEDBACK, "mentor")
_MENTOR_READ = GoalAccess(Level.READ, "mentor")
_ADMIN_READ = GoalAccess(Level.READ, "admin")
_ADMIN_SUMMARY = GoalAccess(Level.SUMMARY, "admin")


def _started(link) -> bool:
    """Whether the pairing `link` (a viewer's PairingLink) went past "proposed": both sides
    accepted its agreement. Until then it shares no goal at all."""
    return link.status != PairingStatus.PROPOSED


def _shares(link, goal) -> bool:
    """Whether the pairing `link` of the viewer with the goal's mentee reaches `goal`."""
    if not _started(link):
        return False
    return goal.program_id is None or link.program_id == goal.program_id


def goal_access(viewer, goal) -> GoalAccess:
    """The access the viewer (or user) has to `goal`, from the viewer's facts: no query
    beyond loading them once, none at all for the goal's own mentee."""
    viewer = Viewer.of(viewer)
    if not viewer.is_authenticated:
        return NO_ACCESS
    if goal.mentee_id == viewer.pk:
        return _OWNER
    if goal.visibility not in SHARED_WITH_MENTOR:
        return NO_ACCESS
    statuses = {
        link.status
        for link in viewer.as_mentor
        if link.other_id == goal.mentee_id and _shares(link, goal)
    }
    if statuses & _RUNNING:
        return _MENTOR_FEEDBACK
    if statuses:
        return _MENTOR_READ
    if _run_by(viewer, goal):
        return _ADMIN_READ if goal.visibility == Visibility.PROGRAM else _ADMIN_SUMMARY
    return NO_ACCESS


def may_change_update(viewer, access: GoalAccess, update) -> bool:
    """Whether the viewer may correct or remove `update` (one they can see through
    `access`): its author, on her own goal. Everyone else who sees it gets 403."""
    viewer = Viewer.of(viewer)
    return access.can_edit and update.author_id is not None and update.author_id == viewer.pk


def can_change_comment(viewer, comment, access: GoalAccess) -> bool:
    """Whether the viewer may edit or delete `comment`, given their `access` to its goal:
    its author only, while they may still comment on the goal (a mentor whose pairing ended
    reads only) and the comment is not deleted."""
    viewer = Viewer.of(viewer)
    return (
        access.can_comment
        and comment.author_id is not None
        and comment.author_id == viewer.pk
        and comment.deleted_at is None
    )


def _run_by(viewer: Viewer, goal) -> bool:
    """Whether the viewer is an admin of the goal's program or of its pairing's program."""
    admin_of = viewer.admin_program_ids
    if not admin_of:
        return False
    if goal.program_id in admin_of:
        return True
    if goal.pairing_id is None:
        return False
    return _pairing_program_id(goal) in admin_of


def _pairing_program_id(goal):
    # Selectors load the goal with its pairing (or annotate the pairing's program); a goal
    # loaded bare costs one query here, for a program admin only.
    if "pairing_program_id" in goal.__dict__:
        return goal.pairing_program_id
    return goal.pairing.program_id


# --- The same rules as list filters -------------------------------------------------------


def _nothing(prefix: str) -> Q:
    return Q(**{f"{prefix}pk__in": []})


def mentor_goals_q(viewer, *, prefix: str = "", open_only: bool = False) -> Q:
    """Rows whose goal (reached through `prefix`, e.g. "goal__") is shared with the viewer as
    the mentee's mentor: a started pairing with that mentee, in the goal's program or when
    the goal has no program (`open_only`: a running pairing, active or paused)."""
    viewer = Viewer.of(viewer)
    if not viewer.is_authenticated:
        return _nothing(prefix)
    by_program: dict[int, set[int]] = defaultdict(set)
    for link in viewer.as_mentor:
        # other_id is None when the mentee's account was deleted: nothing left to share.
        wanted = not open_only or link.status in _RUNNING
        if wanted and _started(link) and link.other_id is not None:
            by_program[link.program_id].add(link.other_id)
    if not by_program:
        return _nothing(prefix)
    mentees = set().union(*by_program.values())
    # The mentees' IN list up front lets the database start from the goals' mentee index.
    branches = [Q(**{f"{prefix}program__isnull": True})]
    for program_id, of_program in sorted(by_program.items()):
        in_program = Q(**{f"{prefix}program_id": program_id})
        if of_program != mentees:
            in_program &= Q(**{f"{prefix}mentee_id__in": sorted(of_program)})
        branches.append(in_program)
    where = branches[0]
    for branch in branches[1:]:
        where |= branch
    return (
        Q(**{f"{prefix}mentee_id__in": sorted(mentees)})
        & Q(**{f"{prefix}visibility__in": SHARED_WITH_MENTOR})
        & where
    )


def _admin_goals_q(viewer: Viewer, prefix: str, visibilities) -> Q | None:
    """Goals of the programs the viewer runs (through the goal or its pairing) with one of
    `visibilities`; None when the viewer runs none."""
    admin_of = sorted(viewer.admin_program_ids)
    if not admin_of:
        return None
    # The pairing's program as an uncorrelated IN, not a join: it only matters for a goal
    # whose own program is another one (or none).
    pairings = Pairing.objects.filter(program_id__in=admin_of).values("pk")
    return Q(**{f"{prefix}visibility__in": visibilities}) & (
        Q(**{f"{prefix}program_id__in": admin_of}) | Q(**{f"{prefix}pairing_id__in": pairings})
    )


def visible_goals_q(viewer, *, prefix: str = "") -> Q:
    """Goals the viewer may at least know exist (`goal_access(...).exists`)."""
    viewer = Viewer.of(viewer)
    if not viewer.is_authenticated:
        return _nothing(prefix)
    where = Q(**{f"{prefix}mentee_id": viewer.pk})
    if viewer.as_mentor:
        where |= mentor_goals_q(viewer, prefix=prefix)
    admin = _admin_goals_q(viewer, prefix, SHARED_WITH_MENTOR)
    if admin is not None:
        where |= admin
    return where


def detail_goals_q(viewer, *, prefix: str = "") -> Q:
    """Goals whose details (milestones, updates, comments) the viewer may read
    (`goal_access(...).can_see_details`)."""
    viewer = Viewer.of(viewer)
    if not viewer.is_authenticated:
        return _nothing(prefix)
    where = Q(**{f"{prefix}mentee_id": viewer.pk})
    if viewer.as_mentor:
        where |= mentor_goals_q(viewer, prefix=prefix)
    admin = _admin_goals_q(viewer, prefix, (Visibility.PROGRAM,))
    if admin is not None:
        where |= admin
    return where


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


# --- What a pair may point at in its conversation -----------------------------------------


def shared_in_pairing(goal, pairing) -> bool:
    """Whether both sides of `pairing` may see `goal`: one of its mentee's goals, shared with
    her mentor (never a private one), of the pairing's program or of none, once the pairing
    has started (rule 2 from the pairing's side). No query."""
    return (
        pairing.mentee_id is not None
        and pairing.status != PairingStatus.PROPOSED
        and goal.mentee_id == pairing.mentee_id
        and goal.visibility in SHARED_WITH_MENTOR
        and (goal.program_id is None or goal.program_id == pairing.program_id)
    )


def pairing_goals_q(pairing, *, prefix: str = "") -> Q:
    """The list form of `shared_in_pairing`."""
    if pairing.mentee_id is None or pairing.status == PairingStatus.PROPOSED:
        return _nothing(prefix)
    return (
        Q(**{f"{prefix}mentee_id": pairing.mentee_id})
        & Q(**{f"{prefix}visibility__in": SHARED_WITH_MENTOR})
        & (
            Q(**{f"{prefix}program__isnull": True})
            | Q(**{f"{prefix}program_id": pairing.program_id})
        )
    )
