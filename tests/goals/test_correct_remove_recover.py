"""Correcting, removing and recovering: milestones edited and deleted, comments and replies
edited and deleted, draft goals deleted, goals archived and restored, creates that are sent
twice, and notices whose cause was undone.

Mia (mentee) owns the goal; Maria (mentor) mentors her through an open pairing and wrote the
comment; Otto (other_mentor) mentors someone else; Ada (admin) runs the program; Sam
(stranger) is in none. The author succeeds, the other side of the pair gets 403, anyone
outside the goal's details 404.
"""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core import dedupe
from goals import selectors, services
from goals.models import Comment, Goal, GoalEvent, GoalStatus, Milestone, Visibility
from mentorship.models import PairingStatus
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import GoalFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["mentee", "mentor", "other_mentor", "admin", "other_mentee", "stranger"]
JSON = "application/json"


@pytest.fixture
def comment(goal, mentor):
    return services.comment_add(goal=goal, by=mentor, body="Nice start on the outline.")


@pytest.fixture
def world(goal, milestone, comment, other_pairing, admin, stranger):
    return {"goal": goal, "milestone": milestone, "comment": comment}


def actions(goal) -> list[str]:
    return list(GoalEvent.objects.filter(goal=goal).values_list("action", flat=True))


def _as(client, request, persona):
    client.force_login(request.getfixturevalue(persona))


# --- Who may: pages and API -----------------------------------------------------------------

# Expected status by persona; "ok" is the author's success (the status differs per request).
OWNER = {"mentor": 403, "admin": 403, "other_mentor": 404, "other_mentee": 404, "stranger": 404}
# A comment lives in the goal's details: an admin who sees only the summary does not know it.
AUTHOR = {"mentee": 403, "admin": 404, "other_mentor": 404, "other_mentee": 404, "stranger": 404}

PAGE_REQUESTS = [
    # (method, url name, object, data, the author, their status, the others)
    ("get", "milestone_edit", "milestone", {}, "mentee", 200, OWNER),
    (
        "post",
        "milestone_edit",
        "milestone",
        {"title": "Outline v2", "kind": "milestone"},
        "mentee",
        302,
        OWNER,
    ),  # noqa: E501
    ("get", "milestone_delete", "milestone", {}, "mentee", 200, OWNER),
    ("post", "milestone_delete", "milestone", {}, "mentee", 302, OWNER),
    ("get", "comment_edit", "comment", {}, "mentor", 200, AUTHOR),
    ("post", "comment_edit", "comment", {"body": "Nicer start."}, "mentor", 302, AUTHOR),
    ("get", "comment_delete", "comment", {}, "mentor", 200, AUTHOR),
    ("post", "comment_delete", "comment", {}, "mentor", 302, AUTHOR),
    ("post", "goal_archive", "goal", {}, "mentee", 302, OWNER),
    ("post", "goal_restore", "goal", {}, "mentee", 302, OWNER),
    ("get", "goal_delete", "goal", {}, "mentee", 302, OWNER),  # not a draft: sent back
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "method, name, target, data, author, ok, others",
    PAGE_REQUESTS,
    ids=[f"{r[0]}-{r[1]}" for r in PAGE_REQUESTS],
)
def test_pages_answer_the_author_and_refuse_everyone_else(
    client, request, world, persona, method, name, target, data, author, ok, others
):
    _as(client, request, persona)
    url = reverse(f"goals:{name}", args=[world[target].uuid])
    response = getattr(client, method)(url, data)
    expected = ok if persona == author else others[persona]
    assert response.status_code == expected, (persona, method, name)


