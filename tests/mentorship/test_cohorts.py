"""Cohorts: ending a program closes every open pairing through the pairing services and
withdraws what waits for an answer, once; an ended program takes nothing new; the next cohort
copies the settings and templates and invites (never adds) the mentors."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, Forbidden
from goals import services as goal_services
from goals.models import Goal
from mentorship import cohorts, services
from mentorship.models import (
    Application,
    ApplicationStatus,
    Invitation,
    JoinPolicy,
    Meeting,
    MeetingStatus,
    Membership,
    MentorRequest,
    MentorRequestStatus,
    Pairing,
    PairingEvent,
    PairingStatus,
    Program,
    Role,
)
from notifications.models import Notification
from tests.factories import MembershipFactory, PairingFactory, UserFactory

pytestmark = pytest.mark.django_db


def end_url(program):
    return reverse("mentorship:program_end", args=[program.uuid])


def next_url(program):
    return reverse("mentorship:program_next_cohort", args=[program.uuid])


@pytest.fixture
def cohort(program, admin, mentor, other_mentor, mentee, other_mentee):
    """Northwind with one pairing in each open status and one completed: Maria mentors Mia
    (active, with a confirmed meeting to come), Otto mentors Noah (paused), Otto and Lea are
    proposed, and Maria's earlier pairing with Kim is completed."""
    lea, kim = UserFactory(name="Lea Proposed"), UserFactory(name="Kim Completed")
    for person in (lea, kim):
        MembershipFactory(program=program, user=person, role=Role.MENTEE)
    active = PairingFactory(program=program, mentor=mentor, mentee=mentee)
    paused = PairingFactory(
        program=program, mentor=other_mentor, mentee=other_mentee, status=PairingStatus.PAUSED
    )
    proposed = PairingFactory(
        program=program, mentor=other_mentor, mentee=lea, status=PairingStatus.PROPOSED
    )
    done = PairingFactory(
        program=program,
        mentor=mentor,
        mentee=kim,
        status=PairingStatus.COMPLETED,
        ended_on=date.today() - timedelta(days=3),
    )
    Meeting.objects.create(
        pairing=active,
        proposed_by=mentor,
        status=MeetingStatus.CONFIRMED,
        starts_at=timezone.now() + timedelta(days=3),
        uid="cohort-meeting@example.org",
    )
    return {"active": active, "paused": paused, "proposed": proposed, "done": done}


# --- Ending a cohort -------------------------------------------------------------------------


