"""The objects every sweep works on, built around the shared personas (tests/conftest.py)
with the factories and the apps' own services."""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.urls import reverse

from api.services import api_token_create, calendar_feed_rotate
from goals.models import Visibility
from goals.services import comment_add, milestone_add, progress_update_log, step_add
from mentorship.models import Membership, Role, SurveyResponse
from mentorship.services import invitation_create
from notifications.kinds import Kind
from notifications.services import notify
from notifications.unsubscribe import make_token
from tests.factories import AgreementFactory, CheckInFactory, GoalFactory

PERSONAS = (
    "anonymous",
    "mentee",
    "other_mentee",
    "mentor",
    "other_mentor",
    "admin",
    "other_admin",
)


@dataclass
class World:
    users: dict
    program: object
    other_program: object
    pairing: object
    other_pairing: object
    goal: object
    other_goal: object
    milestone: object
    step: object
    update: object
    comment: object
    checkin: object
    invitation: object
    invitation_token: str
    membership: object
    notification: object
    api_token: object
    calendar_secret: str
    unsubscribe_token: str
    survey: object = None


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Personas get real passwords; the production hasher would dominate the sweeps' run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def quiet_request_log():
    """403 and 404 are the expected answers of most sweep requests; Django logs each with a
    traceback, which costs more than the request."""
    logger = logging.getLogger("django.request")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(previous)


@pytest.fixture
def world(
    program,
    other_program,
    pairing,
    other_pairing,
    mentee,
    other_mentee,
    mentor,
    other_mentor,
    admin,
    other_admin,
):
    # Day 35 of Mia's pairing: its first pulse survey is open (Mia answered it, Maria not yet).
    pairing.started_on = date.today() - timedelta(days=35)
    pairing.save(update_fields=["started_on"])
    # pairing_create and the CSV import always make the agreement with the pairing.
    AgreementFactory(pairing=pairing)
    AgreementFactory(pairing=other_pairing)
    goal = GoalFactory(
        mentee=mentee,
        program=program,
        pairing=pairing,
        visibility=Visibility.MENTOR,
        title="Deliver a 15-minute talk",
    )
    other_goal = GoalFactory(
        mentee=other_mentee, program=program, pairing=other_pairing, visibility=Visibility.MENTOR
    )
    milestone = milestone_add(
        goal=goal, by=mentee, title="Outline the talk", due_on=date.today() + timedelta(days=7)
    )
    # A weekly step of every week of the plan: due this week, whatever day the sweep runs.
    step = step_add(goal=goal, by=mentee, fields={"title": "Rehearse once"})
    update = progress_update_log(goal=goal, by=mentee, value=2, note="Two runs.", confidence=4)
    comment = comment_add(goal=goal, by=mentor, body="Nice start.", update=update)
    checkin = CheckInFactory(pairing=pairing)
    invitation, invitation_token = invitation_create(
        program=program, email="new@example.com", role=Role.MENTEE, invited_by=admin
    )
    notification = notify(
        recipient=mentee,
        kind=Kind.FEEDBACK,
        dedupe_key="sweep:feedback:1",
        title="Maria replied",
        url=reverse("goals:goal_detail", args=[goal.uuid]),
        send_email=False,
    )
    return World(
        users={
            "anonymous": None,
            "mentee": mentee,
            "other_mentee": other_mentee,
            "mentor": mentor,
            "other_mentor": other_mentor,
            "admin": admin,
            "other_admin": other_admin,
        },
        program=program,
        other_program=other_program,
        pairing=pairing,
        other_pairing=other_pairing,
        goal=goal,
        other_goal=other_goal,
        milestone=milestone,
        step=step,
        update=update,
        comment=comment,
        checkin=checkin,
        invitation=invitation,
        invitation_token=invitation_token,
        membership=Membership.objects.get(program=program, user=mentee, role=Role.MENTEE),
        notification=notification,
        api_token=api_token_create(user=mentee, name="script").obj,
        calendar_secret=calendar_feed_rotate(user=mentee).secret,
        unsubscribe_token=make_token(user=mentee, kind=Kind.FEEDBACK),
        survey=SurveyResponse.objects.create(
            pairing=pairing,
            author=mentee,
            kind="pulse",
            round=1,
            match_score=4,
            progress_score=4,
            comment="Helpful.",
            shared=True,
        ),
    )