API_REQUESTS = [
    ("patch", "api:milestone-detail", "milestone", {"title": "Outline v2"}, "mentee", 200, OWNER),
    ("delete", "api:milestone-detail", "milestone", None, "mentee", 204, OWNER),
    ("patch", "api:comment-detail", "comment", {"body": "Nicer start."}, "mentor", 200, AUTHOR),
    ("delete", "api:comment-detail", "comment", None, "mentor", 204, AUTHOR),
    ("post", "api:goal-archive", "goal", {}, "mentee", 200, OWNER),
    ("post", "api:goal-restore", "goal", {}, "mentee", 200, OWNER),
    ("delete", "api:goal-detail", "goal", None, "mentee", 409, OWNER),  # not a draft
]
# Through the API a milestone is a row of the goal's details, as a comment is.
API_OWNER = {**OWNER, "admin": 404}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "method, name, target, data, author, ok, others",
    API_REQUESTS,
    ids=[f"{r[0]}-{r[1]}" for r in API_REQUESTS],
)
def test_api_answers_the_author_and_refuses_everyone_else(
    client, request, world, persona, method, name, target, data, author, ok, others
):
    _as(client, request, persona)
    url = reverse(name, args=[world[target].uuid])
    kwargs = {"data": data, "content_type": JSON} if data is not None else {}
    response = getattr(client, method)(url, **kwargs)
    if persona == author:
        expected = ok
    elif target == "milestone":
        expected = API_OWNER[persona]
    else:
        expected = others[persona]
    assert response.status_code == expected, (persona, method, name, response.content)


def test_refused_requests_change_nothing(client, world, mentor, mentee, other_mentor):
    milestone, comment = world["milestone"], world["comment"]
    client.force_login(mentor)
    client.post(reverse("goals:milestone_edit", args=[milestone.uuid]), {"title": "x"})
    client.post(reverse("goals:milestone_delete", args=[milestone.uuid]))
    client.post(reverse("goals:goal_archive", args=[world["goal"].uuid]))
    client.force_login(mentee)
    client.post(reverse("goals:comment_edit", args=[comment.uuid]), {"body": "x"})
    client.post(reverse("goals:comment_delete", args=[comment.uuid]))
    client.force_login(other_mentor)
    client.delete(reverse("api:comment-detail", args=[comment.uuid]))
    assert Milestone.objects.get(pk=milestone.pk).title == "Outline the talk"
    assert Comment.objects.get(pk=comment.pk).body == "Nice start on the outline."
    assert Goal.objects.get(pk=world["goal"].pk).archived_at is None
    assert not {"milestone_edited", "milestone_deleted", "comment_edited", "archived"} & set(
        actions(world["goal"])
    )


# --- Milestones -----------------------------------------------------------------------------


def test_mentee_edits_a_milestone_on_its_page(client, goal, milestone, mentee):
    client.force_login(mentee)
    url = reverse("goals:milestone_edit", args=[milestone.uuid])
    page = client.get(url).content.decode()
    assert 'value="Outline the talk"' in page
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(url, {"title": "Outline and rehearse", "kind": "action", "due_on": due})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#milestone-{milestone.uuid}")
    milestone.refresh_from_db()
    assert (milestone.title, milestone.kind, milestone.due_on.isoformat()) == (
        "Outline and rehearse",
        "action",
        due,
    )
    event = GoalEvent.objects.get(goal=goal, action="milestone_edited")
    assert "Outline the talk → Outline and rehearse" in event.detail
    assert "Milestone → Weekly action step" in event.detail
    assert (
        "edited a milestone"
        in client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    )


def test_a_bad_milestone_edit_says_why_and_changes_nothing(client, goal, milestone, mentee):
    client.force_login(mentee)
    url = reverse("goals:milestone_edit", args=[milestone.uuid])
    response = client.post(url, {"title": "  ", "kind": "milestone", "due_on": "1900-01-01"})
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).title == "Outline the talk"
    assert "milestone_edited" not in actions(goal)
    api = client.patch(
        reverse("api:milestone-detail", args=[milestone.uuid]),
        {"due_on": "1900-01-01"},
        content_type=JSON,
    )
    assert api.status_code == 400 and "due_on" in api.json()