def test_ending_closes_every_open_pairing_through_pairing_end(
    cohort, program, admin, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    real_end = services.pairing_end

    def spy(**kwargs):
        calls.append(kwargs)
        return real_end(**kwargs)

    monkeypatch.setattr(services, "pairing_end", spy)
    with django_capture_on_commit_callbacks(execute=True):
        done = cohorts.program_end(program=program, by=admin)
    assert done.pairings == 3 and not done.already
    # Each open pairing went through the service a manual end uses, with the reason.
    assert sorted(c["pairing"].pk for c in calls) == sorted(
        cohort[k].pk for k in ("active", "paused", "proposed")
    )
    assert {c["reason"] for c in calls} == {"The cohort ended"}
    assert {c["by"] for c in calls} == {admin}
    for key in ("active", "paused", "proposed"):
        pairing = Pairing.objects.get(pk=cohort[key].pk)
        assert pairing.status == PairingStatus.ENDED
        assert pairing.end_reason == "The cohort ended"
        assert pairing.ended_on == date.today() and pairing.next_checkin_due is None
        event = PairingEvent.objects.get(pairing=pairing, action="ended")
        assert event.actor == admin and event.detail == "The cohort ended"
        # Both people are told, as for a manual end.
        told = set(
            Notification.objects.filter(
                dedupe_key__startswith=f"pairing:{pairing.uuid}:ended:"
            ).values_list("recipient_id", flat=True)
        )
        assert told == {pairing.mentor_id, pairing.mentee_id}
    # The completed pairing is left as it was; the meeting to come is called off.
    assert Pairing.objects.get(pk=cohort["done"].pk).status == PairingStatus.COMPLETED
    assert Meeting.objects.get(uid="cohort-meeting@example.org").status == MeetingStatus.CANCELLED
    program.refresh_from_db()
    assert program.ended_at is not None and program.ended_by == admin
    assert program.ends_on == date.today()


def test_ending_withdraws_requests_invitations_and_applications(
    cohort, program, admin, mentor, stranger
):
    lone = UserFactory(name="Una Unpaired")
    mentee_m = MembershipFactory(program=program, user=lone, role=Role.MENTEE)
    request = MentorRequest.objects.create(
        program=program,
        mentee=mentee_m,
        mentor=Membership.objects.get(program=program, user=mentor, role=Role.MENTOR),
        expires_at=timezone.now() + timedelta(days=5),
    )
    invitation, _token = services.invitation_create(
        program=program, email="later@example.com", role=Role.MENTEE, invited_by=admin
    )
    application = Application.objects.create(program=program, user=stranger, role=Role.MENTEE)
    done = cohorts.program_end(program=program, by=admin, reason="Spring cohort is over")
    assert (done.mentor_requests, done.invitations, done.applications) == (1, 1, 1)
    request.refresh_from_db()
    invitation.refresh_from_db()
    application.refresh_from_db()
    assert request.status == MentorRequestStatus.WITHDRAWN
    assert invitation.revoked_at is not None
    assert application.status == ApplicationStatus.DECLINED
    assert application.decline_reason == "Spring cohort is over"
    assert Notification.objects.filter(
        recipient=stranger, dedupe_key=f"application:{application.uuid}:decided"
    ).exists()
    assert Notification.objects.filter(
        recipient=lone, dedupe_key=f"mentor-request:{request.uuid}:answered"
    ).exists()


def test_ending_twice_does_nothing_more(cohort, program, admin):
    cohorts.program_end(program=program, by=admin)
    program.refresh_from_db()
    ended_at = program.ended_at
    events, notices = PairingEvent.objects.count(), Notification.objects.count()
    again = cohorts.program_end(program=program, by=admin, reason="Again")
    assert again.already and again.pairings == 0
    program.refresh_from_db()
    assert program.ended_at == ended_at
    assert (PairingEvent.objects.count(), Notification.objects.count()) == (events, notices)


def test_ending_keeps_an_earlier_end_date_and_never_ends_before_the_start(program, admin):
    Program.objects.filter(pk=program.pk).update(ends_on=date.today() - timedelta(days=2))
    program.refresh_from_db()
    cohorts.program_end(program=program, by=admin)
    program.refresh_from_db()
    assert program.ends_on == date.today() - timedelta(days=2)
    later = Program.objects.create(
        name="Later", slug="later", starts_on=date.today() + timedelta(days=10)
    )
    Membership.objects.create(program=later, user=admin, role=Role.ADMIN)
    cohorts.program_end(program=later, by=admin)
    later.refresh_from_db()
    assert later.ends_on == later.starts_on


def test_the_service_refuses_a_non_admin(cohort, program, mentor):
    with pytest.raises(Forbidden):
        cohorts.program_end(program=program, by=mentor)
    assert Pairing.objects.filter(status=PairingStatus.ACTIVE).exists()
    program.refresh_from_db()
    assert program.ended_at is None


def test_end_page_says_what_will_happen_then_ends(client, cohort, program, admin):
    client.force_login(admin)
    page = client.get(end_url(program)).content.decode()
    assert "<strong>3</strong> open pairings" in page
    assert "close-out survey" in page
    assert "keep read access to their history" in page
    response = client.post(end_url(program), {"reason": "The cohort ended"})
    assert response.status_code == 302
    assert response["Location"] == reverse("mentorship:program_dashboard", args=[program.uuid])
    assert not Pairing.objects.filter(program=program, status__in=["active", "paused"]).exists()
    dashboard = client.get(response["Location"]).content.decode()
    assert "Ended on" in dashboard
    assert "3 open pairings were closed" in dashboard
    # A second post (another admin, a second click) changes nothing and says so.
    again = client.post(end_url(program), {"reason": "x"}, follow=True).content.decode()
    assert "has ended already" in again


def test_end_page_refuses_bad_input_and_strangers(
    client, cohort, program, admin, mentor, mentee, other_admin, stranger
):
    client.force_login(admin)
    for data in ({}, {"reason": "   "}, {"reason": "x" * 501}):
        response = client.post(end_url(program), data)
        assert response.status_code == 400
    assert "This field is required" in client.post(end_url(program), {}).content.decode()
    assert client.put(end_url(program)).status_code == 405
    program.refresh_from_db()
    assert program.ended_at is None
    # The program's other members see it exists (403, as on every program page); anyone
    # else gets 404.
    for person, status in ((mentor, 403), (mentee, 403), (other_admin, 404), (stranger, 404)):
        client.force_login(person)
        assert client.get(end_url(program)).status_code == status
        assert client.post(end_url(program), {"reason": "x"}).status_code == status
    program.refresh_from_db()
    assert program.ended_at is None
    client.logout()
    assert client.get(end_url(program)).status_code == 302


# --- An ended program takes nothing new ----------------------------------------------------


@pytest.fixture
def ended(program, admin, mentor, mentee):
    cohorts.program_end(program=program, by=admin)
    program.refresh_from_db()
    return program


def test_an_ended_program_refuses_new_pairings(client, ended, admin, mentor, mentee):
    with pytest.raises(services.MentorshipConflict, match="ended on"):
        services.pairing_create(program=ended, mentor=mentor, mentee=mentee, by=admin)
    client.force_login(admin)
    response = client.post(
        reverse("mentorship:pairing_new", args=[ended.uuid]),
        {"mentor": str(mentor.uuid), "mentee": str(mentee.uuid)},
    )
    assert response.status_code == 200
    assert "ended on" in response.content.decode()
    assert not Pairing.objects.filter(program=ended).exists()


def test_an_ended_program_refuses_joins_invitations_imports_and_requests(
    ended, admin, mentee, stranger
):
    Program.objects.filter(pk=ended.pk).update(join_policy=JoinPolicy.OPEN, mentees_choose=True)
    ended.refresh_from_db()
    with pytest.raises(services.MentorshipConflict, match="takes no new members"):
        services.application_submit(program=ended, user=stranger, role=Role.MENTEE)
    with pytest.raises(services.MentorshipConflict):
        services.invitation_create(
            program=ended, email="new@example.com", role=Role.MENTEE, invited_by=admin
        )
    with pytest.raises(services.MentorshipConflict):
        services.import_start(
            program=ended, kind="participants", text="email,role\nx@example.com,mentee\n", by=admin
        )
    mentee_m = Membership.objects.get(program=ended, user=mentee)
    with pytest.raises(services.MentorshipConflict):
        services.mentor_request_create(mentee_membership=mentee_m, mentor_membership=mentee_m)
    assert not Invitation.objects.filter(program=ended).exists()
    assert not Membership.objects.filter(program=ended, user=stranger).exists()


def test_an_invitation_to_an_ended_program_cannot_be_accepted(program, admin, stranger):
    invitation, _token = services.invitation_create(
        program=program, email=stranger.email, role=Role.MENTEE, invited_by=admin
    )
    Program.objects.filter(pk=program.pk).update(ended_at=timezone.now())
    with pytest.raises(services.MentorshipConflict, match="ended on"):
        services.invitation_accept(invitation=invitation, user=stranger)
    assert not Membership.objects.filter(program=program, user=stranger).exists()


def test_an_ended_open_program_is_not_offered_to_join(client, ended, stranger):
    Program.objects.filter(pk=ended.pk).update(join_policy=JoinPolicy.OPEN)
    client.force_login(stranger)
    assert ended.name not in client.get(reverse("mentorship:join_list")).content.decode()
    assert client.get(reverse("mentorship:join_apply", args=[ended.uuid])).status_code == 404


def test_an_ended_program_takes_no_new_goals(client, ended, mentee):
    with pytest.raises(Conflict, match="no new goals"):
        goal_services.goal_create(mentee=mentee, data={"title": "Speak up"}, program=ended)
    client.force_login(mentee)
    response = client.post(
        reverse("goals:goal_create"),
        {
            "title": "Give a talk at the team meeting",
            "category": "communication",
            "specific": "A 10-minute talk",
            "starts_on": date.today().isoformat(),
            "visibility": "private",
        },
    )
    assert response.status_code == 302
    # Saved as her own goal, outside the ended program.
    assert Goal.objects.get(mentee=mentee).program_id is None


def test_members_keep_reading_their_history(client, cohort, program, admin, mentor, mentee):
    cohorts.program_end(program=program, by=admin)
    client.force_login(mentee)
    page = client.get(reverse("mentorship:pairing_detail", args=[cohort["active"].uuid]))
    assert page.status_code == 200
    assert "the program ended on" in page.content.decode()
    client.force_login(mentor)
    mine = client.get(reverse("mentorship:my_pairings"))
    assert mine.status_code == 200 and "ended on" in mine.content.decode()
    client.force_login(admin)
    assert (
        client.get(reverse("mentorship:program_dashboard", args=[program.uuid])).status_code == 200
    )


# --- The next cohort ---------------------------------------------------------------------


@pytest.fixture
def templated(program):
    Program.objects.filter(pk=program.pk).update(
        description="Peer mentoring for new engineers.",
        join_policy=JoinPolicy.APPROVAL,
        checkin_cadence_days=10,
        stall_after_days=25,
        max_active_goals=2,
        mentees_choose=True,
        request_expires_days=5,
        meeting_rule="cadence",
        agreement_meeting_frequency="Every other Tuesday, 30 minutes",
        agreement_expectations="Bring one question each time.",
        agreement_boundaries="No messages at weekends.",
        goal_template_keys=["leadership", "communication"],
        ends_on=date.today() + timedelta(days=30),
    )
    program.refresh_from_db()
    return program


def start_next(program, by, **overrides):
    fields = {
        "name": "Northwind Circle, autumn",
        "slug": "northwind-autumn",
        "starts_on": date.today() + timedelta(days=40),
        "ends_on": date.today() + timedelta(days=200),
        **overrides,
    }
    return cohorts.program_start_next(program=program, by=by, **fields)


def test_the_next_cohort_copies_exactly_the_settings_and_templates(
    templated, admin, mentor, other_mentor, mentee, django_capture_on_commit_callbacks
):
    other = UserFactory(name="Olga Coadmin")
    MembershipFactory(program=templated, user=other, role=Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        started = start_next(templated, admin)
    new = Program.objects.get(pk=started.program.pk)
    for field in cohorts.COPIED_SETTINGS:
        assert getattr(new, field) == getattr(templated, field), field
    assert new.agreement_meeting_frequency == "Every other Tuesday, 30 minutes"
    assert new.goal_template_keys == ["leadership", "communication"]
    assert new.previous_cohort == templated and new.ended_at is None
    assert (new.name, new.slug) == ("Northwind Circle, autumn", "northwind-autumn")
    # Admins run it; mentors are invited, not members; mentees are not carried over.
    assert set(Membership.objects.filter(program=new).values_list("user_id", "role")) == {
        (admin.pk, Role.ADMIN),
        (other.pk, Role.ADMIN),
    }
    invited = Invitation.objects.filter(program=new)
    assert {(i.email, i.role) for i in invited} == {
        (mentor.email, Role.MENTOR),
        (other_mentor.email, Role.MENTOR),
    }
    assert started.mentors_invited == 2
    assert {m.to[0] for m in mail.outbox} == {mentor.email, other_mentor.email}
    assert all(new.name in m.subject for m in mail.outbox)


def test_accepting_the_invitation_makes_the_mentor_a_member_with_their_capacity(
    templated, admin, mentor, django_capture_on_commit_callbacks
):
    Membership.objects.filter(program=templated, user=mentor).update(
        capacity=4, skills="python, public speaking"
    )
    with django_capture_on_commit_callbacks(execute=True):
        started = start_next(templated, admin)
    message = next(m for m in mail.outbox if m.to == [mentor.email])
    link = re.search(r"https?://\S+/invitations/[\w-]+/", message.body).group(0)
    path = link.removeprefix(settings.SITE_URL)
    assert not Membership.objects.filter(program=started.program, user=mentor).exists()
    from django.test import Client

    client = Client()
    client.force_login(mentor)
    response = client.post(path)
    assert response.status_code == 302
    membership = Membership.objects.get(program=started.program, user=mentor)
    assert membership.role == Role.MENTOR
    assert (membership.capacity, membership.skills) == (4, "python, public speaking")


def test_a_cohort_has_one_next_cohort(templated, admin):
    start_next(templated, admin)
    with pytest.raises(services.MentorshipConflict, match="next cohort already"):
        start_next(templated, admin, slug="northwind-again")
    assert Program.objects.filter(previous_cohort=templated).count() == 1


def test_next_cohort_page(client, templated, admin, mentor, other_admin, stranger, mentee):
    client.force_login(admin)
    page = client.get(next_url(templated)).content.decode()
    assert "invited by e-mail" in page and "Mentees are not carried over" in page
    proposed = client.get(next_url(templated)).context["form"].initial
    assert proposed["starts_on"] == templated.ends_on + timedelta(days=1)
    # Bad input is a form error, and nothing is made.
    bad = [
        {},
        {"name": "X", "slug": "northwind", "starts_on": "2027-01-01"},  # short name taken
        {"name": "X", "slug": "fresh", "starts_on": "2027-02-01", "ends_on": "2027-01-01"},
        {"name": "X", "slug": "not a slug", "starts_on": "2027-01-01"},
        {"name": "X", "slug": "fresh", "starts_on": "soon"},
    ]
    for data in bad:
        assert client.post(next_url(templated), data).status_code == 400, data
    assert not Program.objects.filter(previous_cohort=templated).exists()
    response = client.post(
        next_url(templated), {"name": "Autumn", "slug": "autumn", "starts_on": "2027-09-01"}
    )
    new = Program.objects.get(slug="autumn")
    assert response["Location"] == reverse("mentorship:program_dashboard", args=[new.uuid])
    dashboard = client.get(response["Location"]).content.decode()
    assert "Previous cohort:" in dashboard and templated.name in dashboard
    old = client.get(reverse("mentorship:program_dashboard", args=[templated.uuid]))
    assert "Next cohort:" in old.content.decode() and "Autumn" in old.content.decode()
    # Once started, the page links to it and a second post is refused.
    assert (
        client.post(
            next_url(templated), {"name": "B", "slug": "b", "starts_on": "2027-09-01"}
        ).status_code
        == 400
    )
    assert Program.objects.filter(previous_cohort=templated).count() == 1
    for person, status in ((mentor, 403), (mentee, 403), (other_admin, 404), (stranger, 404)):
        client.force_login(person)
        assert client.get(next_url(templated)).status_code == status
        assert client.post(next_url(templated), {}).status_code == status


# --- The agreement and goal templates ------------------------------------------------------


def test_the_agreement_template_prefills_a_new_pairing(templated, admin, mentor, mentee):
    pairing = services.pairing_create(program=templated, mentor=mentor, mentee=mentee, by=admin)
    agreement = pairing.agreement
    assert agreement.meeting_frequency == "Every other Tuesday, 30 minutes"
    assert agreement.expectations == "Bring one question each time."
    assert agreement.boundaries == "No messages at weekends."


def test_without_a_template_the_agreement_says_the_cadence(program, admin, mentor, mentee):
    pairing = services.pairing_create(program=program, mentor=mentor, mentee=mentee, by=admin)
    assert pairing.agreement.meeting_frequency == f"Every {program.checkin_cadence_days} days"
    assert pairing.agreement.expectations == ""


def test_the_settings_page_edits_the_templates(client, program, admin):
    client.force_login(admin)
    url = reverse("mentorship:program_edit", args=[program.uuid])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "starts_on": program.starts_on.isoformat(),
            "agreement_meeting_frequency": "Weekly",
            "agreement_expectations": "Be on time.",
            "agreement_boundaries": "Work hours only.",
            "goal_template_keys": ["networking", "leadership"],
        }
    )
    data.pop("ends_on", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    program.refresh_from_db()
    assert program.agreement_meeting_frequency == "Weekly"
    assert sorted(program.goal_template_keys) == ["leadership", "networking"]
    data["goal_template_keys"] = ["no-such-template"]
    assert client.post(url, data).status_code == 200
    program.refresh_from_db()
    assert sorted(program.goal_template_keys) == ["leadership", "networking"]


def test_the_goal_template_choice_limits_what_the_mentee_is_offered(client, templated, mentee):
    client.force_login(mentee)
    url = reverse("goals:goal_create")
    offered = [t.key for t in client.get(url).context["templates"]]
    assert offered == ["leadership", "communication"]
    assert client.get(url, {"template": "networking"}).context["chosen_template"] is None
    chosen = client.get(url, {"template": "leadership"}).context["chosen_template"]
    assert chosen.key == "leadership"
    page = client.get(url).content.decode()
    assert "template=networking" not in page and "template=leadership" in page
    # A program that chose none offers every template.
    Program.objects.filter(pk=templated.pk).update(goal_template_keys=[])
    assert len(client.get(url).context["templates"]) == 8


def test_a_program_refuses_unknown_goal_templates(program):
    program.goal_template_keys = ["leadership", "made-up"]
    with pytest.raises(services.MentorshipError):
        services.program_update(program=program, goal_template_keys=["made-up"])


def test_ending_is_all_or_nothing(cohort, program, admin, monkeypatch):
    """One transaction: a failure while closing the third pairing leaves the first two open
    and the program running."""
    real_end = services.pairing_end
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise services.MentorshipConflict("stop")
        return real_end(**kwargs)

    monkeypatch.setattr(services, "pairing_end", failing)
    with pytest.raises(services.MentorshipConflict):
        cohorts.program_end(program=program, by=admin)
    assert (
        Pairing.objects.filter(program=program, status__in=["active", "paused", "proposed"]).count()
        == 3
    )
    program.refresh_from_db()
    assert program.ended_at is None
