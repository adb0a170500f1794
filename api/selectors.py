"""Reads the API shares. Access rules are not written here: they come from the owning apps'
policy modules and selectors; what is here only shapes querysets around them."""

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from goals.models import Goal, Visibility
from goals.policy import Level, goal_visibility_filter, mentor_pairing_filter
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


def goal_detail_filter(user) -> Q:
    """Goals whose details (milestones, updates, comments) `user` may read: the owner, a
    mentor through a pairing, and program admins of a goal shared with the program. Built
    from goals.policy, the rules' one home."""
    return (
        Q(mentee=user)
        | mentor_pairing_filter(user)
        | (Q(visibility=Visibility.PROGRAM) & goal_visibility_filter(user))
    )


def goals_for_api(user) -> QuerySet[Goal]:
    """Goals visible to `user` (Goal.objects.visible_to), with what the serializer needs in
    the same query: progress annotations and two flags for the reader's access level."""
    return with_progress(
        Goal.objects.visible_to(user)
        .select_related("mentee", "program", "pairing")
        .annotate(
            api_mentor_open=ExpressionWrapper(
                mentor_pairing_filter(user, open_only=True), output_field=BooleanField()
            ),
            api_mentor_any=ExpressionWrapper(
                mentor_pairing_filter(user), output_field=BooleanField()
            ),
        )
    )


def goal_level(user, goal: Goal) -> Level:
    """The access level of a goal from goals_for_api, the same as goals.policy.goal_access
    gives (tests compare the two), without a query per goal."""
    if goal.mentee_id == user.pk:
        return Level.OWNER
    if goal.api_mentor_open:
        return Level.FEEDBACK
    if goal.api_mentor_any or goal.visibility == Visibility.PROGRAM:
        return Level.READ
    return Level.SUMMARY