def test_mentee_deletes_a_milestone_after_confirming(client, goal, milestone, mentee, mentor):
    services.comment_add(goal=goal, by=mentor, body="Good outline", milestone=milestone)
    client.force_login(mentee)
    url = reverse("goals:milestone_delete", args=[milestone.uuid])
    confirm = client.get(url).content.decode()
    assert f'action="{url}"' in confirm and "Outline the talk" in confirm
    assert Milestone.objects.filter(pk=milestone.pk).exists()  # asking deletes nothing
    response = client.post(url)
    assert response.status_code == 302
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    assert goal.comments.get().body == "Good outline"  # comments on it stay, on the goal
    assert GoalEvent.objects.get(goal=goal, action="milestone_deleted").detail == "Outline the talk"
    # Gone means gone: a second delete is a 404.
    assert client.post(url).status_code == 404


def test_the_goal_page_offers_edit_and_delete_to_the_mentee_only(
    client, goal, milestone, mentee, mentor
):
    edit = reverse("goals:milestone_edit", args=[milestone.uuid])
    delete = reverse("goals:milestone_delete", args=[milestone.uuid])
    client.force_login(mentee)
    page = client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    assert edit in page and delete in page
    client.force_login(mentor)
    page = client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    assert edit not in page and delete not in page


def test_api_edits_and_deletes_a_milestone(client, goal, milestone, mentee):
    client.force_login(mentee)
    url = reverse("api:milestone-detail", args=[milestone.uuid])
    response = client.patch(url, {"title": "Outline, timed"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["title"] == "Outline, timed"
    assert response.json()["kind"] == "milestone"  # what is not sent stays
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert {"milestone_edited", "milestone_deleted"} <= set(actions(goal))


# --- Celebrations: one per milestone, withdrawn when undone in time -------------------------


def test_done_reopened_done_again_is_one_celebration(goal, milestone, mentee, mentor):
    notes = Notification.objects.filter(recipient=mentor, kind=Kind.MILESTONE_COMPLETED)
    for _round in range(3):
        services.milestone_complete(milestone=Milestone.objects.get(pk=milestone.pk), by=mentee)
        services.milestone_reopen(milestone=Milestone.objects.get(pk=milestone.pk), by=mentee)
    assert notes.count() == 0  # reopened each time before it went out: withdrawn
    services.milestone_complete(milestone=Milestone.objects.get(pk=milestone.pk), by=mentee)
    assert notes.count() == 1


def test_a_claimed_or_sent_celebration_is_not_withdrawn(goal, milestone, mentee, mentor):
    services.milestone_complete(milestone=milestone, by=mentee)
    Notification.objects.update(claimed_at=timezone.now())
    services.milestone_reopen(milestone=Milestone.objects.get(pk=milestone.pk), by=mentee)
    assert Notification.objects.filter(recipient=mentor).count() == 1


def test_deleting_a_milestone_withdraws_its_pending_celebration(goal, milestone, mentee, mentor):
    services.milestone_complete(milestone=milestone, by=mentee)
    assert Notification.objects.filter(kind=Kind.MILESTONE_COMPLETED).count() == 1
    services.milestone_delete(milestone=milestone, by=mentee)
    assert not Notification.objects.filter(kind=Kind.MILESTONE_COMPLETED).exists()


# --- Comments and replies -------------------------------------------------------------------


def test_mentor_edits_his_comment_and_the_thread_says_edited(client, goal, comment, mentor, mentee):
    client.force_login(mentor)
    url = reverse("goals:comment_edit", args=[comment.uuid])
    assert "Nice start on the outline." in client.get(url).content.decode()
    response = client.post(url, {"body": "Nice start: the outline is clear."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Nice start: the outline is clear." and comment.edited_at is not None
    assert GoalEvent.objects.get(goal=goal, action="comment_edited").actor == mentor
    client.force_login(mentee)
    page = client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    assert "Nice start: the outline is clear." in page
    assert 'class="comment-edited">edited' in page
    assert reverse("goals:comment_edit", args=[comment.uuid]) not in page  # not hers


def test_a_blank_comment_edit_is_refused(client, comment, mentor):
    client.force_login(mentor)
    response = client.post(reverse("goals:comment_edit", args=[comment.uuid]), {"body": "  "})
    assert response.status_code == 400
    assert Comment.objects.get(pk=comment.pk).body == "Nice start on the outline."
    api = client.patch(
        reverse("api:comment-detail", args=[comment.uuid]), {"body": ""}, content_type=JSON
    )
    assert api.status_code == 400 and "body" in api.json()


def test_a_comment_without_replies_disappears(client, goal, comment, mentor, mentee):
    client.force_login(mentor)
    url = reverse("goals:comment_delete", args=[comment.uuid])
    assert f'action="{url}"' in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert "comment_deleted" in actions(goal)
    client.force_login(mentee)
    page = client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    assert "Nice start on the outline." not in page and "Comment deleted" not in page


def test_a_comment_with_replies_leaves_comment_deleted(client, goal, comment, mentor, mentee):
    client.force_login(mentee)
    client.post(
        reverse("goals:comment_add", args=[goal.uuid]),
        {"body": "Thanks, I will time it next.", "parent": str(comment.uuid)},
    )
    reply = Comment.objects.get(parent=comment)
    assert reply.author == mentee and "reply" in actions(goal)
    client.force_login(mentor)
    client.post(reverse("goals:comment_delete", args=[comment.uuid]))
    comment.refresh_from_db()
    assert comment.deleted_at is not None and comment.body == ""
    page = client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    assert "Comment deleted" in page
    assert "Thanks, I will time it next." in page
    assert "Nice start on the outline." not in page
    # A deleted comment is no one's to edit, nor to reply to.
    assert client.get(reverse("goals:comment_edit", args=[comment.uuid])).status_code == 403
    # When its last reply goes, the placeholder goes too.
    client.force_login(mentee)
    client.post(reverse("goals:comment_delete", args=[reply.uuid]))
    assert not Comment.objects.filter(goal=goal).exists()


def test_a_reply_to_a_reply_joins_the_thread(goal, comment, mentee, mentor):
    first = services.comment_add(goal=goal, by=mentee, body="Thanks", parent=comment)
    second = services.comment_add(goal=goal, by=mentor, body="Anytime", parent=first)
    assert second.parent_id == comment.pk
    [row] = selectors.goal_page_details(goal, events_shown=10).comments
    assert [r.body for r in row.replies] == ["Thanks", "Anytime"]


def test_a_reply_to_another_goals_comment_is_refused(client, goal, mentee, mentor, program):
    other = GoalFactory(mentee=mentee, program=program, visibility=Visibility.MENTOR)
    foreign = services.comment_add(goal=other, by=mentor, body="Elsewhere")
    client.force_login(mentee)
    response = client.post(
        reverse("goals:comment_add", args=[goal.uuid]), {"body": "Hi", "parent": str(foreign.uuid)}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("goals:comment_add", args=[goal.uuid]), {"body": "Hi", "parent": "nonsense"}
    )
    assert response.status_code == 400
    assert not goal.comments.exists()


def test_api_edits_deletes_and_replies(client, goal, comment, mentor, mentee):
    client.force_login(mentee)
    created = client.post(
        reverse("api:comment-list"),
        {"goal": str(goal.uuid), "body": "Thanks", "parent": str(comment.uuid)},
        content_type=JSON,
    )
    assert created.status_code == 201 and created.json()["parent"] == str(comment.uuid)
    client.force_login(mentor)
    url = reverse("api:comment-detail", args=[comment.uuid])
    edited = client.patch(url, {"body": "Nice start!"}, content_type=JSON)
    assert edited.status_code == 200 and edited.json()["edited_at"] is not None
    assert client.delete(url).status_code == 204
    kept = client.get(url).json()
    assert kept["deleted_at"] is not None and kept["body"] == ""


def test_a_mentor_of_an_ended_pairing_no_longer_edits(client, goal, comment, mentor, pairing):
    pairing.status = PairingStatus.ENDED
    pairing.save()
    client.force_login(mentor)
    assert client.get(reverse("goals:comment_edit", args=[comment.uuid])).status_code == 403


def test_deleting_a_comment_withdraws_its_pending_notice(goal, comment, mentor, mentee):
    key = f"feedback:comment:{comment.uuid}"
    assert Notification.objects.filter(dedupe_key=key, recipient=mentee).exists()
    services.comment_delete(comment=comment, by=mentor)
    assert not Notification.objects.filter(dedupe_key=key).exists()


def test_deleted_comments_leave_the_dashboard_feedback(client, goal, comment, mentee):
    services.comment_add(goal=goal, by=mentee, body="Thanks", parent=comment)
    services.comment_delete(comment=comment, by=comment.author)
    assert selectors.mentee_dashboard(mentee).latest_feedback == []


# --- Draft goals deleted, others archived and restored --------------------------------------


def test_mentee_deletes_a_draft_goal_after_confirming(client, mentee, program):
    draft = GoalFactory(mentee=mentee, program=program, status=GoalStatus.DRAFT)
    client.force_login(mentee)
    url = reverse("goals:goal_delete", args=[draft.uuid])
    assert f'action="{url}"' in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("goals:goal_list")
    assert not Goal.objects.filter(pk=draft.pk).exists()


def test_a_goal_past_draft_is_not_deleted(client, goal, mentee):
    client.force_login(mentee)
    response = client.post(reverse("goals:goal_delete", args=[goal.uuid]), follow=True)
    assert "archive this one instead" in response.content.decode()
    assert Goal.objects.filter(pk=goal.pk).exists()
    assert client.delete(reverse("api:goal-detail", args=[goal.uuid])).status_code == 409


def test_api_deletes_a_draft(client, mentee, mentor, program, pairing):
    draft = GoalFactory(mentee=mentee, program=program, status=GoalStatus.DRAFT)
    url = reverse("api:goal-detail", args=[draft.uuid])
    client.force_login(mentor)
    assert client.delete(url).status_code == 403
    client.force_login(mentee)
    assert client.delete(url).status_code == 204
    assert not Goal.objects.filter(pk=draft.pk).exists()


def test_archived_goal_leaves_focus_count_dashboards_and_figures(
    client, goal, mentee, mentor, admin, program, update
):
    program.max_active_goals = 1
    program.save()
    assert selectors.mentee_dashboard(mentee).active_goals == [goal]
    assert selectors.mentor_dashboard(mentor).review_count == 1
    assert selectors.goal_health_distribution(program).total == 1
    client.force_login(mentee)
    response = client.post(reverse("goals:goal_archive", args=[goal.uuid]))
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.archived_at is not None and goal.status == GoalStatus.ACTIVE
    assert "archived" in actions(goal)
    assert selectors.mentee_dashboard(mentee).active_goals == []
    mentor_dash = selectors.mentor_dashboard(mentor)
    assert mentor_dash.review_count == 0 and mentor_dash.mentees[0].goals == []
    assert list(selectors.review_queue(mentor)) == []
    assert selectors.goal_health_distribution(program).total == 0
    assert selectors.program_goal_rows(program) == []
    # The focus limit no longer counts it: another goal activates without asking.
    other = GoalFactory(mentee=mentee, program=program, status=GoalStatus.DRAFT)
    services.goal_set_status(goal=other, status=GoalStatus.ACTIVE, by=mentee)
    # It is listed under Archived, with a way back.
    page = client.get(reverse("goals:goal_list") + "?show=archived").content.decode()
    assert 'id="archived" open' in page and goal.title in page
    assert reverse("goals:goal_restore", args=[goal.uuid]) in page
    # It stays in the exports, marked archived.
    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("api:me-export")).content))
    goals = json.loads(archive.read("goals.json"))["goals"]
    [row] = [g for g in goals if g["uuid"] == str(goal.uuid)]
    assert row["archived"] is True
    client.force_login(admin)
    csv_text = client.get(reverse("api:program-export", args=[program.uuid, "goals"])).content
    assert goal.title.encode() in csv_text and b"True" in csv_text


def test_restore_brings_it_back_on_hold_when_the_focus_is_full(client, goal, mentee, program):
    program.max_active_goals = 1
    program.save()
    services.goal_archive(goal=goal, by=mentee)
    other = GoalFactory(mentee=mentee, program=program, status=GoalStatus.ACTIVE)
    client.force_login(mentee)
    response = client.post(reverse("goals:goal_restore", args=[goal.uuid]), follow=True)
    goal.refresh_from_db()
    assert goal.archived_at is None and goal.status == GoalStatus.ON_HOLD
    assert "is back, on hold" in response.content.decode()
    assert "restored" in actions(goal)
    services.goal_set_status(goal=other, status=GoalStatus.COMPLETED, by=mentee)
    services.goal_archive(goal=goal, by=mentee)
    restored = client.post(
        reverse("api:goal-restore", args=[goal.uuid]), {}, content_type=JSON
    ).json()
    assert restored["archived_at"] is None and restored["status"] == "on_hold"


def test_an_archived_goal_changes_status_only_once_restored(goal, mentee):
    services.goal_archive(goal=goal, by=mentee)
    with pytest.raises(services.InvalidInput):
        services.goal_set_status(goal=goal, status=GoalStatus.COMPLETED, by=mentee)


def test_api_archive_and_the_goal_page_say_archived(client, goal, mentee):
    client.force_login(mentee)
    answer = client.post(reverse("api:goal-archive", args=[goal.uuid]), {}, content_type=JSON)
    assert answer.status_code == 200 and answer.json()["archived_at"] is not None
    page = client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    assert "goal-archived" in page and reverse("goals:goal_restore", args=[goal.uuid]) in page
    assert reverse("goals:goal_archive", args=[goal.uuid]) not in page


# --- Sent twice: one object -----------------------------------------------------------------


def test_reposting_the_goal_form_makes_one_goal(client, mentee, program):
    client.force_login(mentee)
    data = {
        "title": "Run a team retro",
        "category": "leadership",
        "starts_on": timezone.localdate().isoformat(),
        "visibility": "mentor",
    }
    first = client.post(reverse("goals:goal_create"), data)
    second = client.post(reverse("goals:goal_create"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Goal.objects.filter(mentee=mentee, title="Run a team retro").count() == 1
    # After the window, the same title is a new goal on purpose.
    Goal.objects.update(created_at=timezone.now() - dedupe.DUPLICATE_WINDOW - timedelta(1))
    client.post(reverse("goals:goal_create"), data)
    assert Goal.objects.filter(mentee=mentee, title="Run a team retro").count() == 2


def test_reposting_milestone_and_comment_forms_makes_one_each(client, goal, mentee, mentor):
    client.force_login(mentee)
    for _ in range(2):
        response = client.post(
            reverse("goals:milestone_add", args=[goal.uuid]), {"title": "Book", "kind": "milestone"}
        )
        assert response.status_code == 302
    assert goal.milestones.filter(title="Book").count() == 1
    assert actions(goal).count("milestone_added") == 1
    client.force_login(mentor)
    for _ in range(2):
        response = client.post(reverse("goals:comment_add", args=[goal.uuid]), {"body": "Go!"})
        assert response.status_code == 302
    assert goal.comments.filter(body="Go!").count() == 1
    assert Notification.objects.filter(recipient=mentee, kind=Kind.FEEDBACK).count() == 1


def test_api_creates_sent_twice_return_the_first(client, goal, mentee):
    client.force_login(mentee)
    body = {"goal": str(goal.uuid), "title": "Rehearse", "kind": "milestone"}
    first = client.post(reverse("api:milestone-list"), body, content_type=JSON).json()
    second = client.post(reverse("api:milestone-list"), body, content_type=JSON).json()
    assert first["uuid"] == second["uuid"]
    comment = {"goal": str(goal.uuid), "body": "Note to self"}
    one = client.post(reverse("api:comment-list"), comment, content_type=JSON).json()
    two = client.post(reverse("api:comment-list"), comment, content_type=JSON).json()
    assert one["uuid"] == two["uuid"]


# --- The template picker --------------------------------------------------------------------


def test_template_links_carry_the_question_and_work_without_script(client, mentee):
    client.force_login(mentee)
    page = client.get(reverse("goals:goal_create")).content.decode()
    assert 'data-confirm-replace="Replace what you typed with this template?"' in page
    # Without script the link is a plain GET that fills the form from the template.
    chosen = client.get(reverse("goals:goal_create") + "?template=leadership")
    assert chosen.status_code == 200 and 'aria-current="true"' in chosen.content.decode()
