"""Joining a program on one's own: the programs open to applications, applying, withdrawing,
and the admins' queue (approve or decline). Sam is a stranger who signed up on his own; Ada
runs Northwind Circle, opened with approval here; Ari runs Southside Guild."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mentorship import selectors, services
from mentorship.models import (
    Application,
    ApplicationStatus,
    JoinPolicy,
    Membership,
    Program,
    Role,
)
from notifications import delivery, digests
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import MembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval_program(program, admin):
    """Northwind Circle, open with approval, with a description to show."""
    program.join_policy = JoinPolicy.APPROVAL
    program.description = "Pairs meet every two weeks to work on one career goal."
    program.save()
    return program


@pytest.fixture
def open_program(db):
    program = ProgramFactory(
        name="Open Learning Circle",
        slug="open-circle",
        join_policy=JoinPolicy.OPEN,
        description="Anyone may join and find a peer.",
    )
    boss = UserFactory(email="olga@example.com", name="Olga Openadmin")
    MembershipFactory(program=program, user=boss, role=Role.ADMIN)
    return program


def apply(client, program, **data):
    form = {"role": "mentee", "message": "", "skills": "", "interests": "", **data}
    return client.post(reverse("mentorship:join_apply", args=[program.uuid]), form)


def delivered_to(user):
    """The e-mails of `user`'s notifications, as sent: (subject, text, html) of each."""
    ids = list(
        Notification.objects.filter(recipient=user, send_email=True).values_list("id", flat=True)
    )
    delivery.deliver(ids)
    out = []
    for message in mail.outbox:
        if user.email in message.to:
            html, mimetype = message.alternatives[0]
            assert mimetype == "text/html"
            out.append((message.subject, message.body, html))
    return out


# --- Who sees which programs ----------------------------------------------------------------


def test_a_person_in_no_program_is_shown_the_programs_they_may_join(
    client, stranger, approval_program, open_program, other_program
):
    client.force_login(stranger)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("mentorship:join_list")
    html = client.get(response["Location"]).content.decode()
    assert "You are not part of a mentoring program yet." in html
    assert "Northwind Circle" in html and "Pairs meet every two weeks" in html
    assert "Open Learning Circle" in html and "Anyone may join" in html
    assert "Open with approval" in html and "Open: you join at once" in html
    # Southside Guild is invite only: never listed, not even its name.
    assert "Southside Guild" not in html


def test_an_invite_only_program_takes_no_application(client, stranger, other_program):
    client.force_login(stranger)
    url = reverse("mentorship:join_apply", args=[other_program.uuid])
    assert client.get(url).status_code == 404
    assert apply(client, other_program, message="Let me in").status_code == 404
    assert not Application.objects.exists()
    # Nor an inactive one, whatever its policy.
    Program.objects.filter(pk=other_program.pk).update(join_policy=JoinPolicy.OPEN, is_active=False)
    assert apply(client, other_program).status_code == 404
    with pytest.raises(services.MentorshipError, match="does not take applications"):
        services.application_submit(
            program=Program.objects.get(pk=other_program.pk), user=stranger, role=Role.MENTEE
        )


def test_members_find_other_programs_from_their_dashboard(client, mentee, open_program):
    client.force_login(mentee)
    dashboard = client.get(reverse("goals:mentee_dashboard")).content.decode()
    assert reverse("mentorship:join_list") in dashboard and "Join another program" in dashboard
    html = client.get(reverse("mentorship:join_list")).content.decode()
    assert "Open Learning Circle" in html
    assert "You are not part of a mentoring program yet." not in html


# --- Open: a member at once -----------------------------------------------------------------


def test_an_open_program_makes_the_applicant_a_member_at_once(client, stranger, open_program):
    client.force_login(stranger)
    response = apply(
        client,
        open_program,
        role="mentor",
        message="I have ten years in data work.",
        skills="SQL, statistics",
        interests="leadership",
    )
    assert response.status_code == 302
    membership = Membership.objects.get(program=open_program, user=stranger)
    assert (membership.role, membership.skills, membership.interests) == (
        Role.MENTOR,
        "SQL, statistics",
        "leadership",
    )
    application = Application.objects.get(user=stranger)
    assert application.status == ApplicationStatus.APPROVED and application.decided_by is None
    # Its admin hears of the new member in the inbox; nobody is e-mailed.
    notice = Notification.objects.get(kind=Kind.APPLICATION_RECEIVED)
    assert notice.recipient.email == "olga@example.com" and not notice.send_email
    assert "Sam Stranger joined Open Learning Circle as mentor" in notice.title
    assert client.get(reverse("home"))["Location"] == reverse("goals:mentor_dashboard")
    # Applying again in the same role says so.
    again = apply(client, open_program, role="mentor")
    assert again.status_code == 200
    assert "You are already a mentor in Open Learning Circle." in again.content.decode()


