"""Goals fixtures on top of the shared personas (tests/conftest.py)."""

import pytest

from goals.models import Visibility
from tests.factories import GoalFactory, MilestoneFactory, ProgressUpdateFactory


@pytest.fixture
def goal(program, pairing, mentee):
    """Mia's active goal, shared with her mentor (visibility "mentor")."""
    return GoalFactory(
        mentee=mentee,
        program=program,
        pairing=pairing,
        visibility=Visibility.MENTOR,
        title="Deliver a 15-minute talk to stakeholders",
    )


@pytest.fixture
def milestone(goal):
    return MilestoneFactory(goal=goal, title="Outline the talk", position=0)


@pytest.fixture
def update(goal, mentee):
    return ProgressUpdateFactory(goal=goal, author=mentee, value=2, note="Two practice runs.")
