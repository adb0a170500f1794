"""The SMART check names what a goal lacks; the form shows it and htmx refreshes it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from goals.smart import smart_check

TODAY = date(2026, 6, 1)

COMPLETE = {
    "title": "Deliver a 15-minute presentation to stakeholders",
    "specific": "Present the Q3 roadmap to the product stakeholders.",
    "metric_name": "Practice runs",
    "baseline_value": "0",
    "target_value": "6",
    "achievable": "My mentor will watch two practice runs.",
    "relevant": "My last review asked me to speak to stakeholders.",
    "starts_on": TODAY.isoformat(),
    "target_date": (TODAY + timedelta(days=90)).isoformat(),
}


def codes(**changes):
    return smart_check(**{**COMPLETE, **changes}, today=TODAY).codes


def test_a_complete_goal_is_smart():
    report = smart_check(**COMPLETE, today=TODAY)
    assert report.is_smart
    assert all(ok for _, _, ok in report.letters)


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"metric_name": ""}, "no_metric"),
        ({"baseline_value": ""}, "no_baseline_target"),
        ({"target_value": None}, "no_baseline_target"),
        ({"target_value": "0"}, "target_equals_baseline"),
        ({"target_date": ""}, "no_target_date"),
        ({"target_date": (TODAY - timedelta(days=1)).isoformat()}, "date_in_past"),
        ({"target_date": (TODAY + timedelta(days=800)).isoformat()}, "far_horizon"),
        ({"title": "Public speaking"}, "vague_title"),
        ({"title": "Get better at public speaking in meetings"}, "vague_title"),
        ({"title": "Improve my communication with the team"}, "vague_title"),
        ({"specific": ""}, "no_specific"),
        ({"relevant": ""}, "no_relevant"),
        ({"achievable": "yes"}, "no_achievable"),
    ],
)
def test_names_what_is_missing(changes, code):
    assert code in codes(**changes)


def test_non_numeric_values_do_not_break_the_check():
    assert "no_baseline_target" in codes(baseline_value="ten", target_value="1e999999")


@pytest.mark.django_db
def test_check_endpoint_returns_the_partial(client, mentee):
    client.force_login(mentee)
    response = client.post(
        reverse("goals:smart_check"), {"title": "Get better at Python", "target_date": "nope"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-code="vague_title"' in html
    assert 'data-code="no_target_date"' in html
    assert "<html" not in html


@pytest.mark.django_db
def test_check_endpoint_needs_login_and_post(client, mentee):
    url = reverse("goals:smart_check")
    assert client.post(url).status_code == 302
    client.force_login(mentee)
    assert client.get(url).status_code == 405


@pytest.mark.django_db
def test_form_is_wired_to_the_check_as_the_mentee_types(client, mentee):
    client.force_login(mentee)
    html = client.get(reverse("goals:goal_create")).content.decode()
    assert f'hx-post="{reverse("goals:smart_check")}"' in html
    assert 'hx-trigger="input changed delay:500ms"' in html
    assert 'id="smart-check"' in html
