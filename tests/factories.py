"""factory_boy factories shared by every test folder."""

from datetime import date, timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import User
from goals.models import Goal, GoalStatus, Milestone, ProgressUpdate, Visibility
from mentorship.models import Agreement, CheckIn, Membership, Pairing, PairingStatus, Program, Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")
    timezone = "UTC"
    # Hashed with the test's hasher before the INSERT: no second save for the password.
    password = factory.LazyFunction(lambda: make_password(PASSWORD))

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    starts_on = factory.LazyFunction(lambda: date.today() - timedelta(days=30))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MENTEE


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.SubFactory(UserFactory)
    mentee = factory.SubFactory(UserFactory)
    status = PairingStatus.ACTIVE
    started_on = factory.LazyFunction(lambda: date.today() - timedelta(days=20))
    next_checkin_due = factory.LazyFunction(lambda: date.today() + timedelta(days=7))


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    pairing = factory.SubFactory(PairingFactory)
    meeting_frequency = "Every two weeks, 45 minutes"
    expectations = "Come prepared with one question."
    boundaries = "No calls after 18:00."


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    pairing = factory.SubFactory(PairingFactory)
    occurred_on = factory.LazyFunction(date.today)
    summary = "Talked about the presentation outline."
    next_steps = "Draft the first five slides."
    logged_by = factory.SelfAttribute("pairing.mentor")


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    mentee = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Deliver presentation {n} to stakeholders")
    category = "communication"
    specific = "A 15-minute presentation of the quarterly roadmap to the leadership team."
    metric_name = "Practice runs"
    unit = "runs"
    baseline_value = 0
    target_value = 10
    current_value = 0
    starts_on = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
    target_date = factory.LazyFunction(lambda: date.today() + timedelta(days=80))
    status = GoalStatus.ACTIVE
    visibility = Visibility.MENTOR


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    goal = factory.SubFactory(GoalFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_on = factory.LazyFunction(lambda: date.today() + timedelta(days=14))
    position = factory.Sequence(lambda n: n)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    goal = factory.SubFactory(GoalFactory)
    author = factory.SelfAttribute("goal.mentee")
    value = 2
    note = "Ran it twice in front of the team."
    confidence = 4
    created_at = factory.LazyFunction(timezone.now)
