"""goals.policy over the viewer: object checks make no query once the viewer's facts are
read, and the list filters (visible_goals_q, detail_goals_q, mentor_goals_q) select exactly
the goals goal_access allows, for every persona and every kind of goal."""

import pytest

from core.viewer import Viewer
from goals import selectors
from goals.models import Goal, Visibility
from goals.policy import (
    Level,
    detail_goals_q,
    goal_access,
    mentor_goals_q,
    visible_goals_q,
)
from mentorship.models import PairingStatus, Role
from tests.factories import GoalFactory, MembershipFactory, PairingFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = [
    "mentee",
    "mentor",
    "other_mentor",
    "admin",
    "other_mentee",
    "stranger",
    "other_admin",
    "past_mentor",
    "elsewhere_mentor",
    "proposed_mentor",
    "pairing_admin",
    "two_program_mentor",
]


@pytest.fixture
def past_mentor(program, mentee):
    """Mentored Mia in this program; the pairing has ended."""
    user = UserFactory(email="pat@example.com", name="Pat Pastmentor")
    MembershipFactory(program=program, user=user, role=Role.MENTOR)
    PairingFactory(program=program, mentor=user, mentee=mentee, status=PairingStatus.ENDED)
    return user


@pytest.fixture
def elsewhere_mentor(other_program, mentee):
    """Mentors Mia in another program only."""
    user = UserFactory(email="eli@example.com", name="Eli Elsewhere")
    MembershipFactory(program=other_program, user=user, role=Role.MENTOR)
    PairingFactory(program=other_program, mentor=user, mentee=mentee)
    return user


@pytest.fixture
def proposed_mentor(program):
    """Proposed (not yet active) as Pia's mentor: an open pairing."""
    user = UserFactory(email="pro@example.com", name="Pro Posed")
    pia = UserFactory(email="pia@example.com", name="Pia Proposed")
    MembershipFactory(program=program, user=user, role=Role.MENTOR)
    MembershipFactory(program=program, user=pia, role=Role.MENTEE)
    proposed = PairingFactory(
        program=program, mentor=user, mentee=pia, status=PairingStatus.PROPOSED
    )
    for visibility in Visibility.values:
        GoalFactory(mentee=pia, program=program, pairing=proposed, visibility=visibility)
        GoalFactory(mentee=pia, visibility=visibility)
    return user


@pytest.fixture
def two_program_mentor(program, other_program, mentee, other_mentee):
    """Mentors Mia in the other program, and mentored Noah in this one (ended): a mentee's
    goal is shared only through a pairing with her in its program."""
    user = UserFactory(email="tia@example.com", name="Tia Twoprograms")
    PairingFactory(program=other_program, mentor=user, mentee=mentee)
    PairingFactory(program=program, mentor=user, mentee=other_mentee, status=PairingStatus.ENDED)
    return user


@pytest.fixture
def pairing_admin(db):
    """Runs the program of a pairing whose goal names no program (or another one)."""
    user = UserFactory(email="pam@example.com", name="Pam Pairingadmin")
    return user


@pytest.fixture
def goals(program, other_program, pairing, other_pairing, mentee, other_mentee, pairing_admin):
    third = PairingFactory(mentor=UserFactory(), mentee=mentee)
    MembershipFactory(program=third.program, user=pairing_admin, role=Role.ADMIN)
    made = {}
    for visibility in Visibility.values:
        made[f"{visibility}"] = GoalFactory(
            mentee=mentee, program=program, pairing=pairing, visibility=visibility
        )
        made[f"{visibility}-no-program"] = GoalFactory(mentee=mentee, visibility=visibility)
        made[f"{visibility}-other-program"] = GoalFactory(
            mentee=mentee, program=other_program, visibility=visibility
        )
        made[f"{visibility}-noah"] = GoalFactory(
            mentee=other_mentee, program=program, pairing=other_pairing, visibility=visibility
        )
        # Through the pairing's program only: the goal's own program is none or another.
        made[f"{visibility}-pairing-only"] = GoalFactory(
            mentee=mentee, pairing=third, visibility=visibility
        )
        made[f"{visibility}-pairing-elsewhere"] = GoalFactory(
            mentee=mentee, program=other_program, pairing=third, visibility=visibility
        )
    return made


def _ids(q) -> set[int]:
    return set(Goal.objects.filter(q).values_list("pk", flat=True))


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_filters_select_what_goal_access_allows(request, goals, persona):
    user = request.getfixturevalue(persona)
    viewer = Viewer.of(user)
    every = list(Goal.objects.select_related("pairing"))
    access = {goal.pk: goal_access(viewer, goal) for goal in every}
    assert _ids(visible_goals_q(viewer)) == {pk for pk, a in access.items() if a.exists}
    assert _ids(detail_goals_q(viewer)) == {pk for pk, a in access.items() if a.can_see_details}
    as_mentor = {pk for pk, a in access.items() if a.is_mentor}
    assert _ids(mentor_goals_q(viewer)) == as_mentor
    open_mentor = {pk for pk, a in access.items() if a.is_mentor and a.level == Level.FEEDBACK}
    assert _ids(mentor_goals_q(viewer, open_only=True)) == open_mentor
    # A user gives the same answers as their viewer.
    assert _ids(visible_goals_q(user)) == _ids(visible_goals_q(viewer))


def test_the_rules_the_filters_encode(goals, mentor, past_mentor, elsewhere_mentor, admin):
    assert goal_access(mentor, goals["mentor"]).level == Level.FEEDBACK
    assert goal_access(mentor, goals["mentor-no-program"]).level == Level.FEEDBACK
    assert not goal_access(mentor, goals["mentor-other-program"]).exists
    assert not goal_access(mentor, goals["private"]).exists
    assert goal_access(past_mentor, goals["program"]).level == Level.READ
    assert goal_access(elsewhere_mentor, goals["mentor-other-program"]).level == Level.FEEDBACK
    assert not goal_access(elsewhere_mentor, goals["mentor"]).exists
    assert goal_access(admin, goals["mentor"]).level == Level.SUMMARY
    assert goal_access(admin, goals["program"]).level == Level.READ
    assert not goal_access(admin, goals["private"]).exists


def test_pairing_program_admin_sees_goals_through_the_pairing(goals, pairing_admin):
    assert goal_access(pairing_admin, goals["mentor-pairing-only"]).level == Level.SUMMARY
    assert goal_access(pairing_admin, goals["program-pairing-elsewhere"]).level == Level.READ
    assert not goal_access(pairing_admin, goals["private-pairing-only"]).exists


@pytest.mark.parametrize("persona", PERSONAS)
def test_goal_access_makes_no_query_once_the_viewer_is_read(
    request, goals, persona, django_assert_num_queries
):
    viewer = Viewer.of(request.getfixturevalue(persona))
    loaded = [selectors.goal_by_uuid(goal.uuid) for goal in goals.values()]
    viewer.as_mentor, viewer.admin_program_ids  # noqa: B018 - read the facts once
    with django_assert_num_queries(0):
        levels = [goal_access(viewer, goal).level for goal in loaded]
    assert len(levels) == len(goals)


def test_the_owner_needs_no_viewer_facts(goal, mentee, django_assert_num_queries):
    viewer = Viewer.of(mentee)
    with django_assert_num_queries(0):
        assert goal_access(viewer, goal).is_owner


def test_anonymous_sees_nothing(goals, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        assert not goal_access(AnonymousUser(), goals["program"]).exists
    assert not _ids(visible_goals_q(AnonymousUser()))
    assert not _ids(detail_goals_q(None))
