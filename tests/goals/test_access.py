"""The access policy for every goal URL and persona.

Mia (mentee) owns the goal; Maria (mentor) mentors her through an open pairing; Otto
(other_mentor) mentors someone else; Ada (admin) runs the program; Noah (other_mentee) is in
the same program; Sam (stranger) is in none. 404 for whoever may not know the goal exists,
403 for whoever sees it but may not do this.
"""

import pytest
from django.urls import reverse

from goals.models import Goal, Milestone, ProgressUpdate, Visibility
from goals.policy import visible_goals_q
from mentorship.models import PairingStatus
from tests.factories import MembershipFactory, PairingFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["mentee", "mentor", "other_mentor", "admin", "other_mentee", "stranger", "other_admin"]


@pytest.fixture
def world(goal, milestone, update, other_pairing, admin, other_admin, stranger):
    return {"goal": goal, "milestone": milestone, "update": update}


def url_for(name, world):
    goal, milestone, update = world["goal"], world["milestone"], world["update"]
    target = {
        "goal_detail": goal,
        "goal_edit": goal,
        "goal_status": goal,
        "goal_move": goal,
        "milestone_add": goal,
        "update_add": goal,
        "comment_add": goal,
        "milestone_complete": milestone,
        "milestone_reopen": milestone,
        "milestone_move": milestone,
        "update_acknowledge": update,
    }[name]
    return reverse(f"goals:{name}", args=[target.uuid])


POST_DATA = {
    "goal_status": {"status": "on_hold"},
    "goal_move": {"direction": "down"},
    "milestone_add": {"title": "Book the room", "kind": "milestone"},
    "update_add": {"value": "3", "note": "Third run", "confidence": "4"},
    "comment_add": {"body": "Looks good"},
    "milestone_move": {"direction": "down"},
    "update_acknowledge": {"reply": ""},
}

# (method, url name) -> expected status per persona, for a goal shared with the mentor.
OWNER_ONLY = {
    "mentee": (200, 302),
    "mentor": 403,
    "admin": 403,
    "other_mentor": 404,
    "other_mentee": 404,
    "stranger": 404,
    "other_admin": 404,
}
MATRIX = {
    ("get", "goal_detail"): {**OWNER_ONLY, "mentee": 200, "mentor": 200, "admin": 200},
    ("get", "goal_edit"): {**OWNER_ONLY, "mentee": 200},
    ("post", "goal_edit"): {**OWNER_ONLY, "mentee": 302},
    ("post", "goal_status"): {**OWNER_ONLY, "mentee": 302},
    ("post", "goal_move"): {**OWNER_ONLY, "mentee": 302},
    ("post", "milestone_add"): {**OWNER_ONLY, "mentee": 302},
    ("post", "update_add"): {**OWNER_ONLY, "mentee": 302},
    ("post", "milestone_complete"): {**OWNER_ONLY, "mentee": 302},
    ("post", "milestone_reopen"): {**OWNER_ONLY, "mentee": 302},
    ("post", "milestone_move"): {**OWNER_ONLY, "mentee": 302},
    ("post", "comment_add"): {**OWNER_ONLY, "mentee": 302, "mentor": 302},
    ("post", "update_acknowledge"): {**OWNER_ONLY, "mentee": 403, "mentor": 302},
}


