"""Account e-mails and invitations go through the outbox (OutboxEmail): a mail server that is
down never turns sign-up, password reset or an invitation into an error or a half-saved
change, and each e-mail arrives once, with one Message-ID, after the server is back. A task
lost with Redis is found again by the sweep within two minutes."""

import time
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentorship import services as mentorship_services
from mentorship.models import Invitation
from notifications import dispatch
from notifications.email import message_id, outbox_fields, outbox_message
from notifications.kinds import Kind
from notifications.models import Notification, OutboxEmail
from notifications.services import email_enqueue, enqueue_email_delivery, notify
from tests.factories import UserFactory

from .conftest import SMTPSink, flush_redis, free_port, needs_services, wait_for
from .factories import person

PASSWORD = "a-long-and-unusual-passphrase"


def sign_up(client, email="new.person@example.com"):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "name": "New Person",
            "timezone": "Europe/Berlin",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def request_reset(client, email):
    return client.post(reverse("account_reset_password"), {"email": email})


def invite(client, admin, program, email="newbie@example.com"):
    client.force_login(admin)
    response = client.post(
        reverse("mentorship:program_invite", args=[program.uuid]),
        {"email": email, "name": "New Person", "role": "mentee"},
    )
    client.logout()
    return response


@pytest.fixture
def smtp_down(settings):
    """The real SMTP backend pointed at a port nothing listens on (yet)."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return port


def text_of(parsed) -> str:
    part = parsed.get_payload(0) if parsed.is_multipart() else parsed
    return part.get_payload(decode=True).decode()


# --- The row and the message -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_message_survives_the_outbox_with_its_parts_and_one_message_id():
    message = EmailMultiAlternatives(
        subject="Hello", body="Plain text", to=["a@example.com"], headers={"X-Extra": "1"}
    )
    message.attach_alternative("<p>HTML</p>", "text/html")
    row = OutboxEmail.objects.create(kind="test", **outbox_fields(message))

    again = outbox_message(row)
    assert (again.subject, again.body, again.to) == ("Hello", "Plain text", ["a@example.com"])
    assert again.alternatives == [("<p>HTML</p>", "text/html")]
    assert again.extra_headers["X-Extra"] == "1"
    # Every rebuild carries the Message-ID chosen when the row was written.
    assert outbox_message(row).message()["Message-ID"] == row.message_id
    assert again.message()["Message-ID"] == row.message_id
    # A message that brings its own Message-ID keeps it.
    own = EmailMultiAlternatives(
        subject="x", body="y", to=["b@example.com"], headers={"Message-ID": message_id("k")}
    )
    assert outbox_fields(own)["message_id"] == message_id("k")


@pytest.mark.django_db
def test_a_rolled_back_invitation_leaves_no_row_and_no_e_mail(admin, program, mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        mentorship_services.invitation_create(
            program=program, email="x@example.com", role="mentee", invited_by=admin
        )
        assert OutboxEmail.objects.filter(kind="invitation").count() == 1
        raise RuntimeError("the rest of the change failed")
    assert not Invitation.objects.exists()
    assert not OutboxEmail.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_sweep_takes_unqueued_lost_and_expired_rows_and_leaves_fresh_ones(settings):
    from notifications.delivery import pending_email_ids

    now = timezone.now()
    lease = timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE)
    wait = timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER)

    def row(**fields):
        message = EmailMultiAlternatives(subject="s", body="b", to=["x@example.com"])
        fields = {"scheduled_for": now - 2 * wait, **fields}
        return OutboxEmail.objects.create(kind="test", **outbox_fields(message), **fields).id

    never_queued = row()
    lost = row(queued_at=now - wait - timedelta(seconds=1))
    worker_died = row(
        queued_at=now - timedelta(seconds=5),
        claimed_at=now - lease - timedelta(seconds=1),
        attempts=1,
    )
    row(queued_at=now - timedelta(seconds=5))  # handed over a moment ago
    row(queued_at=now - timedelta(seconds=5), claimed_at=now - timedelta(seconds=5))  # held
    row(queued_at=now - 2 * wait, scheduled_for=now - timedelta(seconds=5))  # retry just due
    row(scheduled_for=now + wait)  # not due yet
    row(sent_at=now)  # sent
    assert sorted(pending_email_ids(now=now)) == sorted([never_queued, lost, worker_died])


# --- SMTP down, the embedded default (eager tasks, no broker) ----------------------------------


@pytest.mark.django_db
def test_smtp_down_sign_up_reset_and_invitation_answer_normally_then_each_goes_out_once(
    client, smtp_down, admin, program, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="ada.reset@example.com")

    response = sign_up(client)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email="new.person@example.com").exists()

    assert request_reset(client, existing.email).status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, admin, program)
    assert response.status_code == 302
    assert Invitation.objects.filter(email="newbie@example.com").count() == 1

    rows = list(OutboxEmail.objects.order_by("id"))
    assert [r.to for r in rows] == [
        ["new.person@example.com"],
        [existing.email],
        ["newbie@example.com"],
    ]
    started = timezone.now()
    for row in rows:
        # Tried once, in the background of the request, and put off by the backoff.
        assert row.sent_at is None and row.attempts == 1
        assert "Connection" in row.last_error or "Errno" in row.last_error
        assert row.scheduled_for > started - timedelta(seconds=5)

    sink = SMTPSink(smtp_down).start()
    try:
        # Nothing is sent before the backoff ends ...
        assert dispatch.enqueue_all_pending()["emails"] == 0
        assert sink.messages == []
        # ... and the next sweeps after it send each e-mail once.
        with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
            assert dispatch.enqueue_all_pending()["emails"] == 3
            assert dispatch.enqueue_all_pending()["emails"] == 0
        with time_machine.travel(timezone.now() + timedelta(minutes=20), tick=False):
            assert dispatch.enqueue_all_pending()["emails"] == 0
        messages = sink.messages
    finally:
        sink.stop()

    assert Counter(m["to"][0] for m in messages) == Counter(r.to[0] for r in rows)
    assert {m["message_id"] for m in messages} == {r.message_id for r in rows}
    by_to = {m["to"][0]: m for m in messages}
    assert "/accounts/confirm-email/" in text_of(by_to["new.person@example.com"]["message"])
    assert "/accounts/password/reset/key/" in text_of(by_to[existing.email]["message"])
    assert "/invitations/" in text_of(by_to["newbie@example.com"]["message"])
    for row in OutboxEmail.objects.all():
        # Sent, and the one-time links it carried are no longer kept.
        assert row.sent_at is not None and row.body == "" and row.alternatives == []


# --- Real workers on Redis and PostgreSQL ------------------------------------------------------


def all_emails_sent() -> bool:
    return (
        OutboxEmail.objects.exists()
        and not OutboxEmail.objects.filter(sent_at__isnull=True).exists()
    )


@needs_services
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_smtp_down_account_mail_and_invitation_are_retried_by_the_worker_and_sent_once(
    client, start_worker, settings, admin, program
):
    port = free_port()  # nothing listens here yet
    # The web process would use the same dead server, were it to send anything itself.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    start_worker("w1", port, NOTIFICATIONS_MAX_ATTEMPTS=20)
    existing = UserFactory(email="ada.reset@example.com")

    assert sign_up(client).status_code == 302
    assert request_reset(client, existing.email).status_code == 302
    assert invite(client, admin, program).status_code == 302
    assert User.objects.filter(email="new.person@example.com").count() == 1
    assert Invitation.objects.filter(email="newbie@example.com").count() == 1

    def failed_twice():
        rows = list(OutboxEmail.objects.all())
        return len(rows) == 3 and all(r.attempts >= 2 for r in rows) and rows

    rows = wait_for(failed_twice, timeout=60)
    assert rows, "the worker did not retry"
    assert all(r.sent_at is None and r.last_error for r in rows)

    sink = SMTPSink(port).start()
    try:
        assert wait_for(all_emails_sent, timeout=60)
        time.sleep(2)  # a duplicate, were there one, would arrive now
        messages = sink.messages
    finally:
        sink.stop()
    rows = list(OutboxEmail.objects.all())
    assert Counter(m["to"][0] for m in messages) == Counter(
        ["new.person@example.com", existing.email, "newbie@example.com"]
    )
    assert sorted(m["message_id"] for m in messages) == sorted(r.message_id for r in rows)


@needs_services
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_tasks_lost_with_redis_are_found_again_within_two_minutes_and_sent_once(
    start_worker, smtp_sink
):
    someone = person("p@example.com", "Person")
    notify(
        recipient=someone,
        kind=Kind.CHECKIN_OVERDUE,
        dedupe_key="overdue:lost",
        title="Your check-in is overdue",
        url="/",
    )
    ready = EmailMultiAlternatives(subject="Ready", body="A ready e-mail", to=["r@example.com"])
    row = email_enqueue(message=ready, kind="test")
    note = Notification.objects.get()
    row.refresh_from_db()
    assert note.queued_at and row.queued_at  # both handed to the broker ...
    flush_redis()  # ... which then comes back empty
    start_worker("w1", smtp_sink.port)
    time.sleep(2)
    assert smtp_sink.messages == []  # the tasks are gone

    lost_at = max(note.queued_at, row.queued_at)
    # The beat runs the sweep this often; with the wait below, every lost e-mail is handed
    # over again within two minutes.
    beat = django_settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]
    assert beat["task"] == "notifications.tasks.sweep"
    assert beat["schedule"] + django_settings.NOTIFICATIONS_REQUEUE_AFTER <= 100
    with time_machine.travel(lost_at + timedelta(seconds=30), tick=False):
        # Just handed over: still waiting for its task, not taken as lost.
        assert dispatch.enqueue_all_pending() == {"notifications": 0, "emails": 0}
    wait = django_settings.NOTIFICATIONS_REQUEUE_AFTER + 1
    with time_machine.travel(lost_at + timedelta(seconds=wait), tick=False):
        assert dispatch.enqueue_all_pending() == {"notifications": 1, "emails": 1}
        # A second sweep right after does not hand them over again.
        assert dispatch.enqueue_all_pending() == {"notifications": 0, "emails": 0}

    assert wait_for(lambda: len(smtp_sink.messages) == 2, timeout=30)
    # The same ids handed over once more send nothing: the claim finds them sent.
    assert enqueue_email_delivery([row.id])
    time.sleep(2)
    messages = smtp_sink.messages
    assert sorted(m["to"][0] for m in messages) == ["p@example.com", "r@example.com"]
    row.refresh_from_db()
    assert row.sent_at is not None
    assert {m["to"][0]: m["message_id"] for m in messages}["r@example.com"] == row.message_id
