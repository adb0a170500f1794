"""A form that fails says so at its top: an error summary listing each problem, each a link
to its field (the page script moves the focus to it). One partial serves crispy forms, the
goal page's forms and the goal form."""

import re

import pytest
from django.urls import reverse

from tests.factories import GoalFactory, UserFactory

pytestmark = pytest.mark.django_db


def _summary(html: str) -> str:
    match = re.search(r"<div[^>]*data-error-summary.*?</div>", html, flags=re.S)
    assert match, "no error summary on the page"
    return match.group(0)


def test_a_crispy_form_summarises_its_errors_with_links_to_the_fields(client):
    ada = UserFactory(email="ada@example.com")
    client.force_login(ada)
    response = client.post(
        reverse("accounts:profile"),
        {"name": "Ada", "timezone": "UTC", "link": "not a link", "hours_per_month": "-3"},
    )
    assert response.status_code == 200
    summary = _summary(response.content.decode())
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert 'href="#id_link"' in summary
    assert 'href="#id_hours_per_month"' in summary


def test_a_page_without_errors_has_no_summary(client):
    client.force_login(UserFactory(email="bea@example.com"))
    assert "data-error-summary" not in client.get(reverse("accounts:profile")).content.decode()


def test_the_goal_pages_forms_summarise_their_errors(client, mentee):
    goal = GoalFactory(mentee=mentee)
    client.force_login(mentee)
    response = client.post(reverse("goals:milestone_add", args=[goal.uuid]), {"title": ""})
    assert response.status_code == 400
    assert 'href="#id_title"' in _summary(response.content.decode())


def test_the_goal_form_summarises_its_errors(client, mentee):
    client.force_login(mentee)
    response = client.post(reverse("goals:goal_create"), {"title": ""})
    assert response.status_code in (200, 400)
    assert 'href="#id_title"' in _summary(response.content.decode())
