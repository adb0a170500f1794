"""Privacy that holds and figures that agree.

- A mentor sees a mentee's goals only once the pairing has started (both accepted the
  agreement): a proposed pairing shows him her name, none of her goals, on no page, in no
  list, by no API and in no notification.
- A private goal changes no figure anyone else sees.
- Every count and the list it counts come from the same data.

Personas (tests/conftest.py): Mia (mentee) and Maria (mentor) in Northwind, run by Ada.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.export import program_export_csv
from api.services import api_token_create
from goals import services as goal_services
from goals.models import GoalStatus, Visibility
from goals.selectors import goal_health_distribution
from mentorship import services
from mentorship.models import PairingStatus
from notifications import digests
from notifications.models import Notification
from tests.factories import (
    AgreementFactory,
    GoalFactory,
    MembershipFactory,
    PairingFactory,
    ProgressUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='script').secret}"
    )
    return client


def listed(api, name: str) -> set[str]:
    return {row["uuid"] for row in api.get(reverse(f"api:{name}-list")).json()["results"]}


@pytest.fixture
def proposed(program, admin, mentor, mentee):
    """Mia's pairing with Maria, proposed by Ada: neither has accepted the agreement."""
    return services.pairing_create(program=program, mentor=mentor, mentee=mentee, by=admin)


@pytest.fixture
def shared_goals(program, mentee):
    """Mia's goals shared with her mentor: one in Northwind, one without a program, each
    with an update waiting for review and a milestone."""
    goals = [
        GoalFactory(mentee=mentee, program=program, visibility=Visibility.MENTOR),
        GoalFactory(mentee=mentee, program=None, visibility=Visibility.PROGRAM),
    ]
    for goal in goals:
        ProgressUpdateFactory(goal=goal)
        goal.milestones.create(title="First draft", position=0)
    return goals


# --- A proposed pairing shares no goal -----------------------------------------------------


def test_a_proposed_pairings_mentor_sees_her_name_and_none_of_her_goals(
    client, proposed, mentor, mentee, shared_goals
):
    client.force_login(mentor)
    api = api_for(mentor)
    for goal in shared_goals:
        assert client.get(reverse("goals:goal_detail", args=[goal.uuid])).status_code == 404
        assert api.get(reverse("api:goal-detail", args=[goal.uuid])).status_code == 404
        comment = api.post(
            reverse("api:comment-list"), {"goal": str(goal.uuid), "body": "Hi"}, format="json"
        )
        assert comment.status_code in (400, 404)
    uuids = {str(g.uuid) for g in shared_goals}
    for name in ("goal", "milestone", "progressupdate", "comment"):
        assert not listed(api, name), name
    for page in ("goals:mentor_dashboard", "goals:mentor_mentees", "goals:review_queue"):
        html = client.get(reverse(page)).content.decode()
        assert not any(g.title in html for g in shared_goals), page
    mentees = client.get(reverse("goals:mentor_mentees")).content.decode()
    assert mentee.display_name in mentees
    assert "once you both accept the agreement" in mentees
    dashboard = client.get(reverse("goals:mentor_dashboard")).context["dash"]
    assert dashboard.review_count == 0
    # The pairing page shows who she is.
    pairing_page = client.get(reverse("mentorship:pairing_detail", args=[proposed.uuid]))
    assert pairing_page.status_code == 200 and mentee.display_name in pairing_page.content.decode()
    assert not uuids & {
        str(u) for u in Notification.objects.values_list("payload__goal", flat=True)
    }


def test_no_notification_links_a_proposed_pairings_mentor_to_her_goals(
    proposed, mentor, mentee, shared_goals
):
    goal = shared_goals[0]
    goal_services.progress_update_log(goal=goal, by=mentee, value=3, note="", confidence=3)
    goal_services.comment_add(goal=goal, by=mentee, body="A question for later")
    milestone = goal.milestones.get()
    goal_services.milestone_complete(milestone=milestone, by=mentee)
    assert (
        not Notification.objects.filter(recipient=mentor).exclude(kind="pairing_changed").exists()
    )


def test_the_goals_are_shared_once_both_accept(client, proposed, mentor, mentee, shared_goals):
    services.pairing_accept_agreement(pairing=proposed, user=mentee)
    client.force_login(mentor)
    goal = shared_goals[0]
    assert client.get(reverse("goals:goal_detail", args=[goal.uuid])).status_code == 404
    services.pairing_accept_agreement(pairing=proposed, user=mentor)
    proposed.refresh_from_db()
    assert proposed.status == PairingStatus.ACTIVE
    for goal in shared_goals:
        assert client.get(reverse("goals:goal_detail", args=[goal.uuid])).status_code == 200
    assert listed(api_for(mentor), "goal") == {str(g.uuid) for g in shared_goals}
    assert client.get(reverse("goals:mentor_dashboard")).context["dash"].review_count == 2


# --- A private goal changes no figure others see --------------------------------------------


def admin_figures(client, program, admin) -> dict:
    """Every figure about the program's goals that its admin can see."""
    client.force_login(admin)
    dashboard = client.get(reverse("mentorship:program_dashboard", args=[program.uuid]))
    goals_page = client.get(reverse("goals:program_goals", args=[program.uuid]))
    api = api_for(admin)
    now = timezone.now()
    digest = digests.compose_admin([admin.pk], now=now, since={admin.pk: now - timedelta(days=7)})
    return {
        "dashboard_health": dashboard.context["goal_health"].as_dict(),
        "dashboard_stats": str(dashboard.context["dashboard"]),
        "goals_page_health": goals_page.context["goal_health"].as_dict(),
        "goals_page_list": [g.uuid for g in goals_page.context["goals"]],
        "health": goal_health_distribution(program).as_dict(),
        "export": program_export_csv(program=program, part="goals", viewer=admin),
        "api_goals": api.get(reverse("api:goal-list")).json()["count"],
        "api_updates": api.get(reverse("api:progressupdate-list")).json()["count"],
        "api_program": api.get(reverse("api:program-detail", args=[program.uuid])).json(),
        "digest": digest,
    }


