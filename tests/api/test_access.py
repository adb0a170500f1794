"""The access policy through the API, for every endpoint and persona: the API shows and
changes what the pages do (goals.policy, mentorship.policy), never more.

404: the object is outside the persona's relationships; 403: visible but not changeable."""

import pytest
from django.urls import reverse

from goals.models import Comment, Goal, Milestone, ProgressUpdate
from goals.policy import Level, goal_access, visible_goals_q
from mentorship.models import CheckIn, PairingStatus
from notifications.services import notify

pytestmark = pytest.mark.django_db

PERSONAS = ["mentee", "other_mentee", "mentor", "other_mentor", "admin", "other_admin", "stranger"]
LEVEL_NAMES = {
    Level.SUMMARY: "summary",
    Level.READ: "read",
    Level.FEEDBACK: "feedback",
    Level.OWNER: "owner",
}


@pytest.fixture
def persona(request):
    def get(name):
        return request.getfixturevalue(name)

    return get


def uuids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["uuid"] for row in response.json()["results"]}


# --- Goals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_goal_list_is_visible_to(name, persona, world, as_user):
    user = persona(name)
    got = uuids(as_user(user).get(reverse("api:goal-list")))
    expected = {
        str(u) for u in Goal.objects.filter(visible_goals_q(user)).values_list("uuid", flat=True)
    }
    assert got == expected


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("which", ["goal", "program_goal", "private_goal", "other_goal"])
def test_goal_detail_follows_goal_access(name, which, persona, world, as_user):
    user = persona(name)
    goal = getattr(world, which)
    access = goal_access(user, goal)
    response = as_user(user).get(reverse("api:goal-detail", args=[goal.uuid]))
    if not access.exists:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = response.json()
    assert body["access"] == LEVEL_NAMES[access.level]
    if access.can_see_details:
        assert body["specific"] == goal.specific
    else:
        # A program admin of a goal not shared with the program: the summary only.
        assert set(body) == {"uuid", "title", "status", "progress", "health", "access"}


def test_list_levels_match_goal_access(world, as_user, admin, mentor, mentee):
    for user in (admin, mentor, mentee):
        for row in as_user(user).get(reverse("api:goal-list")).json()["results"]:
            goal = Goal.objects.get(uuid=row["uuid"])
            assert row["access"] == LEVEL_NAMES[goal_access(user, goal).level]


@pytest.mark.parametrize(
    "name,status",
    [("mentee", 200), ("mentor", 403), ("admin", 403), ("other_mentor", 404), ("stranger", 404)],
)
def test_goal_update_only_by_owner(name, status, persona, world, as_user):
    goal = world.program_goal
    response = as_user(persona(name)).patch(
        reverse("api:goal-detail", args=[goal.uuid]),
        {"title": "Present the roadmap to the board", "version": goal.version},
        format="json",
    )
    assert response.status_code == status, response.content
    goal.refresh_from_db()
    changed = goal.title == "Present the roadmap to the board"
    assert changed is (status == 200)


@pytest.mark.parametrize(
    "name,status", [("mentee", 200), ("mentor", 403), ("admin", 403), ("stranger", 404)]
)
def test_goal_status_only_by_owner(name, status, persona, world, as_user):
    response = as_user(persona(name)).post(
        reverse("api:goal-set-status", args=[world.program_goal.uuid]), {"status": "on_hold"}
    )
    assert response.status_code == status


# --- Milestones, updates, comments ------------------------------------------------------------


CHILD_ENDPOINTS = [
    ("milestone", Milestone, "milestone"),
    ("progressupdate", ProgressUpdate, "update"),
    ("comment", Comment, "comment"),
]


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("basename,model,attr", CHILD_ENDPOINTS)
def test_child_rows_follow_goal_details(name, basename, model, attr, persona, world, as_user):
    """Milestones, updates and comments are goal details: the owner, her mentor and (for
    goals shared with the program) program admins read them; nobody else learns they exist."""
    user = persona(name)
    row = getattr(world, attr)
    client = as_user(user)
    visible = goal_access(user, row.goal).can_see_details
    detail = client.get(reverse(f"api:{basename}-detail", args=[row.uuid]))
    assert detail.status_code == (200 if visible else 404)
    listed = uuids(client.get(reverse(f"api:{basename}-list")))
    expected = {
        str(obj.uuid)
        for obj in model.objects.select_related("goal")
        if goal_access(user, obj.goal).can_see_details
    }
    assert listed == expected


