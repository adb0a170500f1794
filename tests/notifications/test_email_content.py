"""E-mails say what happened: the mentee digest calls out off-track goals, overdue milestones
and the next check-in; the admin digest lists pairings waiting for acceptance, overdue
check-ins and open invitations; gathered feedback says what was gathered. Each is read as
rendered, text and HTML."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from mentorship import services
from mentorship.models import PairingStatus
from notifications import dispatch
from notifications.delivery import deliver, pending_ids
from notifications.email import build_notification_email
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import GoalFactory, MembershipFactory, MilestoneFactory, PairingFactory

from .factories import pair, person

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 2, 8, 5, tzinfo=UTC)  # a Monday, 08:05 UTC


def sent_digest(recipient, kind) -> tuple[str, str, str]:
    with time_machine.travel(NOW, tick=False):
        dispatch.dispatch(enqueue=False)
        deliver(pending_ids(now=NOW))
    [message] = [m for m in mail.outbox if m.to == [recipient.email]]
    assert Notification.objects.filter(recipient=recipient, kind=kind).exists()
    return message.subject, message.body, message.alternatives[0][0]


def test_the_mentee_digest_says_what_needs_her_attention_and_when_she_meets_next(program):
    mentee = person("mia@example.com", "Mia", digest_weekday=0, digest_hour=8)
    mentor = person("maria@example.com", "Maria")
    pair(mentor, mentee, program=program, due=date(2026, 10, 30))  # check-in overdue
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        stuck = GoalFactory(
            mentee=mentee,
            program=program,
            title="Run a 10k",
            starts_on=date(2026, 8, 1),
            target_date=date(2026, 11, 20),
            baseline_value=0,
            target_value=10,
            current_value=0,
        )
        MilestoneFactory(goal=stuck, title="Register for the race", due_on=date(2026, 10, 25))
        MilestoneFactory(goal=stuck, title="First 5k", due_on=date(2026, 11, 6))
    subject, text, html = sent_digest(mentee, Kind.DIGEST_MENTEE)
    for body in (text, html):
        assert "Needs your attention" in body
        assert "Run a 10k" in body and "off track" in body
        assert "Register for the race" in body and "overdue since" in body
        assert "Your check-in with Maria was due" in body
        assert "First 5k" in body  # still listed under "Coming up"
    assert text.index("Register for the race") < text.index("Your goals")


def test_the_mentee_digest_names_the_next_check_in_when_it_is_not_overdue(program):
    mentee = person("mia@example.com", "Mia", digest_weekday=0, digest_hour=8)
    pair(person("maria@example.com", "Maria"), mentee, program=program, due=date(2026, 11, 9))
    GoalFactory(mentee=mentee, program=program)
    _subject, text, html = sent_digest(mentee, Kind.DIGEST_MENTEE)
    assert "Next check-in with Maria: Mon 9 Nov." in text
    assert "Next check-in with Maria: Mon 9 Nov." in html
    assert "Needs your attention" not in text


def test_the_admin_digest_lists_what_waits_on_people(program, mentor, mentee, other_mentee):
    admin = person("ada@example.com", "Ada", digest_weekday=0, digest_hour=8)
    MembershipFactory(program=program, user=admin, role="admin")
    with time_machine.travel(NOW - timedelta(days=4), tick=False):
        PairingFactory(
            program=program, mentor=mentor, mentee=other_mentee, status=PairingStatus.PROPOSED
        )
    pair(mentor, mentee, program=program, due=date(2026, 10, 28))  # overdue check-in
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        services.invitation_create(
            program=program, email="new@example.com", role="mentee", invited_by=admin
        )
        # Someone applied to join (the program is open with approval).
        program.join_policy = "approval"
        program.save()
        services.application_submit(
            program=program, user=person("sam@example.com", "Sam"), role="mentee"
        )
    _subject, text, html = sent_digest(admin, Kind.DIGEST_ADMIN)
    assert "/applications/" in text and "/applications/" in html
    for body in (text, html):
        assert "1 application waiting for approval" in body
        assert "1 pairing waiting for acceptance" in body
        assert "proposed 4 days ago" in body
        assert "1 check-in overdue" in body and "due Wed 28 Oct" in body
        assert "1 invitation not answered yet" in body
    assert "/invite/" in text and "/invite/" in html


def test_gathered_feedback_says_what_was_gathered(mentor):
    def row(key: str, title: str) -> Notification:
        return Notification(
            recipient=mentor,
            kind=Kind.FEEDBACK,
            dedupe_key=key,
            batch_key="batch",
            title=title,
            url="/review/",
        )

    updates = [row(f"feedback:update:{n}", f"Mia logged progress ({n})") for n in range(3)]
    message = build_notification_email(updates)
    assert message.subject == "3 new progress updates"
    assert "3 new progress updates:" in message.body
    assert "<title>3 new progress updates</title>" in message.alternatives[0][0]

    mixed = [*updates[:2], row("feedback:comment:1", "Mia commented"), row("x:1", "Other")]
    assert build_notification_email(mixed).subject == (
        "2 new progress updates, 1 new comment, 1 other notice"
    )
    single = build_notification_email([row("feedback:ack:1", "Maria acknowledged your update")])
    assert single.subject == "Maria acknowledged your update"