def test_a_private_goal_changes_no_admin_figure(client, program, admin, mentor, mentee, pairing):
    start, end = date.today() - timedelta(days=30), date.today() + timedelta(days=30)
    GoalFactory(mentee=mentee, program=program, pairing=pairing, starts_on=start, target_date=end)
    before = admin_figures(client, program, admin)
    assert before["health"] == {**before["health"], "off_track": 1}
    private = GoalFactory(
        mentee=mentee,
        program=program,
        pairing=pairing,
        visibility=Visibility.PRIVATE,
        status=GoalStatus.ACTIVE,
        starts_on=start,
        target_date=end,
    )
    ProgressUpdateFactory(goal=private)
    assert admin_figures(client, program, admin) == before


# --- Every count agrees with its list --------------------------------------------------------


@pytest.fixture
def mentor_world(program, other_program, mentor, mentee, other_mentee):
    """Maria mentors Mia (active), mentored Noah (ended), and is proposed to Lou; each has
    shared goals with updates waiting."""
    lou = UserFactory(email="lou@example.com", name="Lou Later")
    MembershipFactory(program=program, user=lou, role="mentee")
    active = PairingFactory(program=program, mentor=mentor, mentee=mentee)
    ended = PairingFactory(
        program=program, mentor=mentor, mentee=other_mentee, status=PairingStatus.ENDED
    )
    proposed = PairingFactory(
        program=program, mentor=mentor, mentee=lou, status=PairingStatus.PROPOSED
    )
    for pairing in (active, ended, proposed):
        AgreementFactory(pairing=pairing)
        for visibility in (Visibility.MENTOR, Visibility.PRIVATE):
            goal = GoalFactory(
                mentee=pairing.mentee, program=program, pairing=pairing, visibility=visibility
            )
            ProgressUpdateFactory(goal=goal)
    # Mia's goal in another program, where Maria is not her mentor.
    elsewhere = GoalFactory(mentee=mentee, program=other_program, visibility=Visibility.MENTOR)
    ProgressUpdateFactory(goal=elsewhere)
    draft = GoalFactory(mentee=mentee, program=program, pairing=active, status=GoalStatus.DRAFT)
    ProgressUpdateFactory(goal=draft)
    return {"active": active, "ended": ended, "proposed": proposed}


def test_the_mentors_counts_agree_with_their_lists(client, mentor, mentor_world):
    client.force_login(mentor)
    dash = client.get(reverse("goals:mentor_dashboard")).context["dash"]
    mentees_page = client.get(reverse("goals:mentor_mentees"))
    rows = mentees_page.context["rows"]
    queue = client.get(reverse("goals:review_queue")).context["page"].paginator.count

    assert dash.mentee_count == len(rows) == 3
    html = client.get(reverse("goals:mentor_dashboard")).content.decode()
    assert f"All my mentees ({len(rows)})" in html
    # Mia's shared goal and her draft; not the ended pairing's, not the proposed one's.
    assert dash.review_count == queue == sum(row.unacknowledged for row in rows) == 2
    assert {row.mentee.email: row.unacknowledged for row in rows} == {
        "mia@example.com": 2,
        "noah@example.com": 0,
        "lou@example.com": 0,
    }
    now = timezone.now()
    [digest] = digests.compose_mentor(
        [mentor.pk], now=now, since={mentor.pk: now - timedelta(days=7)}
    ).values()
    assert sum(m["awaiting_review"] for m in digest["mentees"]) == dash.review_count


def test_the_programs_health_counts_agree_with_the_goals_listed(
    client, program, admin, mentor_world
):
    start, end = date.today() - timedelta(days=30), date.today() + timedelta(days=30)
    mia = mentor_world["active"].mentee
    for current in (0, 5, 10):
        GoalFactory(
            mentee=mia, program=program, current_value=current, starts_on=start, target_date=end
        )
    GoalFactory(mentee=mia, program=program, status=GoalStatus.COMPLETED)
    client.force_login(admin)
    page = client.get(reverse("goals:program_goals", args=[program.uuid]))
    listed_goals = page.context["goals"]
    counted = {}
    for goal in listed_goals:
        if goal.status == GoalStatus.ACTIVE:
            counted[goal.progress.health] = counted.get(goal.progress.health, 0) + 1
    figures = page.context["goal_health"].as_dict()
    assert {h: n for h, n in figures.items() if n} == counted
    assert page.context["goal_health"].total == sum(counted.values())
    assert all(g.visibility != Visibility.PRIVATE for g in listed_goals)
    dashboard = client.get(reverse("mentorship:program_dashboard", args=[program.uuid]))
    assert dashboard.context["goal_health"].as_dict() == figures


def test_a_proposed_pairing_offers_no_rating_before_it_started(client, proposed, mentor):
    client.force_login(mentor)
    page = client.get(reverse("mentorship:pairing_detail", args=[proposed.uuid]))
    assert page.context["page"].open_survey is None
    url = reverse("mentorship:survey_answer", args=[proposed.uuid, "pulse", 1])
    assert client.post(url, {"match_score": 5, "progress_score": 5}).status_code == 403
    with pytest.raises(services.MentorshipError):
        services.survey_answer(
            pairing=proposed,
            author=mentor,
            kind="pulse",
            round=1,
            match_score=5,
            progress_score=5,
        )
    assert not proposed.survey_responses.exists()