def test_admin_reads_details_of_goals_shared_with_the_program(world, as_user, admin, mentee):
    Milestone.objects.create(goal=world.program_goal, title="Shared milestone")
    Milestone.objects.create(goal=world.private_goal, title="Private milestone")
    titles = {
        r["title"] for r in as_user(admin).get(reverse("api:milestone-list")).json()["results"]
    }
    assert titles == {"Shared milestone"}


@pytest.mark.parametrize(
    "name,status",
    [("mentee", 201), ("mentor", 403), ("admin", 404), ("other_mentor", 404), ("stranger", 404)],
)
def test_milestone_create_only_by_owner(name, status, persona, world, as_user):
    response = as_user(persona(name)).post(
        reverse("api:milestone-list"), {"goal": str(world.goal.uuid), "title": "Book the room"}
    )
    assert response.status_code == status, response.content
    assert Milestone.objects.filter(title="Book the room").exists() is (status == 201)


@pytest.mark.parametrize("name,status", [("mentee", 200), ("mentor", 403), ("stranger", 404)])
def test_milestone_complete_only_by_owner(name, status, persona, world, as_user):
    response = as_user(persona(name)).post(
        reverse("api:milestone-complete", args=[world.milestone.uuid])
    )
    assert response.status_code == status
    world.milestone.refresh_from_db()
    assert (world.milestone.completed_at is not None) is (status == 200)


@pytest.mark.parametrize(
    "name,status", [("mentee", 201), ("mentor", 403), ("admin", 404), ("stranger", 404)]
)
def test_progress_update_only_by_owner(name, status, persona, world, as_user):
    response = as_user(persona(name)).post(
        reverse("api:progressupdate-list"),
        {"goal": str(world.goal.uuid), "value": "3", "note": "Third run", "confidence": 4},
        format="json",
    )
    assert response.status_code == status, response.content


@pytest.mark.parametrize(
    "name,status",
    [("mentor", 200), ("mentee", 403), ("admin", 404), ("other_mentor", 404), ("stranger", 404)],
)
def test_acknowledge_only_by_open_pairings_mentor(name, status, persona, world, as_user):
    response = as_user(persona(name)).post(
        reverse("api:progressupdate-acknowledge", args=[world.update.uuid]), {"reply": "Well done"}
    )
    assert response.status_code == status, response.content
    world.update.refresh_from_db()
    assert (world.update.acknowledged_at is not None) is (status == 200)


