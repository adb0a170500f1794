"""Delivery in-process: claim, send once, headers, escaping, gathering, failures."""

import hashlib
import re
import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from notifications import delivery
from notifications.email import build_notification_email
from notifications.kinds import Kind
from notifications.models import FeedbackMode, Notification, Preferences
from notifications.services import notify

from .factories import person

pytestmark = pytest.mark.django_db

SITE = "https://mentoring.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 5


def make(recipient, n=1, kind=Kind.CHECKIN_DUE_SOON, **extra):
    rows = []
    for i in range(n):
        rows.append(
            Notification.objects.create(
                recipient=recipient,
                kind=kind,
                dedupe_key=f"{kind}:{recipient.pk}:{i}",
                batch_key=f"{kind}:{recipient.pk}:{i}",
                title=f"Reminder {i}",
                body="Body",
                url="/goals/",
                **extra,
            )
        )
    return rows


class CountingBackend(LocmemBackend):
    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return super().open()


class DownBackend(LocmemBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(LocmemBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"No such user")})


def test_each_row_is_sent_once_even_when_delivered_twice(mentor):
    rows = make(mentor, 3)
    ids = [row.id for row in rows]
    first = delivery.deliver(ids)
    second = delivery.deliver(ids)
    assert (first.sent, second.sent) == (3, 0)
    assert len(mail.outbox) == 3
    assert all(row.sent_at for row in Notification.objects.filter(id__in=ids))


def test_a_row_claimed_by_a_living_worker_is_left_alone(mentor):
    [row] = make(mentor)
    Notification.objects.filter(pk=row.pk).update(claimed_at=timezone.now())
    assert delivery.deliver([row.id]).sent == 0
    # ...but a claim older than the lease belongs to a dead worker and is taken over.
    Notification.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert delivery.deliver([row.id]).sent == 1


