"""Status and focus limit, priority order, milestones, updates, acknowledgements, comments,
their history and the notifications they send."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from goals import services
from goals.models import Goal, GoalEvent, GoalStatus, Milestone, ProgressUpdate, Visibility
from mentorship.models import PairingStatus
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import GoalFactory, MilestoneFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_active(program, mentee, pairing):
    return [
        GoalFactory(mentee=mentee, program=program, pairing=pairing, priority=i)
        for i in range(program.max_active_goals)
    ]


# --- Focus limit ------------------------------------------------------------------------------


def test_activating_beyond_the_focus_limit_is_refused_by_the_service(three_active, program, mentee):
    extra = GoalFactory(mentee=mentee, program=program, status=GoalStatus.DRAFT)
    with pytest.raises(services.FocusLimitReached) as raised:
        services.goal_set_status(goal=extra, status=GoalStatus.ACTIVE, by=mentee)
    assert raised.value.limit == 3
    assert {g.pk for g in raised.value.active_goals} == {g.pk for g in three_active}
    extra.refresh_from_db()
    assert extra.status == GoalStatus.DRAFT


def test_focus_limit_page_offers_hold_or_confirm_and_never_activates_silently(
    client, three_active, program, mentee
):
    extra = GoalFactory(mentee=mentee, program=program, status=GoalStatus.DRAFT)
    client.force_login(mentee)
    url = reverse("goals:goal_status", args=[extra.uuid])
    response = client.post(url, {"status": "active"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Keep your focus" in html
    for goal in three_active:
        assert f'name="hold" value="{goal.uuid}"' in html
    assert 'name="confirm" value="1"' in html
    extra.refresh_from_db()
    assert extra.status == GoalStatus.DRAFT

    # Put the first on hold and start the new one.
    response = client.post(url, {"status": "active", "hold": str(three_active[0].uuid)})
    assert response.status_code == 302
    extra.refresh_from_db()
    three_active[0].refresh_from_db()
    assert extra.status == GoalStatus.ACTIVE
    assert three_active[0].status == GoalStatus.ON_HOLD


def test_confirming_goes_above_the_limit_and_says_so_in_the_history(
    client, three_active, program, mentee
):
    extra = GoalFactory(mentee=mentee, program=program, status=GoalStatus.ON_HOLD)
    client.force_login(mentee)
    client.post(
        reverse("goals:goal_status", args=[extra.uuid]), {"status": "active", "confirm": "1"}
    )
    extra.refresh_from_db()
    assert extra.status == GoalStatus.ACTIVE
    assert Goal.objects.filter(mentee=mentee, status=GoalStatus.ACTIVE).count() == 4
    assert "confirmed" in GoalEvent.objects.filter(goal=extra, action="status").get().detail


def test_creating_and_activating_over_the_limit_keeps_a_draft(client, three_active, mentee):
    client.force_login(mentee)
    today = date.today()
    response = client.post(
        reverse("goals:goal_create"),
        {
            "title": "Have ten coffee chats outside my team",
            "category": "networking",
            "starts_on": today.isoformat(),
            "target_date": (today + timedelta(days=60)).isoformat(),
            "visibility": "mentor",
            "activate": "1",
        },
    )
    assert response.status_code == 409
    assert Goal.objects.get(title="Have ten coffee chats outside my team").status == "draft"


def test_focus_limit_can_not_hold_someone_elses_goal(
    client, three_active, program, mentee, other_mentee
):
    theirs = GoalFactory(mentee=other_mentee, program=program)
    extra = GoalFactory(mentee=mentee, program=program, status=GoalStatus.DRAFT)
    client.force_login(mentee)
    response = client.post(
        reverse("goals:goal_status", args=[extra.uuid]),
        {"status": "active", "hold": str(theirs.uuid)},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == GoalStatus.ACTIVE


def test_status_changes_and_completion(goal, mentee):
    services.goal_set_status(goal=goal, status=GoalStatus.COMPLETED, by=mentee)
    assert goal.completed_at is not None
    assert goal.progress.health == "completed"
    services.goal_set_status(goal=goal, status=GoalStatus.ACTIVE, by=mentee)
    assert goal.completed_at is None
    assert GoalEvent.objects.filter(goal=goal, action="status").count() == 2


# --- Priority ---------------------------------------------------------------------------------


def test_move_up_and_down(client, three_active, mentee):
    first, second, third = three_active
    client.force_login(mentee)
    client.post(reverse("goals:goal_move", args=[third.uuid]), {"direction": "up"})
    order = list(
        Goal.objects.filter(mentee=mentee).order_by("priority").values_list("pk", flat=True)
    )
    assert order == [first.pk, third.pk, second.pk]
    client.post(reverse("goals:goal_move", args=[third.uuid]), {"direction": "up"})
    client.post(reverse("goals:goal_move", args=[third.uuid]), {"direction": "up"})  # no-op
    order = list(
        Goal.objects.filter(mentee=mentee).order_by("priority").values_list("pk", flat=True)
    )
    assert order == [third.pk, first.pk, second.pk]
    html = client.get(reverse("goals:mentee_dashboard")).content.decode()
    assert html.index(third.title) < html.index(first.title) < html.index(second.title)


# --- Milestones -------------------------------------------------------------------------------


def test_completing_a_milestone_celebrates_and_tells_the_mentor_once_per_milestone(
    client, goal, milestone, mentee, mentor
):
    client.force_login(mentee)
    response = client.post(reverse("goals:milestone_complete", args=[milestone.uuid]), follow=True)
    html = response.content.decode()
    assert "alert-celebrate" in html and "Milestone reached" in html
    milestone.refresh_from_db()
    assert milestone.is_done
    notes = Notification.objects.filter(recipient=mentor, kind=Kind.MILESTONE_COMPLETED)
    assert list(notes.values_list("dedupe_key", flat=True)) == [
        f"milestone_completed:{milestone.uuid}"
    ]
    # Completing twice changes nothing; reopening before the notice went out withdraws it,
    # and completing again makes it anew: one celebration, not three.
    client.post(reverse("goals:milestone_complete", args=[milestone.uuid]))
    assert notes.count() == 1
    client.post(reverse("goals:milestone_reopen", args=[milestone.uuid]))
    milestone.refresh_from_db()
    assert milestone.completed_at is None
    assert notes.count() == 0
    client.post(reverse("goals:milestone_complete", args=[milestone.uuid]))
    assert notes.count() == 1
    actions = list(GoalEvent.objects.filter(goal=goal).values_list("action", flat=True))
    assert actions.count("milestone_completed") == 2 and "milestone_reopened" in actions


def test_a_celebration_already_sent_is_not_sent_again(goal, milestone, mentee, mentor):
    services.milestone_complete(milestone=milestone, by=mentee)
    notes = Notification.objects.filter(recipient=mentor, kind=Kind.MILESTONE_COMPLETED)
    notes.update(sent_at=timezone.now())
    services.milestone_reopen(milestone=milestone, by=mentee)
    assert notes.count() == 1  # gone out already: not withdrawn
    milestone.refresh_from_db()
    services.milestone_complete(milestone=milestone, by=mentee)
    milestone.refresh_from_db()
    services.milestone_reopen(milestone=milestone, by=mentee)
    milestone.refresh_from_db()
    services.milestone_complete(milestone=milestone, by=mentee)
    assert notes.count() == 1
    assert Milestone.objects.get(pk=milestone.pk).completion_count == 3


def test_private_goal_milestone_tells_nobody(goal, milestone, mentee):
    goal.visibility = Visibility.PRIVATE
    goal.save()
    services.milestone_complete(milestone=milestone, by=mentee)
    assert not Notification.objects.exists()


def test_add_reorder_and_overdue_milestones(client, goal, mentee):
    client.force_login(mentee)
    url = reverse("goals:milestone_add", args=[goal.uuid])
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    client.post(url, {"title": "First", "kind": "milestone", "due_on": yesterday})
    client.post(url, {"title": "Second", "kind": "milestone"})
    client.post(url, {"title": "Every Monday: one practice", "kind": "action"})
    first, second = Milestone.objects.filter(goal=goal, kind="milestone")
    assert first.is_overdue and not second.is_overdue
    client.post(reverse("goals:milestone_move", args=[second.uuid]), {"direction": "up"})
    titles = list(goal.milestones.filter(kind="milestone").values_list("title", flat=True))
    assert titles == ["Second", "First"]
    html = client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    assert "overdue" in html and "Weekly plan" in html
    assert "Every Monday: one practice" in html


# --- Updates, acknowledgements, comments ------------------------------------------------------


def test_logging_progress_updates_current_value_and_tells_the_mentor(client, goal, mentee, mentor):
    client.force_login(mentee)
    response = client.post(
        reverse("goals:update_add", args=[goal.uuid]),
        {"value": "4", "note": "Four runs 🎉", "confidence": "4"},
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.current_value == 4
    assert goal.version == 1  # an open edit tab is not made stale by logging progress
    update = ProgressUpdate.objects.get(goal=goal)
    assert (update.note, update.confidence, update.acknowledged_at) == ("Four runs 🎉", 4, None)
    note = Notification.objects.get(recipient=mentor)
    assert note.kind == Kind.FEEDBACK and note.dedupe_key == f"feedback:update:{update.uuid}"
    html = client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    assert "<svg" in html and "<style" not in html and "The values as a table" in html


def test_goal_without_metric_logs_notes_only(client, goal, mentee):
    goal.baseline_value = goal.target_value = goal.current_value = None
    goal.save()
    client.force_login(mentee)
    html = client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    assert 'name="value"' not in html and "<svg" not in html
    client.post(
        reverse("goals:update_add", args=[goal.uuid]),
        {"value": "5", "note": "ok", "confidence": "3"},
    )
    assert ProgressUpdate.objects.get(goal=goal).value is None


def test_acknowledge_with_reply_through_htmx(client, goal, update, mentor, mentee):
    client.force_login(mentor)
    response = client.post(
        reverse("goals:update_acknowledge", args=[update.uuid]),
        {"reply": "Great pace, keep going"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Acknowledged" in response.content.decode()
    update.refresh_from_db()
    assert update.acknowledged_by == mentor and update.acknowledged_at is not None
    reply = goal.comments.get()
    assert (reply.author, reply.update, reply.body) == (mentor, update, "Great pace, keep going")
    keys = set(Notification.objects.filter(recipient=mentee).values_list("dedupe_key", flat=True))
    assert keys == {f"feedback:ack:{update.uuid}", f"feedback:comment:{reply.uuid}"}
    # A second click changes nothing and tells nobody again.
    client.post(reverse("goals:update_acknowledge", args=[update.uuid]))
    assert Notification.objects.filter(recipient=mentee).count() == 2
    assert not services.progress_update_acknowledge(update=update, by=mentor)


def test_acknowledge_without_htmx_redirects_back(client, update, mentor):
    client.force_login(mentor)
    response = client.post(reverse("goals:update_acknowledge", args=[update.uuid]))
    assert response.status_code == 302 and response["Location"] == reverse("goals:review_queue")
    assert (
        reverse("goals:review_queue")
        in client.get(reverse("goals:mentor_dashboard")).content.decode()
    )


def test_review_queue_lists_unacknowledged_updates_oldest_first(client, goal, mentor, mentee):
    old = ProgressUpdateFactory(goal=goal, note="older note")
    ProgressUpdate.objects.filter(pk=old.pk).update(created_at=old.created_at - timedelta(days=2))
    new = ProgressUpdateFactory(goal=goal, note="newer note")
    ProgressUpdateFactory(
        goal=goal, note="seen note", acknowledged_by=mentor, acknowledged_at=new.created_at
    )
    client.force_login(mentor)
    html = client.get(reverse("goals:review_queue")).content.decode()
    assert html.index("older note") < html.index("newer note")
    assert "seen note" not in html
    assert "2 progress updates wait" in html


def test_review_queue_comes_a_page_at_a_time(client, goal, mentor):
    for n in range(25):
        ProgressUpdateFactory(goal=goal, note=f"note number {n:02d}.")
    client.force_login(mentor)
    first = client.get(reverse("goals:review_queue")).content.decode()
    assert "25 progress updates wait" in first
    assert first.count("note number") == 20 and "note number 19." in first
    assert "Page 1 of 2" in first and "?page=2" in first
    second = client.get(reverse("goals:review_queue") + "?page=2").content.decode()
    assert second.count("note number") == 5 and "note number 24." in second
    assert "note number 00." not in second


def test_review_queue_leaves_out_past_pairings(client, goal, update, mentor, pairing):
    pairing.status = PairingStatus.COMPLETED
    pairing.save()
    client.force_login(mentor)
    assert update.note not in client.get(reverse("goals:review_queue")).content.decode()


def test_comments_and_kudos_reach_the_other_side(client, goal, mentor, mentee):
    client.force_login(mentor)
    client.post(
        reverse("goals:comment_add", args=[goal.uuid]), {"body": "Brilliant run!", "is_kudos": "on"}
    )
    kudos = goal.comments.get()
    assert kudos.is_kudos
    assert Notification.objects.get(recipient=mentee).dedupe_key == f"feedback:comment:{kudos.uuid}"
    client.force_login(mentee)
    client.post(
        reverse("goals:comment_add", args=[goal.uuid]), {"body": "Thank you!", "is_kudos": "on"}
    )
    answer = goal.comments.latest("id")
    assert not answer.is_kudos  # only mentors send kudos
    assert (
        Notification.objects.get(recipient=mentor).dedupe_key == f"feedback:comment:{answer.uuid}"
    )
    html = client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    assert "Brilliant run!" in html and "Kudos" in html
    dash = client.get(reverse("goals:mentee_dashboard")).content.decode()
    assert "Brilliant run!" in dash  # latest feedback, from others only
    assert "Thank you!" not in dash


def test_history_shows_who_did_what_when(client, goal, milestone, mentee, mentor):
    services.milestone_complete(milestone=milestone, by=mentee)
    services.comment_add(goal=goal, by=mentor, body="Nice")
    client.force_login(mentor)
    html = client.get(reverse("goals:goal_detail", args=[goal.uuid])).content.decode()
    history = html[html.index('id="history"') :]
    assert "Maria Mentor" in history and "commented" in history
    assert "Mia Mentee" in history and "completed a milestone" in history


def test_mentor_dashboard_counts(client, goal, update, mentor, pairing):
    goal.current_value = 0
    goal.starts_on = date.today() - timedelta(days=60)
    goal.target_date = date.today() + timedelta(days=10)
    goal.save()
    pairing.next_checkin_due = date.today() - timedelta(days=3)
    pairing.save()
    client.force_login(mentor)
    response = client.get(reverse("goals:mentor_dashboard"))
    dash = response.context["dash"]
    assert dash.review_count == 1
    assert [row.mentee for row in dash.at_risk] == [goal.mentee]
    assert dash.overdue_checkins == [pairing]


def test_mentee_dashboard_shows_milestones_and_next_checkin(client, goal, mentee, pairing):
    MilestoneFactory(goal=goal, title="Soon", due_on=date.today() + timedelta(days=3))
    MilestoneFactory(goal=goal, title="Late", due_on=date.today() - timedelta(days=3))
    MilestoneFactory(goal=goal, title="Far", due_on=date.today() + timedelta(days=60))
    client.force_login(mentee)
    response = client.get(reverse("goals:mentee_dashboard"))
    dash = response.context["dash"]
    assert [m.title for m in dash.upcoming_milestones] == ["Soon"]
    assert [m.title for m in dash.overdue_milestones] == ["Late"]
    assert dash.next_checkin == pairing
    assert "Maria Mentor" in response.content.decode()


@pytest.mark.parametrize(
    "roles, target",
    [(["mentee"], "goals:mentee_dashboard"), (["mentor"], "goals:mentor_dashboard")],
)
def test_home_redirects_by_role(client, request, roles, target):
    user = request.getfixturevalue(roles[0])
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse(target)


def test_nav_links_by_role(client, mentee, mentor):
    client.force_login(mentee)
    html = client.get(reverse("goals:mentee_dashboard")).content.decode()
    goal_list = f'href="{reverse("goals:goal_list")}"'
    assert goal_list in html and reverse("goals:review_queue") not in html
    client.force_login(mentor)
    html = client.get(reverse("goals:mentor_dashboard")).content.decode()
    assert reverse("goals:mentor_mentees") in html and reverse("goals:review_queue") in html
    assert goal_list not in html


def test_overlong_reply_through_htmx_is_shown_in_place_and_nothing_is_saved(client, update, mentor):
    client.force_login(mentor)
    response = client.post(
        reverse("goals:update_acknowledge", args=[update.uuid]),
        {"reply": "r" * 4001},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "at most 4000 characters" in response.content.decode()
    update.refresh_from_db()
    assert update.acknowledged_at is None and not update.goal.comments.exists()