def test_past_mentor_reads_but_cannot_acknowledge_or_comment(world, as_user, mentor, pairing):
    pairing.status = PairingStatus.ENDED
    pairing.save()
    client = as_user(mentor)
    assert client.get(reverse("api:goal-detail", args=[world.goal.uuid])).json()["access"] == "read"
    assert (
        client.post(reverse("api:progressupdate-acknowledge", args=[world.update.uuid])).status_code
        == 403
    )
    response = client.post(
        reverse("api:comment-list"), {"goal": str(world.goal.uuid), "body": "Late note"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "name,which,status",
    [
        ("mentee", "goal", 201),
        ("mentor", "goal", 201),
        ("admin", "program_goal", 403),  # reads it, does not comment
        ("admin", "goal", 404),  # summary only: no feedback thread
        ("other_mentor", "goal", 404),
        ("stranger", "goal", 404),
    ],
)
def test_comment_create(name, which, status, persona, world, as_user):
    goal = getattr(world, which)
    response = as_user(persona(name)).post(
        reverse("api:comment-list"), {"goal": str(goal.uuid), "body": "Keep going"}
    )
    assert response.status_code == status, response.content


# --- Pairings and check-ins -------------------------------------------------------------------


PAIRING_VISIBLE = {"mentee", "mentor", "admin"}


@pytest.mark.parametrize("name", PERSONAS)
def test_pairing_visibility(name, persona, world, pairing, other_pairing, as_user):
    client = as_user(persona(name))
    detail = client.get(reverse("api:pairing-detail", args=[pairing.uuid]))
    assert detail.status_code == (200 if name in PAIRING_VISIBLE else 404)
    listed = uuids(client.get(reverse("api:pairing-list")))
    assert (str(pairing.uuid) in listed) is (name in PAIRING_VISIBLE)
    assert (str(other_pairing.uuid) in listed) is (
        name in {"other_mentee", "other_mentor", "admin"}
    )


@pytest.mark.parametrize(
    "name,status",
    [("admin", 200), ("mentor", 403), ("mentee", 403), ("other_admin", 404), ("stranger", 404)],
)
def test_pairing_pause_only_by_program_admin(name, status, persona, pairing, as_user):
    response = as_user(persona(name)).post(
        reverse("api:pairing-pause", args=[pairing.uuid]), {"reason": "Holiday"}
    )
    assert response.status_code == status, response.content
    pairing.refresh_from_db()
    assert (pairing.status == PairingStatus.PAUSED) is (status == 200)


def test_pairing_end_needs_a_reason(pairing, admin, as_user):
    response = as_user(admin).post(reverse("api:pairing-end", args=[pairing.uuid]), {"reason": ""})
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


@pytest.mark.parametrize("name", PERSONAS)
def test_checkin_visibility(name, persona, world, as_user):
    client = as_user(persona(name))
    detail = client.get(reverse("api:checkin-detail", args=[world.checkin.uuid]))
    if name in {"mentee", "mentor"}:
        assert detail.json()["summary"] == world.checkin.summary
    elif name == "admin":
        # Program admins see when the pair met, not what they said.
        assert detail.status_code == 200
        assert "summary" not in detail.json() and "next_steps" not in detail.json()
        assert detail.json()["occurred_on"] == world.checkin.occurred_on.isoformat()
    else:
        assert detail.status_code == 404
    listed = uuids(client.get(reverse("api:checkin-list")))
    assert (str(world.checkin.uuid) in listed) is (name in PAIRING_VISIBLE)


@pytest.mark.parametrize(
    "name,status",
    [("mentor", 201), ("mentee", 201), ("admin", 403), ("other_mentor", 404), ("stranger", 404)],
)
def test_checkin_create_only_by_the_pair(name, status, persona, pairing, as_user):
    response = as_user(persona(name)).post(
        reverse("api:checkin-list"),
        {"pairing": str(pairing.uuid), "occurred_on": "2020-01-01", "summary": "Met for coffee"},
    )
    assert response.status_code == status, response.content
    assert CheckIn.objects.filter(summary="Met for coffee").exists() is (status == 201)


def test_checkin_in_the_future_is_a_field_message(pairing, mentor, as_user):
    response = as_user(mentor).post(
        reverse("api:checkin-list"),
        {"pairing": str(pairing.uuid), "occurred_on": "2999-01-01", "summary": "Time travel"},
    )
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


# --- Programs and memberships ---------------------------------------------------------------


PROGRAM_STATUS = {
    "admin": 200,
    "mentor": 403,
    "mentee": 403,
    "other_mentee": 403,
    "other_mentor": 403,
    "other_admin": 404,
    "stranger": 404,
}


@pytest.mark.parametrize("name", PERSONAS)
def test_program_endpoints(name, persona, program, world, as_user):
    client = as_user(persona(name))
    status = PROGRAM_STATUS[name]
    assert client.get(reverse("api:program-detail", args=[program.uuid])).status_code == status
    assert client.get(reverse("api:program-memberships", args=[program.uuid])).status_code == status
    export = client.get(reverse("api:program-export", args=[program.uuid, "members"]))
    assert export.status_code == status
    listed = uuids(client.get(reverse("api:program-list")))
    assert (str(program.uuid) in listed) is (name == "admin")
    patch = client.patch(reverse("api:program-detail", args=[program.uuid]), {"description": "New"})
    assert patch.status_code == status


def test_members_are_added_by_invitation_not_through_the_api(program, admin, stranger, as_user):
    """The pages add people by invitation (with the invitee's consent); the API offers no
    shortcut around it."""
    response = as_user(admin).post(
        reverse("api:program-memberships", args=[program.uuid]),
        {"email": stranger.email, "role": "mentor"},
    )
    assert response.status_code == 405
    assert not program.memberships.filter(user=stranger).exists()


# --- Notifications ----------------------------------------------------------------------------


def test_notifications_are_the_users_inbox_only(mentee, stranger, as_user):
    mine = notify(
        recipient=mentee, kind="feedback", dedupe_key="t:1", title="For Mia", send_email=False
    )
    notify(recipient=stranger, kind="feedback", dedupe_key="t:2", title="For Sam", send_email=False)
    client = as_user(mentee)
    assert [r["title"] for r in client.get(reverse("api:notification-list")).json()["results"]] == [
        "For Mia"
    ]
    assert (
        as_user(stranger).get(reverse("api:notification-detail", args=[mine.uuid])).status_code
        == 404
    )
    assert (
        as_user(stranger).post(reverse("api:notification-read", args=[mine.uuid])).status_code
        == 404
    )
    response = client.post(reverse("api:notification-read", args=[mine.uuid]))
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert client.get(reverse("api:notification-list"), {"unread": "true"}).json()["count"] == 0
