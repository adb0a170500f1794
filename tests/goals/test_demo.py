"""The demo data: realistic goals for the demo mentees, some updates waiting for the mentor;
running the seed twice creates nothing new."""

import pytest

from goals import demo as goals_demo
from goals.models import Comment, Goal, Milestone, ProgressUpdate
from goals.progress import Health
from mentorship import demo

pytestmark = pytest.mark.django_db


def counts():
    return tuple(m.objects.count() for m in (Goal, Milestone, ProgressUpdate, Comment))


def test_seed_creates_goals_for_demo_mentees_and_is_idempotent(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.seed(password="demo-password-123")
    first = counts()
    assert first[0] >= 5
    # The demo program's goals (its previous cohort's are its own: mentorship's demo test).
    current = Goal.objects.filter(program__slug="demo-2026")
    assert set(current.values_list("mentee__email", flat=True)) == {
        "mentee.lena@example.com",
        "mentee.omar@example.com",
        "mentee.sofia@example.com",
        "mentee.ben@example.com",
    }
    assert ProgressUpdate.objects.filter(acknowledged_at__isnull=True).exists()
    assert ProgressUpdate.objects.filter(acknowledged_at__isnull=False).exists()
    assert Comment.objects.filter(is_kudos=True).exists()
    # Ben is not paired: his goal belongs to the program without a pairing.
    ben = Goal.objects.get(mentee__email="mentee.ben@example.com")
    assert ben.program is not None and ben.pairing is None
    healths = {g.progress.health for g in Goal.objects.filter(status="active")}
    assert {Health.ON_TRACK, Health.OFF_TRACK} <= healths
    demo.seed(password="demo-password-123")
    assert counts() == first
    assert goals_demo.seed(ben.program) == 0


def test_goals_seed_without_pairings_attaches_to_the_program(program, mentee):
    from accounts.models import User

    User.objects.create_user(email="mentee.omar@example.com", password=None, name="Omar")
    created = goals_demo.seed(program)
    assert created == 1
    goal = Goal.objects.get()
    assert goal.program == program and goal.pairing is None


def test_the_demo_shows_a_programs_daily_life(client, settings):
    """A weekly plan with this week's steps on Lena's dashboard, an update logged for an
    earlier day, a corrected comment, an archived goal."""
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from goals.models import MilestoneKind

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.seed(password="demo-password-123")
    lena = User.objects.get(email="mentee.lena@example.com")
    steps = Milestone.objects.filter(goal__mentee=lena, kind=MilestoneKind.ACTION)
    assert steps.filter(week_from__isnull=False, week_to__isnull=False).count() >= 2
    backdated = [
        u
        for u in ProgressUpdate.objects.filter(author=lena)
        if u.occurred_on < timezone.localtime(u.created_at, lena.tzinfo).date()
    ]
    assert backdated
    assert Comment.objects.filter(author=lena, edited_at__isnull=False).exists()
    archived = Goal.objects.get(mentee=lena, archived_at__isnull=False)
    client.force_login(lena)
    dashboard = client.get(reverse("goals:mentee_dashboard")).text
    assert "Build the slides" in dashboard  # this week's step
    assert archived.title not in dashboard
    goal_page = client.get(reverse("goals:goal_detail", args=[backdated[0].goal.uuid])).text
    assert "edited" in goal_page
