"""Reads the API shares. Access rules are not written here: they come from the owning apps'
policy modules and selectors; what is here only shapes querysets around them."""

from django.db.models import Q, QuerySet

from goals.models import Goal
from goals.policy import Level, detail_goals_q, goal_access, visible_goals_q
from goals.selectors import with_progress

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