def edit_data(goal):
    return {
        "title": "Deliver a 20-minute talk to stakeholders",
        "category": goal.category,
        "starts_on": goal.starts_on.isoformat(),
        "target_date": goal.target_date.isoformat(),
        "baseline_value": "0",
        "target_value": "10",
        "visibility": goal.visibility,
        "version": goal.version,
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("method, name", list(MATRIX))
def test_access_matrix(client, request, world, persona, method, name):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    url = url_for(name, world)
    if method == "get":
        response = client.get(url)
    else:
        data = edit_data(world["goal"]) if name == "goal_edit" else POST_DATA.get(name, {})
        response = client.post(url, data)
    assert response.status_code == MATRIX[(method, name)][persona], (persona, method, name)


@pytest.mark.parametrize("method, name", list(MATRIX))
def test_anonymous_is_sent_to_log_in(client, world, method, name):
    response = getattr(client, method)(url_for(name, world))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("name", sorted({n for m, n in MATRIX if m == "post"} - {"goal_edit"}))
def test_post_only_urls_refuse_get(client, world, mentee, name):
    client.force_login(mentee)
    assert client.get(url_for(name, world)).status_code == 405


def test_refused_requests_change_nothing(client, world, mentor, other_mentor):
    goal = world["goal"]
    client.force_login(mentor)
    client.post(url_for("goal_edit", world), edit_data(goal))
    client.post(url_for("goal_status", world), {"status": "abandoned"})
    client.post(url_for("milestone_complete", world))
    client.force_login(other_mentor)
    client.post(url_for("comment_add", world), {"body": "hi"})
    client.post(url_for("update_acknowledge", world))
    goal.refresh_from_db()
    assert goal.title == "Deliver a 15-minute talk to stakeholders"
    assert goal.status == "active"
    assert Milestone.objects.get(pk=world["milestone"].pk).completed_at is None
    assert not goal.comments.exists()
    assert ProgressUpdate.objects.get(pk=world["update"].pk).acknowledged_at is None


def test_admin_sees_only_summary_without_program_visibility(client, world, admin):
    client.force_login(admin)
    html = client.get(url_for("goal_detail", world)).content.decode()
    assert world["goal"].title in html
    assert 'data-health="' in html
    assert "Outline the talk" not in html  # milestone
    assert "Two practice runs." not in html  # update note
    assert "A 15-minute presentation of the quarterly roadmap" not in html  # specific
    assert "Communication" not in html and "target date" not in html


def test_admin_sees_details_with_program_visibility_but_cannot_comment(client, world, admin):
    goal = world["goal"]
    goal.visibility = Visibility.PROGRAM
    goal.save()
    client.force_login(admin)
    html = client.get(url_for("goal_detail", world)).content.decode()
    assert "Outline the talk" in html and "Two practice runs." in html
    assert 'action="' + url_for("comment_add", world) not in html
    assert client.post(url_for("comment_add", world), {"body": "hi"}).status_code == 403
    assert client.post(url_for("update_acknowledge", world)).status_code == 403
    assert client.get(url_for("goal_edit", world)).status_code == 403


def test_private_goal_is_invisible_to_mentor_and_admin(client, world, mentor, admin, mentee):
    goal = world["goal"]
    goal.visibility = Visibility.PRIVATE
    goal.save()
    for user in (mentor, admin):
        client.force_login(user)
        assert client.get(url_for("goal_detail", world)).status_code == 404
        assert client.post(url_for("comment_add", world), {"body": "x"}).status_code == 404
    client.force_login(mentee)
    assert client.get(url_for("goal_detail", world)).status_code == 200


def test_past_pairing_gives_the_mentor_read_only_access(client, world, mentor, pairing):
    pairing.status = PairingStatus.ENDED
    pairing.save()
    client.force_login(mentor)
    response = client.get(url_for("goal_detail", world))
    assert response.status_code == 200
    assert "Outline the talk" in response.content.decode()
    assert client.post(url_for("comment_add", world), {"body": "x"}).status_code == 403
    assert client.post(url_for("update_acknowledge", world)).status_code == 403
    assert client.get(url_for("goal_edit", world)).status_code == 403


def test_mentor_of_the_mentee_in_another_program_does_not_see_the_goal(
    client, world, other_program, mentee
):
    elsewhere = UserFactory()
    MembershipFactory(program=other_program, user=elsewhere, role="mentor")
    PairingFactory(program=other_program, mentor=elsewhere, mentee=mentee)
    client.force_login(elsewhere)
    assert client.get(url_for("goal_detail", world)).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_visible_to_matches_the_object_rules(request, world, persona):
    user = request.getfixturevalue(persona)
    visible = set(Goal.objects.filter(visible_goals_q(user)).values_list("pk", flat=True))
    expected = MATRIX[("get", "goal_detail")][persona] == 200
    assert (world["goal"].pk in visible) is expected


@pytest.mark.parametrize(
    "persona, status", [("admin", 200), ("other_admin", 404), ("mentor", 403), ("mentee", 403)]
)
def test_program_goals_page_is_for_the_programs_admins(
    client, request, world, program, persona, status
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("goals:program_goals", args=[program.uuid])).status_code == status


def test_mentor_pages_show_only_their_own_mentees(client, world, other_mentor, mentor):
    client.force_login(other_mentor)
    for name in ("mentor_dashboard", "mentor_mentees", "review_queue"):
        response = client.get(reverse(f"goals:{name}"))
        assert response.status_code == 200
        assert world["goal"].title not in response.content.decode()
    client.force_login(mentor)
    assert world["goal"].title in client.get(reverse("goals:review_queue")).content.decode()
    assert world["goal"].title in client.get(reverse("goals:mentor_mentees")).content.decode()


def test_unknown_uuid_is_404(client, mentee):
    client.force_login(mentee)
    url = reverse("goals:goal_detail", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404
