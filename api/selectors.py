"""Reads the API shares. Access rules are not written here: they come from the owning apps'
policy modules and selectors; what is here only shapes querysets around them."""

from django.db.models import Count, Q, QuerySet

from goals.models import Goal
from goals.policy import Level, detail_goals_q, goal_access, visible_goals_q
from goals.selectors import with_progress
from mentorship.models import Membership, Pairing, Program, Role


def pairings_visible_to(user) -> QuerySet[Pairing]:
    """The list form of mentorship.policy.pairing_access: the pairings whose mentor or mentee
    the user is, and those of the programs the user runs."""
    admin_of = Membership.objects.filter(user=user, role=Role.ADMIN).values("program_id")
    return Pairing.objects.filter(Q(mentor=user) | Q(mentee=user) | Q(program__in=admin_of))


def programs_only_run_by(user) -> list[Program]:
    """Programs whose only admin is `user` (warned about before the account is deleted)."""
    runs = Membership.objects.filter(user=user, role=Role.ADMIN).values("program_id")
    return list(
        Program.objects.filter(pk__in=runs)
        .annotate(admins=Count("memberships", filter=Q(memberships__role=Role.ADMIN)))
        .filter(admins=1)
        .order_by("name")
    )


# --- Goals ----------------------------------------------------------------------------------


def goal_detail_filter(viewer) -> Q:
    """Goals whose details (milestones, updates, comments) the viewer may read: the rule of
    goals.policy.detail_goals_q."""
    return detail_goals_q(viewer)


def goals_for_api(viewer) -> QuerySet[Goal]:
    """Goals the viewer may know exist (goals.policy.visible_goals_q), with what the
    serializer and goal_level need in the same query: progress annotations and the pairing
    (for the program-admin rule)."""
    return with_progress(
        Goal.objects.filter(visible_goals_q(viewer)).select_related("mentee", "program", "pairing")
    )


def goal_level(viewer, goal: Goal) -> Level:
    """The access level of a goal from goals_for_api: goals.policy.goal_access's, without a
    query per goal."""
    return goal_access(viewer, goal).level