def test_one_smtp_connection_per_batch(mentor, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.CountingBackend"
    CountingBackend.opened = 0
    rows = make(mentor, 10)
    assert delivery.deliver([row.id for row in rows]).sent == 10
    assert CountingBackend.opened == 1


def test_headers_message_id_and_one_click_unsubscribe(mentor):
    [row] = make(mentor)
    delivery.deliver([row.id])
    [message] = mail.outbox
    digest = hashlib.sha256(row.dedupe_key.encode()).hexdigest()
    assert message.extra_headers["Message-ID"] == f"<{digest}@mentoring.example.org>"
    assert message.extra_headers["List-Unsubscribe"].startswith(
        f"<{SITE}/notifications/unsubscribe/"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "viewport" in html
    assert message.body.strip()
    # The same row renders the same Message-ID again (a resend after a crash).
    again = build_notification_email([Notification.objects.select_related("recipient").get()])
    assert again.extra_headers["Message-ID"] == message.extra_headers["Message-ID"]


HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


@pytest.mark.parametrize(
    "kind", [Kind.CHECKIN_DUE_SOON, Kind.FEEDBACK, Kind.PAIRING_CHANGED, Kind.DIGEST_MENTEE]
)
def test_rendered_emails_escape_user_text_and_link_absolutely(kind):
    user = person("eve@example.com", HOSTILE)
    payload = {
        "since": "2026-11-01T00:00:00+00:00",
        "goals": [
            {
                "title": HOSTILE,
                "url": "/goals/x/",
                "percent": 40,
                "health": "at_risk",
                "updates_count": 1,
            }
        ],
        "upcoming": [
            {"title": HOSTILE, "goal": HOSTILE, "url": "/goals/x/", "due_on": "2026-11-09"}
        ],
        "upcoming_count": 1,
        "feedback": [
            {"author": HOSTILE, "goal": HOSTILE, "url": "/goals/x/", "body": HOSTILE, "kudos": True}
        ],
        "feedback_count": 1,
    }
    Notification.objects.create(
        recipient=user,
        kind=kind,
        dedupe_key=f"{kind}:hostile",
        batch_key=f"{kind}:hostile",
        title=HOSTILE,
        body=HOSTILE,
        url="/goals/x/",
        payload=payload,
    )
    message = build_notification_email(list(Notification.objects.select_related("recipient")))
    html = message.alternatives[0][0]
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;" in html
    links = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert links and all(link.startswith(SITE + "/") for link in links), links
    text_links = re.findall(r"https?://\S+|(?<![\w/])/[\w-]+/\S*", message.body)
    assert all(link.startswith(SITE) for link in text_links), text_links
    assert "&lt;" not in message.body  # plain text is not HTML-escaped
    assert "\n" not in message.subject


def test_feedback_arriving_within_the_window_goes_out_as_one_email(mentee, settings):
    settings.NOTIFICATIONS_GATHER_WINDOW = 300
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for i in range(3):
            notify(
                recipient=mentee,
                kind=Kind.FEEDBACK,
                dedupe_key=f"feedback:{i}",
                title=f"Comment {i}",
            )
            traveller.shift(60)
        ids = list(Notification.objects.values_list("id", flat=True))
        assert delivery.deliver(ids).sent == 0  # the window is still open
        traveller.move_to(start + timedelta(seconds=301))
        notify(recipient=mentee, kind=Kind.FEEDBACK, dedupe_key="feedback:late", title="Late")
        assert delivery.deliver(delivery.pending_ids(now=timezone.now())).sent == 3
    assert len(mail.outbox) == 1
    assert all(f"Comment {i}" in mail.outbox[0].body for i in range(3))
    assert "Late" not in mail.outbox[0].body  # it opened the next batch


def test_instant_feedback_is_sent_one_by_one(mentee):
    Preferences.objects.create(user=mentee, feedback_mode=FeedbackMode.INSTANT)
    for i in range(3):
        notify(
            recipient=mentee, kind=Kind.FEEDBACK, dedupe_key=f"feedback:{i}", title=f"Comment {i}"
        )
    delivery.deliver(list(Notification.objects.values_list("id", flat=True)))
    assert len(mail.outbox) == 3


def test_smtp_failure_releases_the_rows_with_a_backoff(mentor, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.DownBackend"
    rows = make(mentor, 2)
    before = timezone.now()
    result = delivery.deliver([row.id for row in rows])
    assert result.sent == 0 and sorted(result.retry_ids) == sorted(r.id for r in rows)
    assert result.retry_in >= 1
    for row in Notification.objects.all():
        assert row.sent_at is None and row.claimed_at is None and row.attempts == 1
        assert "SMTPServerDisconnected" in row.last_error
        assert row.scheduled_for > before
    # Not due again until the backoff has passed.
    assert delivery.pending_ids(now=timezone.now()) == []


def test_a_refused_address_is_not_retried(mentor, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.RefusingBackend"
    [row] = make(mentor)
    result = delivery.deliver([row.id])
    assert result.failed_permanently == 1 and not result.retry_ids
    row.refresh_from_db()
    assert row.attempts == settings.NOTIFICATIONS_MAX_ATTEMPTS and row.sent_at is None
    assert delivery.pending_ids(now=timezone.now() + timedelta(days=1)) == []


def test_rows_muted_after_they_were_made_are_not_sent(mentor):
    rows = make(mentor, 2)
    Preferences.objects.create(user=mentor, muted_kinds=[Kind.CHECKIN_DUE_SOON])
    assert delivery.deliver([row.id for row in rows]).sent == 0
    assert mail.outbox == []
    assert not Notification.objects.filter(send_email=True).exists()


def test_all_three_digests_escape_names_titles_and_comments():
    from datetime import date

    from goals.models import Comment
    from mentorship.models import Membership, Role
    from notifications import dispatch
    from tests.factories import GoalFactory, MilestoneFactory, ProgramFactory, ProgressUpdateFactory

    from .factories import pair

    program = ProgramFactory(name=HOSTILE)
    admin = person("admin@example.com", HOSTILE)
    Membership.objects.create(program=program, user=admin, role=Role.ADMIN)
    mentor, mentee = person("mentor@example.com", HOSTILE), person("mentee@example.com", HOSTILE)
    lonely = person("lonely@example.com", HOSTILE)
    Membership.objects.create(program=program, user=lonely, role=Role.MENTEE)
    pairing = pair(mentor, mentee, program=program)
    pairing.last_checkin_on = date.today() - timedelta(days=60)
    pairing.save()
    goal = GoalFactory(mentee=mentee, pairing=pairing, program=program, title=HOSTILE)
    ProgressUpdateFactory(goal=goal, note=HOSTILE)
    MilestoneFactory(goal=goal, title=HOSTILE, due_on=date.today() + timedelta(days=2))
    MilestoneFactory(goal=goal, title=HOSTILE, due_on=date.today() - timedelta(days=2))
    Comment.objects.create(goal=goal, author=mentor, body=HOSTILE)
    now = timezone.now()
    for kind, user in (
        (Kind.DIGEST_MENTOR, mentor),
        (Kind.DIGEST_MENTEE, mentee),
        (Kind.DIGEST_ADMIN, admin),
    ):
        [row] = dispatch.digest_rows(kind, [{"id": user.id, "key": kind}], now=now, moments={})
        row.save()
        row.recipient = user
        message = build_notification_email([row])
        html = message.alternatives[0][0]
        assert html.count("&lt;script&gt;") >= 3, kind  # names, titles and notes all shown
        assert "<script>" not in html and "<b>bold</b>" not in html, kind
        links = re.findall(r'(?:href|src)="([^"]*)"', html)
        assert all(link.startswith(SITE + "/") for link in links), (kind, links)
        assert HOSTILE in message.body  # the plain-text part shows the text as written
