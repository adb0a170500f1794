"""Fixtures of the API tests: an API client, personal tokens, and a small world of goals
around the shared personas (tests/conftest.py)."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from api.services import api_token_create
from goals.models import Comment, MilestoneKind, Visibility
from tests.factories import (
    CheckInFactory,
    GoalFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The personas' passwords are hashed with PBKDF2 otherwise: half a second per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def token_for():
    def make(user, name="script"):
        return api_token_create(user=user, name=name).secret

    return make


@pytest.fixture
def as_user(token_for):
    """An API client that authenticates with a fresh personal token of `user`."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return client

    return make


@dataclass
class World:
    goal: object  # Mia's goal shared with her mentor (visibility "mentor")
    program_goal: object  # Mia's goal shared with the program
    private_goal: object  # Mia's private goal
    other_goal: object  # Noah's goal, shared with his mentor Otto
    milestone: object
    update: object
    comment: object
    checkin: object
    other_checkin: object
    step: object = None


@pytest.fixture
def world(program, pairing, other_pairing, admin, other_admin, stranger, mentor, mentee):
    """Mia (mentee) with three goals of each visibility in the program, Noah's goal, and
    one of each child row on Mia's mentor-visible goal."""
    goal = GoalFactory(
        mentee=mentee, program=program, pairing=pairing, visibility=Visibility.MENTOR
    )
    program_goal = GoalFactory(
        mentee=mentee, program=program, pairing=pairing, visibility=Visibility.PROGRAM
    )
    private_goal = GoalFactory(
        mentee=mentee, program=program, pairing=pairing, visibility=Visibility.PRIVATE
    )
    other_goal = GoalFactory(
        mentee=other_pairing.mentee,
        program=program,
        pairing=other_pairing,
        visibility=Visibility.MENTOR,
    )
    milestone = MilestoneFactory(goal=goal)
    update = ProgressUpdateFactory(goal=goal)
    # A weekly action step of every week: due whatever day the tests run.
    step = MilestoneFactory(goal=goal, kind=MilestoneKind.ACTION, title="Rehearse once")
    comment = Comment.objects.create(goal=goal, author=mentor, body="Nice start.")
    checkin = CheckInFactory(pairing=pairing)
    other_checkin = CheckInFactory(pairing=other_pairing)
    return World(
        goal=goal,
        program_goal=program_goal,
        private_goal=private_goal,
        other_goal=other_goal,
        milestone=milestone,
        update=update,
        comment=comment,
        checkin=checkin,
        other_checkin=other_checkin,
        step=step,
    )
