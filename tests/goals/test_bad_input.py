"""Bad input on the goal pages gets a clear answer, never a 500: dates beyond the horizon,
a malformed goal to put on hold, and a unit that is markup."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from goals.forms import MilestoneForm, ProgressUpdateForm
from goals.models import Goal, GoalStatus, Milestone, latest_date
from tests.factories import GoalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, mentee, pairing):
    client.force_login(mentee)
    return client


def goal_data(**changes):
    today = date.today()
    data = {
        "title": "Deliver a 15-minute presentation to stakeholders",
        "category": "communication",
        "specific": "The quarterly roadmap.",
        "metric_name": "Practice runs",
        "unit": "runs",
        "baseline_value": "0",
        "target_value": "6",
        "achievable": "My mentor watches two runs.",
        "relevant": "My review asked for it.",
        "starts_on": today.isoformat(),
        "target_date": (today + timedelta(days=90)).isoformat(),
        "visibility": "mentor",
        "milestones": "",
    }
    data.update(changes)
    return data


def years_ahead(years: int, days: int = 0) -> str:
    today = date.today()
    return today.replace(year=today.year + years, day=min(today.day, 28)) + timedelta(days)


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"target_date": "9999-12-31"}, "target_date"),
        ({"target_date": years_ahead(10, days=2).isoformat()}, "target_date"),
        ({"starts_on": "1999-12-31"}, "starts_on"),
        ({"starts_on": "0001-01-01", "target_date": "0001-02-01"}, "starts_on"),
    ],
)
def test_goal_page_refuses_dates_beyond_the_horizon(logged_in, changes, field):
    response = logged_in.post(reverse("goals:goal_create"), goal_data(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert "between 2000-01-01 and" in " ".join(errors[field])
    assert not Goal.objects.exists()


def test_goal_page_accepts_a_date_just_inside_the_horizon(logged_in):
    target = years_ahead(10, days=-2)
    response = logged_in.post(
        reverse("goals:goal_create"), goal_data(target_date=target.isoformat())
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Goal.objects.get().target_date == target


def test_date_pickers_offer_only_the_allowed_dates(logged_in, mentee):
    latest = latest_date().isoformat()
    bounds = f'min="2000-01-01" max="{latest}"'
    page = logged_in.get(reverse("goals:goal_create")).content.decode()
    assert page.count(bounds) == 2  # start and target date
    html = str(MilestoneForm())
    assert bounds in html


def test_milestone_page_refuses_a_date_beyond_the_horizon(client, mentee):
    goal = GoalFactory(mentee=mentee)
    client.force_login(mentee)
    url = reverse("goals:milestone_add", args=[goal.uuid])
    response = client.post(url, {"title": "Outline", "kind": "milestone", "due_on": "9999-12-31"})
    assert response.status_code == 400
    assert "between 2000-01-01 and" in response.content.decode()
    assert not Milestone.objects.filter(goal=goal).exists()


def test_status_with_a_malformed_goal_to_hold_is_a_clear_400(client, mentee):
    goal = GoalFactory(mentee=mentee, status=GoalStatus.DRAFT)
    client.force_login(mentee)
    response = client.post(
        reverse("goals:goal_status", args=[goal.uuid]), {"status": "active", "hold": "not-a-uuid"}
    )
    assert response.status_code == 400
    assert "Choose one of your active goals" in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == GoalStatus.DRAFT


def test_status_with_an_unknown_goal_to_hold_is_still_a_404(client, mentee):
    goal = GoalFactory(mentee=mentee, status=GoalStatus.DRAFT)
    client.force_login(mentee)
    response = client.post(
        reverse("goals:goal_status", args=[goal.uuid]),
        {"status": "active", "hold": "8f2c7a8e-2b7e-4a55-9b8f-0c8d2f0b6a11"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "render",
    [
        pytest.param(str, id="goal page template"),
        pytest.param(
            lambda form: Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(
                Context({"form": form})
            ),
            id="crispy, which renders help texts as markup",
        ),
    ],
)
def test_the_goal_unit_is_escaped_in_the_progress_form(mentee, render):
    goal = GoalFactory(mentee=mentee, unit="<b>km</b>", current_value=Decimal("2"))
    html = render(ProgressUpdateForm(goal=goal))
    assert "In &lt;b&gt;km&lt;/b&gt;." in html
    assert "<b>" not in html and "&amp;lt;" not in html
