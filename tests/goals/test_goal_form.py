"""The guided form: templates, bad input turned into clear messages, nothing half-saved,
escaping, emoji and right-to-left text, and two tabs editing the same goal."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from goals.models import Goal, GoalEvent, GoalStatus
from goals.templates_catalog import TEMPLATES

pytestmark = pytest.mark.django_db


def valid_data(**changes):
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
        "milestones": "Outline\nPractice run\nDeliver",
    }
    data.update(changes)
    return data


@pytest.fixture
def logged_in(client, mentee, pairing):
    client.force_login(mentee)
    return client


def test_every_template_prefills_the_form_and_suggests_milestones(logged_in):
    assert {t.category for t in TEMPLATES} >= {
        "career_development",
        "skill_building",
        "leadership",
        "communication",
        "networking",
        "career_transition",
        "emotional_intelligence",
        "long_term_aspiration",
    }
    for template in TEMPLATES:
        response = logged_in.get(reverse("goals:goal_create") + f"?template={template.key}")
        html = response.content.decode()
        assert response.status_code == 200
        assert str(template.title) in html
        for milestone in template.milestones:
            assert str(milestone) in html


def test_form_has_five_sections_with_examples_and_states_limits(logged_in, mentor, program):
    html = logged_in.get(reverse("goals:goal_create")).content.decode()
    for section in ("Specific", "Measurable", "Achievable", "Relevant", "Time-bound"):
        assert f"</span> {section}</legend>" in html
    assert html.count("goal-example") == 5
    assert "Up to 200 characters." in html and "Up to 2000 characters." in html
    assert 'maxlength="200"' in html
    assert 'dir="auto"' in html  # right-to-left text shows the right way round
    # The visibility choices say who will see the goal, by name.
    assert "Maria Mentor" in html and "Northwind Circle" in html


def test_create_with_milestones_and_activate(logged_in, mentee, program, pairing):
    response = logged_in.post(reverse("goals:goal_create"), valid_data(activate="1"))
    goal = Goal.objects.get(mentee=mentee)
    assert response.status_code == 302
    assert response["Location"] == reverse("goals:goal_detail", args=[goal.uuid])
    assert goal.status == GoalStatus.ACTIVE
    assert goal.program == program and goal.pairing == pairing
    assert goal.current_value == 0
    assert list(goal.milestones.values_list("title", flat=True)) == [
        "Outline",
        "Practice run",
        "Deliver",
    ]
    assert GoalEvent.objects.filter(goal=goal, action="created").exists()


def test_create_as_draft(logged_in, mentee):
    logged_in.post(reverse("goals:goal_create"), valid_data())
    assert Goal.objects.get(mentee=mentee).status == GoalStatus.DRAFT


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (
            {"target_date": (date.today() - timedelta(days=1)).isoformat()},
            "target_date",
            "The target date must be after the start date",
        ),
        ({"target_value": "0"}, "target_value", "The target equals the starting value"),
        ({"target_value": "0.00"}, "target_value", "The target equals the starting value"),
        ({"baseline_value": "ten"}, "baseline_value", "Enter a number, such as 12 or 3.5."),
        ({"target_value": "1e5000"}, "target_value", "That number is too large"),
        ({"target_value": "NaN"}, "target_value", "Enter a number"),
        ({"target_value": "123456789012345678"}, "target_value", "That number is too large"),
        ({"target_value": "1.234"}, "target_value", "at most 2 digits after the decimal point"),
        ({"target_value": ""}, "target_value", "Give both a starting value and a target"),
        ({"title": "x" * 201}, "title", "at most 200 characters (it has 201)"),
        ({"specific": "y" * 2001}, "specific", "at most 2000 characters"),
        ({"title": ""}, "title", "Give the goal a title."),
        ({"starts_on": "31/02/2026"}, "starts_on", "Enter a valid date."),
        ({"milestones": "\n".join(f"m{i}" for i in range(11))}, "milestones", "At most 10"),
        ({"visibility": "everyone"}, "visibility", "Select a valid choice."),
        ({"title": "Nul\x00byte title for a goal"}, "title", "Null characters are not allowed."),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    logged_in, mentee, changes, field, message
):
    response = logged_in.post(reverse("goals:goal_create"), valid_data(**changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert any(message in e for e in form.errors[field]), form.errors[field]
    assert message.split("(")[0].strip() in response.content.decode().replace("&#x27;", "'")
    assert not Goal.objects.filter(mentee=mentee).exists()


def test_decimal_comma_is_accepted(logged_in, mentee):
    logged_in.post(reverse("goals:goal_create"), valid_data(baseline_value="2,5"))
    assert str(Goal.objects.get(mentee=mentee).baseline_value) == "2.50"


def test_html_is_escaped_and_emoji_and_rtl_are_kept(logged_in, mentee, mentor, client):
    title = '<script>alert("x")</script> حديث 🎤 15 دقيقة'
    logged_in.post(
        reverse("goals:goal_create"),
        valid_data(title=title, specific="<b>bold</b> & <img src=x onerror=alert(1)>"),
    )
    goal = Goal.objects.get(mentee=mentee)
    assert goal.title == title
    html = logged_in.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; حديث 🎤 15 دقيقة" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in html
    # The same holds in lists and on the mentor's side.
    assert "حديث 🎤" in logged_in.get(reverse("goals:goal_list")).content.decode()
    client.force_login(mentor)
    mentees_html = client.get(reverse("goals:mentor_mentees")).content.decode()
    assert "<script>alert" not in mentees_html


def test_edit_saves_and_records_history(logged_in, goal):
    url = reverse("goals:goal_edit", args=[goal.uuid])
    data = valid_data(title="Deliver a 20-minute talk to stakeholders", version=goal.version)
    data.pop("milestones")
    response = logged_in.post(url, data)
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Deliver a 20-minute talk to stakeholders"
    assert goal.version == 2
    event = GoalEvent.objects.get(goal=goal, action="edited")
    assert "Deliver a 20-minute talk" in event.detail


def test_second_tab_save_is_refused_with_a_message(logged_in, goal):
    url = reverse("goals:goal_edit", args=[goal.uuid])
    # Both tabs open the form at version 1.
    tab_a = logged_in.get(url).context["form"]["version"].value()
    tab_b = logged_in.get(url).context["form"]["version"].value()
    assert tab_a == tab_b == 1
    first = valid_data(title="Title saved from the first tab", version=tab_a)
    second = valid_data(title="Title saved from the second tab", version=tab_b)
    first.pop("milestones")
    second.pop("milestones")
    assert logged_in.post(url, first).status_code == 302
    response = logged_in.post(url, second)
    assert response.status_code == 409
    assert "changed in another tab or window" in response.content.decode()
    goal.refresh_from_db()
    assert goal.title == "Title saved from the first tab"
    assert goal.version == 2


def test_invalid_edit_changes_nothing(logged_in, goal):
    url = reverse("goals:goal_edit", args=[goal.uuid])
    data = valid_data(title="A perfectly fine new title here", target_value="0", version=1)
    data.pop("milestones")
    response = logged_in.post(url, data)
    assert response.status_code == 200
    goal.refresh_from_db()
    assert goal.title == "Deliver a 15-minute talk to stakeholders"
    assert goal.version == 1


def test_progress_update_bad_input(logged_in, goal):
    url = reverse("goals:update_add", args=[goal.uuid])
    response = logged_in.post(url, {"value": "lots", "note": "", "confidence": "4"})
    assert response.status_code == 400
    assert "Enter a number, such as 12 or 3.5." in response.content.decode()
    response = logged_in.post(url, {"value": "", "note": "", "confidence": "9"})
    assert response.status_code == 400
    assert not goal.updates.exists()
    response = logged_in.post(url, {"value": "", "note": "", "confidence": "3"})
    assert "Write a note or give a new value." in response.content.decode()
    response = logged_in.post(url, {"note": "n" * 4001, "confidence": "3"})
    assert "at most 4000 characters" in response.content.decode()
    assert not goal.updates.exists()


def test_milestone_and_comment_bad_input(logged_in, goal):
    response = logged_in.post(
        reverse("goals:milestone_add", args=[goal.uuid]),
        {"title": "", "kind": "milestone", "due_on": "tomorrow"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html and "Enter a valid date." in html
    response = logged_in.post(reverse("goals:comment_add", args=[goal.uuid]), {"body": "  "})
    assert response.status_code == 400
    assert "Write something first." in response.content.decode()
    assert not goal.milestones.exists() and not goal.comments.exists()