# --- With approval: the queue ---------------------------------------------------------------


def test_approval_makes_a_member_and_tells_the_applicant(client, stranger, admin, approval_program):
    client.force_login(stranger)
    response = apply(
        client,
        approval_program,
        message="I want to get better at presenting.",
        skills="design",
        interests="public speaking, leadership",
    )
    assert response["Location"] == reverse("mentorship:join_list")
    application = Application.objects.get(user=stranger)
    assert application.status == ApplicationStatus.PENDING
    assert not Membership.objects.filter(user=stranger).exists()
    listing = client.get(reverse("mentorship:join_list")).content.decode()
    assert "Applied as mentee, waiting" in listing and "Withdraw" in listing
    # The admin is told in the inbox, and the dashboard's count agrees with the queue.
    notice = Notification.objects.get(recipient=admin, kind=Kind.APPLICATION_RECEIVED)
    assert notice.url == reverse("mentorship:application_queue", args=[approval_program.uuid])
    client.force_login(admin)
    dashboard = client.get(reverse("mentorship:program_dashboard", args=[approval_program.uuid]))
    assert "1 application waiting for approval" in dashboard.content.decode()
    queue = client.get(notice.url).content.decode()
    assert "1 application waiting for your answer" in queue
    assert "Sam Stranger" in queue and "I want to get better at presenting." in queue
    assert "public speaking, leadership" in queue
    decided = client.post(
        reverse("mentorship:application_decide", args=[approval_program.uuid, application.uuid]),
        {"decision": "approve"},
        follow=True,
    )
    assert "Sam Stranger is now a mentee in Northwind Circle." in decided.content.decode()
    membership = Membership.objects.get(program=approval_program, user=stranger)
    assert (membership.role, membership.skills, membership.interests) == (
        Role.MENTEE,
        "design",
        "public speaking, leadership",
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.decided_by == admin and application.decided_at is not None
    # The applicant: an inbox entry and an e-mail, text and HTML.
    inbox = Notification.objects.get(recipient=stranger, kind=Kind.APPLICATION_DECIDED)
    assert inbox.title == "Your application to Northwind Circle was approved"
    [(subject, text, html)] = delivered_to(stranger)
    assert subject == "Your application to Northwind Circle was approved"
    assert "You are now a mentee in Northwind Circle." in text
    assert "You are now a mentee in <strong>Northwind Circle</strong>." in html
    assert "Open your dashboard" in text and "Open your dashboard" in html
    assert "Unsubscribe from “Answers to your applications to programs”" in text
    # Signed in, she lands on her dashboard, where her first steps wait.
    client.force_login(stranger)
    home = client.get(reverse("home"), follow=True)
    assert home.redirect_chain[-1][0] == reverse("goals:mentee_dashboard")
    assert "First steps in Northwind Circle" in home.content.decode()


def test_decline_tells_the_applicant_with_the_reason(client, stranger, admin, approval_program):
    application = services.application_submit(
        program=approval_program, user=stranger, role=Role.MENTOR, message="Hello"
    )
    client.force_login(admin)
    client.post(
        reverse("mentorship:application_decide", args=[approval_program.uuid, application.uuid]),
        {"decision": "decline", "reason": "We have enough mentors this term & no room."},
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECLINED
    assert application.decline_reason == "We have enough mentors this term & no room."
    assert not Membership.objects.filter(user=stranger).exists()
    inbox = Notification.objects.get(recipient=stranger, kind=Kind.APPLICATION_DECIDED)
    assert inbox.title == "Your application to Northwind Circle was declined"
    assert inbox.url == reverse("mentorship:join_list")
    [(subject, text, html)] = delivered_to(stranger)
    assert subject == "Your application to Northwind Circle was declined"
    assert "The program admin's reason:" in text
    assert "We have enough mentors this term & no room." in text
    assert "We have enough mentors this term &amp; no room." in html
    assert "apply to another program" in text and "apply to another program" in html
    client.force_login(stranger)
    listing = client.get(reverse("mentorship:join_list")).content.decode()
    assert "declined" in listing and "We have enough mentors this term &amp; no room." in listing


def test_a_decline_without_reason_says_none(client, stranger, admin, approval_program):
    application = services.application_submit(
        program=approval_program, user=stranger, role=Role.MENTEE
    )
    services.application_decide(application=application, by=admin, approve=False)
    [(_subject, text, html)] = delivered_to(stranger)
    assert "reason" not in text.lower().split("unsubscribe")[0]
    assert "reason" not in html.lower()


def test_the_queue_is_oldest_first_and_only_waiting_ones(client, admin, approval_program):
    people = [UserFactory(name=f"Applicant {n}") for n in range(3)]
    for n, person in enumerate(people):
        application = services.application_submit(
            program=approval_program, user=person, role=Role.MENTEE
        )
        Application.objects.filter(pk=application.pk).update(
            created_at=timezone.now() - timedelta(days=10 - n)
        )
    done = Application.objects.get(user=people[1])
    services.application_decide(application=done, by=admin, approve=False)
    rows = list(selectors.application_queue(approval_program))
    assert [a.user for a in rows] == [people[0], people[2]]
    client.force_login(admin)
    html = client.get(
        reverse("mentorship:application_queue", args=[approval_program.uuid])
    ).content.decode()
    assert "2 applications waiting for your answer" in html
    assert html.index("Applicant 0") < html.index("Applicant 2")
    stats = selectors.program_stats(approval_program)
    assert stats["pending_applications"] == 2


# --- Withdraw, duplicates, stale decisions ------------------------------------------------------


def test_the_applicant_withdraws_a_waiting_application(client, stranger, admin, approval_program):
    client.force_login(stranger)
    apply(client, approval_program)
    application = Application.objects.get(user=stranger)
    assert Notification.objects.filter(recipient=admin, kind=Kind.APPLICATION_RECEIVED).exists()
    url = reverse("mentorship:application_withdraw", args=[application.uuid])
    response = client.post(url, follow=True)
    assert "Your application to Northwind Circle is withdrawn." in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    # The admin's notice goes with it, and the queue is empty.
    assert not Notification.objects.filter(recipient=admin, kind=Kind.APPLICATION_RECEIVED).exists()
    assert not selectors.application_queue(approval_program).exists()
    # Withdrawn once: a second time says why not; someone else's: 404.
    again = client.post(url, follow=True)
    assert "This application was withdrawn" in again.content.decode()
    client.force_login(admin)
    assert client.post(url).status_code == 404
    # After withdrawing, she may apply again.
    client.force_login(stranger)
    assert apply(client, approval_program, role="mentor").status_code == 302


def test_one_waiting_application_per_person_and_program(client, stranger, approval_program):
    client.force_login(stranger)
    assert apply(client, approval_program).status_code == 302
    for role in ("mentee", "mentor"):
        response = apply(client, approval_program, role=role)
        assert response.status_code == 200
        assert "You have applied to Northwind Circle already" in response.content.decode()
    assert Application.objects.filter(user=stranger).count() == 1
    # The database refuses a second one too (two requests at once).
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(program=approval_program, user=stranger, role=Role.MENTOR)


def test_a_member_is_told_they_hold_the_role_already(client, mentee, approval_program):
    client.force_login(mentee)
    response = apply(client, approval_program, role="mentee")
    assert "You are already a mentee in Northwind Circle." in response.content.decode()
    assert not Application.objects.exists()
    # Another role is an application like any other.
    assert apply(client, approval_program, role="mentor").status_code == 302
    assert Application.objects.get().role == Role.MENTOR


def test_admins_cannot_be_applied_for(client, stranger, approval_program):
    client.force_login(stranger)
    response = apply(client, approval_program, role="admin")
    assert response.status_code == 200 and not Application.objects.exists()


def test_a_second_decision_is_refused_with_who_decided(client, stranger, admin, approval_program):
    second_admin = UserFactory(name="Bea Backup")
    MembershipFactory(program=approval_program, user=second_admin, role=Role.ADMIN)
    application = services.application_submit(
        program=approval_program, user=stranger, role=Role.MENTEE
    )
    url = reverse("mentorship:application_decide", args=[approval_program.uuid, application.uuid])
    client.force_login(admin)
    client.post(url, {"decision": "approve"})
    client.force_login(second_admin)
    response = client.post(url, {"decision": "decline", "reason": "no"}, follow=True)
    assert "This application was approved already, by Ada Admin." in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.decided_by == admin
    assert Membership.objects.filter(user=stranger).count() == 1
    answers = Notification.objects.filter(recipient=stranger, kind=Kind.APPLICATION_DECIDED)
    assert answers.count() == 1
    # A stale copy of the row in a service call is refused the same way.
    stale = Application.objects.get(pk=application.pk)
    stale.status = ApplicationStatus.PENDING
    with pytest.raises(services.MentorshipConflict, match="approved already"):
        services.application_decide(application=stale, by=second_admin, approve=False)


def test_an_empty_decision_is_a_400_and_changes_nothing(client, stranger, admin, approval_program):
    application = services.application_submit(
        program=approval_program, user=stranger, role=Role.MENTEE
    )
    client.force_login(admin)
    url = reverse("mentorship:application_decide", args=[approval_program.uuid, application.uuid])
    assert client.post(url, {}).status_code == 400
    assert client.get(url).status_code == 405
    application.refresh_from_db()
    assert application.is_pending


def test_other_programs_admins_and_members_cannot_decide(
    client, stranger, approval_program, other_admin, mentee, other_program
):
    application = services.application_submit(
        program=approval_program, user=stranger, role=Role.MENTEE
    )
    url = reverse("mentorship:application_decide", args=[approval_program.uuid, application.uuid])
    client.force_login(other_admin)
    assert client.post(url, {"decision": "approve"}).status_code == 404
    # Through his own program's address, the application is not his program's: 404.
    own = reverse("mentorship:application_decide", args=[other_program.uuid, application.uuid])
    assert client.post(own, {"decision": "approve"}).status_code == 404
    queue = reverse("mentorship:application_queue", args=[approval_program.uuid])
    assert client.get(queue).status_code == 404
    client.force_login(stranger)
    assert client.post(url, {"decision": "approve"}).status_code == 404
    client.force_login(mentee)  # a member of the program: 403, as on every program page
    assert client.post(url, {"decision": "approve"}).status_code == 403
    application.refresh_from_db()
    assert application.is_pending


# --- The admin digest ---------------------------------------------------------------------------


def test_the_admin_digest_counts_applications_waiting(admin, stranger, approval_program):
    services.application_submit(program=approval_program, user=stranger, role=Role.MENTEE)
    now = timezone.now()
    payload = digests.compose_admin([admin.pk], now=now, since={admin.pk: now - timedelta(days=7)})
    [entry] = payload[admin.pk]["programs"]
    assert entry["applications_waiting"] == 1
    assert entry["applications_url"] == reverse(
        "mentorship:application_queue", args=[approval_program.uuid]
    )


# --- Query counts -------------------------------------------------------------------------------

# Including the session's user, the viewer's facts and the navigation's unread count.
QUEUE_QUERIES = 7
JOIN_LIST_QUERIES = 6


def grow_applications(program, size: int, tag: str) -> None:
    for n in range(size):
        person = UserFactory(email=f"{tag}{n}@example.com")
        services.application_submit(
            program=program,
            user=person,
            role=Role.MENTOR if n % 2 else Role.MENTEE,
            message="m" * 50,
            skills="a, b",
            interests="c",
        )
        if n % 3 == 0:
            decided = UserFactory(email=f"{tag}{n}-d@example.com")
            services.application_decide(
                application=services.application_submit(
                    program=program, user=decided, role=Role.MENTEE
                ),
                by=program.memberships.filter(role=Role.ADMIN).first().user,
                approve=bool(n % 2),
            )


@pytest.mark.parametrize("size", [2, 12])
def test_the_queue_page_has_a_fixed_query_count(
    client, admin, approval_program, size, django_assert_num_queries
):
    grow_applications(approval_program, size, f"q{size}-")
    client.force_login(admin)
    url = reverse("mentorship:application_queue", args=[approval_program.uuid])
    client.get(url)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert f"{size} applications waiting" in response.content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_the_join_page_has_a_fixed_query_count(
    client, stranger, approval_program, size, django_assert_num_queries
):
    for n in range(size):
        joinable = ProgramFactory(join_policy=JoinPolicy.OPEN if n % 2 else JoinPolicy.APPROVAL)
        if n % 2:
            services.application_submit(program=joinable, user=stranger, role=Role.MENTOR)
        else:
            services.application_submit(program=joinable, user=stranger, role=Role.MENTEE)
    client.force_login(stranger)
    url = reverse("mentorship:join_list")
    client.get(url)
    with django_assert_num_queries(JOIN_LIST_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Applied as mentee, waiting") == size // 2
