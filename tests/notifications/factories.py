"""A small world for notification tests, made with the shared factories."""

from datetime import date, timedelta

from mentorship.models import Membership, Role
from notifications.models import Preferences
from tests.factories import MembershipFactory, PairingFactory, ProgramFactory, UserFactory


def person(email: str, name: str, tz: str = "UTC", **prefs):
    user = UserFactory(email=email, name=name, timezone=tz)
    if prefs:
        Preferences.objects.create(user=user, **prefs)
    return user


def pair(mentor, mentee, *, program=None, due: date | None = None, **extra):
    program = program or ProgramFactory()
    for user, role in ((mentor, Role.MENTOR), (mentee, Role.MENTEE)):
        if not Membership.objects.filter(program=program, user=user, role=role).exists():
            MembershipFactory(program=program, user=user, role=role)
    return PairingFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        next_checkin_due=due or date.today() + timedelta(days=10),
        **extra,
    )
