"""Data export (a user's zip, a program admin's CSV) and account deletion."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from accounts.models import User
from api.services import api_token_create
from goals.models import Comment, Goal, Milestone, ProgressUpdate
from mentorship.models import SurveyResponse
from notifications.services import notify
from tests.factories import PASSWORD, GoalFactory

pytestmark = pytest.mark.django_db


def read_zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_user_export_contains_everything_they_own(
    client, world, mentee, mentor, other_mentee, pairing
):
    Comment.objects.create(goal=world.goal, author=mentee, body="My own note")
    Comment.objects.create(goal=world.other_goal, author=mentee, body="Cheering Noah on")
    SurveyResponse.objects.create(
        pairing=pairing, author=mentee, match_score=5, progress_score=4, comment="Great"
    )
    SurveyResponse.objects.create(
        pairing=pairing, author=mentor, match_score=2, progress_score=2, comment="Not Mia's"
    )
    notify(recipient=mentee, kind="feedback", dedupe_key="x:1", title="Hello Mia", send_email=False)
    notify(
        recipient=mentor, kind="feedback", dedupe_key="x:2", title="Hello Maria", send_email=False
    )
    api_token_create(user=mentee, name="laptop")
    client.force_login(mentee)
    archive = read_zip(client.get(reverse("api:export")))
    names = set(archive.namelist())
    for dataset in (
        "profile",
        "memberships",
        "goals",
        "milestones",
        "progress_updates",
        "comments",
        "pairings",
        "checkins",
        "survey_answers",
        "notifications",
        "api_tokens",
    ):
        assert f"{dataset}.json" in names and f"{dataset}.csv" in names

    def load(name):
        return json.loads(archive.read(f"{name}.json"))[name]

    assert load("profile")[0]["email"] == mentee.email
    assert {g["uuid"] for g in load("goals")} == {
        str(world.goal.uuid),
        str(world.program_goal.uuid),
        str(world.private_goal.uuid),
    }
    # Milestones and weekly action steps (the world has one of each).
    assert {m["uuid"] for m in load("milestones")} == {
        str(world.milestone.uuid),
        str(world.step.uuid),
    }
    assert [u["uuid"] for u in load("progress_updates")] == [str(world.update.uuid)]
    comments = {c["body"]: c for c in load("comments")}
    assert set(comments) == {"My own note", "Cheering Noah on"}  # not the mentor's comment
    assert comments["Cheering Noah on"]["goal"] is None  # the other goal's title is Noah's
    assert [c["uuid"] for c in load("checkins")] == [str(world.checkin.uuid)]
    # Her own survey answers only, with every question; not her mentor's.
    answers = load("survey_answers")
    assert [(a["comment"], a["match_score"], a["kind"]) for a in answers] == [("Great", 5, "pulse")]
    assert [n["title"] for n in load("notifications")] == ["Hello Mia"]
    tokens = load("api_tokens")
    assert tokens[0]["name"] == "laptop" and "token_hash" not in tokens[0]
    rows = list(csv.DictReader(io.StringIO(archive.read("goals.csv").decode())))
    assert {r["title"] for r in rows} == {
        world.goal.title,
        world.program_goal.title,
        world.private_goal.title,
    }
    # An empty data set still has its header.
    assert archive.read("survey_answers.csv").decode().startswith("uuid,")


def test_user_export_through_the_api_and_needs_login(client, as_user, mentee):
    assert client.get(reverse("api:export")).status_code == 302
    archive = read_zip(as_user(mentee).get(reverse("api:me-export")))
    assert "goals.json" in archive.namelist()


def test_user_export_makes_a_fixed_number_of_queries(client, mentee, django_assert_num_queries):
    client.force_login(mentee)
    client.get(reverse("api:export"))  # the session is now cached
    counts = []
    for n in (1, 5):
        for _ in range(n):
            GoalFactory(mentee=mentee)
        # the signed-in user's row, their profile's row and ten queried data sets (the
        # session comes from the cache)
        with django_assert_num_queries(12) as ctx:
            client.get(reverse("api:export"))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_program_export_for_admins(world, admin, mentee, mentor, program, as_user):
    client = as_user(admin)
    members = read_csv(client.get(reverse("api:program-export", args=[program.uuid, "members"])))
    assert {m["email"] for m in members} >= {mentee.email, mentor.email, admin.email}
    pairings = read_csv(client.get(reverse("api:program-export", args=[program.uuid, "pairings"])))
    assert len(pairings) == 2
    checkins = read_csv(client.get(reverse("api:program-export", args=[program.uuid, "checkins"])))
    assert set(checkins[0]) == {
        "uuid",
        "pairing_uuid",
        "mentor",
        "mentee",
        "occurred_on",
    }  # dates, not what was said
    goals = read_csv(client.get(reverse("api:program-export", args=[program.uuid, "goals"])))
    titles = {g["title"] for g in goals}
    assert world.private_goal.title not in titles  # "only me" goals stay invisible to admins
    assert {world.goal.title, world.program_goal.title, world.other_goal.title} <= titles
    assert set(goals[0]) == {
        "uuid",
        "mentee",
        "title",
        "status",
        "archived",
        "progress_percent",
        "expected_percent",
        "health",
    }


# --- Account deletion -------------------------------------------------------------------------


def test_delete_page_needs_login_and_password(client, mentee):
    assert client.get(reverse("api:account_delete")).status_code == 302
    client.force_login(mentee)
    assert client.get(reverse("api:account_delete")).status_code == 200
    response = client.post(reverse("api:account_delete"), {"password": "wrong-password"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert User.objects.filter(pk=mentee.pk).exists()


def test_deleting_an_account_removes_own_data_and_keeps_comments_on_others_goals(
    client, world, mentee, mentor, other_mentee
):
    own_goal_ids = list(Goal.objects.filter(mentee=mentee).values_list("pk", flat=True))
    mentor_comment = Comment.objects.create(
        goal=world.other_goal, author=mentor, body="Nice one, Noah"
    )
    client.force_login(mentor)
    response = client.post(reverse("api:account_delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=mentor.pk).exists()
    # The comment on Mia's goal and the one on Noah's stay, attributed to nobody.
    mentor_comment.refresh_from_db()
    assert mentor_comment.author is None
    world.comment.refresh_from_db()
    assert world.comment.author is None
    # Logged out.
    assert client.get(reverse("api:tokens")).status_code == 302
    # Through the API the author reads as a deleted user.
    client.force_login(other_mentee)
    rows = client.get(reverse("api:comment-list"), {"goal": str(world.other_goal.uuid)}).json()[
        "results"
    ]
    assert rows[0]["author"] == {"uuid": None, "name": "a deleted user"}
    assert Goal.objects.filter(pk__in=own_goal_ids).count() == len(own_goal_ids)


def test_deleting_a_mentee_removes_her_goals_and_private_data(client, world, mentee):
    client.force_login(mentee)
    goal_ids = [world.goal.pk, world.program_goal.pk, world.private_goal.pk]
    assert client.post(reverse("api:account_delete"), {"password": PASSWORD}).status_code == 302
    assert not Goal.objects.filter(pk__in=goal_ids).exists()
    assert not Milestone.objects.filter(pk=world.milestone.pk).exists()
    assert not ProgressUpdate.objects.filter(pk=world.update.pk).exists()
    assert Goal.objects.filter(pk=world.other_goal.pk).exists()


@pytest.mark.parametrize("part", ["members", "pairings", "checkins", "goals"])
def test_program_export_makes_a_fixed_number_of_queries(
    part, program, admin, client, django_assert_max_num_queries
):
    from tests.factories import CheckInFactory, MembershipFactory, PairingFactory, UserFactory

    client.force_login(admin)
    client.get(reverse("api:program-export", args=[program.uuid, part]))  # the user is cached
    counts = []
    for n in (1, 5):
        for _ in range(n):
            mentee = UserFactory()
            MembershipFactory(program=program, user=mentee)
            pairing = PairingFactory(program=program, mentee=mentee)
            CheckInFactory(pairing=pairing)
            GoalFactory(mentee=mentee, program=program, pairing=pairing)
        with django_assert_max_num_queries(8) as ctx:
            response = client.get(reverse("api:program-export", args=[program.uuid, part]))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_delete_page_warns_a_programs_only_admin(client, admin, program, other_program):
    from mentorship.models import Membership, Role
    from tests.factories import UserFactory

    Membership.objects.create(program=other_program, user=admin, role=Role.ADMIN)
    Membership.objects.create(program=other_program, user=UserFactory(), role=Role.ADMIN)
    client.force_login(admin)
    response = client.get(reverse("api:account_delete"))
    assert [p.name for p in response.context["sole_admin_of"]] == [program.name]
    assert "only admin" in response.content.decode()
