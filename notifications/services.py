"""Creating notifications and changing what people hear about. Every part of the product
that tells someone something calls `notify`; delivery (e-mail, in-app inbox) is this app's
business."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import jobs

from .delivery import max_countdown
from .email import in_language_of, outbox_fields
from .kinds import Kind
from .models import FeedbackMode, Notification, OutboxEmail, Preferences
from .schedule import quiet_hours_release, zone
from .selectors import preferences_for

logger = logging.getLogger(__name__)

# A notice's title or body: the text, or a function composing it in the active language.
Text = str | Callable[[], str]


def _composed(text: Text) -> str:
    return text() if callable(text) else text


# Kinds gathered into one e-mail when several arrive within the gathering window (for people
# who chose "gathered"; the default).
GATHERED_KINDS = frozenset({Kind.FEEDBACK, Kind.MESSAGE})

# The delivery task, registered by name in NotificationsConfig.ready() (the tasks module
# calls these services, so they must not import it back).
DELIVER_JOB = "notifications.deliver"
DELIVER_EMAILS_JOB = "notifications.deliver_emails"


def enqueue_delivery(
    ids: list[int], *, countdown: float | None = None, job: str = DELIVER_JOB, model=Notification
) -> bool:
    """Hand ids to the delivery queue. A broker that is down is logged and swallowed: the
    rows stay pending and the next sweep enqueues them. Returns whether it worked."""
    if not ids:
        return True
    if countdown is not None:
        countdown = max(0, min(int(countdown), max_countdown()))
    try:
        jobs.task(job).apply_async(args=[list(ids)], countdown=countdown)
    except Exception:
        # Redis down, or (eager mode) an unexpected error while sending: the caller's page
        # must still succeed, and the rows are still pending in the database.
        logger.warning(
            "Could not enqueue delivery of %d %s row(s)", len(ids), model.__name__, exc_info=True
        )
        return False
    model.objects.filter(id__in=ids, sent_at__isnull=True).update(queued_at=timezone.now())
    return True


def enqueue_email_delivery(ids: list[int]) -> bool:
    """Hand ready e-mails (OutboxEmail ids) to the delivery queue; as enqueue_delivery."""
    return enqueue_delivery(ids, job=DELIVER_EMAILS_JOB, model=OutboxEmail)


def email_enqueue(*, message: EmailMessage, kind: str, on_commit: bool = True) -> OutboxEmail:
    """Put a ready message (an EmailMessage) in the outbox: one row, with the Message-ID every
    attempt will carry, written in the caller's transaction (so a rolled-back change sends
    nothing) and handed to a worker once it commits. Never raises because the mail server or
    the broker is down: the row stays pending and is retried with backoff.

    With on_commit=False the row is handed over at once even inside a transaction (for
    callers that write without one of their own): a worker that comes before the commit finds
    nothing to claim, and the sweep hands the row over again later."""
    row = OutboxEmail.objects.create(kind=kind[:100], **outbox_fields(message))
    row_id = row.id
    if on_commit:
        transaction.on_commit(lambda: enqueue_email_delivery([row_id]), robust=True)
    else:
        enqueue_email_delivery([row_id])
    return row


def emails_enqueue(*, messages: list[EmailMessage], kind: str) -> list[int]:
    """`email_enqueue` for many messages at once (an import's invitations): one insert per
    500 rows, handed to workers in one call once the caller's transaction commits."""
    rows = OutboxEmail.objects.bulk_create(
        [OutboxEmail(kind=kind[:100], **outbox_fields(message)) for message in messages],
        batch_size=500,
    )
    ids = [row.id for row in rows]
    if ids:
        transaction.on_commit(lambda: enqueue_email_delivery(ids), robust=True)
    return ids


def notify(
    *,
    recipient,
    kind: str,
    dedupe_key: str,
    title: Text,
    body: Text = "",
    url: str = "",
    payload: dict | None = None,
    send_email: bool = True,
    scheduled_for: datetime | None = None,
) -> Notification | None:
    """Record a notification for `recipient` once per `dedupe_key` and, once the caller's
    transaction commits, hand its e-mail to a worker.

    Returns the new row, or None when one with that key already exists or the recipient has
    switched this kind off. Safe inside the caller's transaction: a duplicate key rolls back
    only this insert (savepoint). Never raises because the broker is down.

    1. The recipient's preferences decide whether anything is made at all.
    2. Feedback for someone who gathers it joins the open batch (a pending row of the same
       kind not yet due) or opens a new one due after the gathering window.
    3. An e-mail due inside the recipient's quiet hours waits for their end.

    `title` and `body` are given as functions that compose them (`lambda: _("…") % {…}`):
    they are called in the recipient's language, whoever caused the notice.
    """
    prefs = preferences_for(user=recipient)
    if not prefs.wants(kind):
        return None
    with in_language_of(recipient):
        title, body = str(_composed(title)), str(_composed(body))
    now = timezone.now()
    dedupe_key = dedupe_key[:200]
    batch_key = dedupe_key
    when = scheduled_for or now
    gathered = (
        send_email
        and scheduled_for is None
        and kind in GATHERED_KINDS
        and prefs.feedback_mode == FeedbackMode.GATHERED
    )
    if gathered:
        open_batch = (
            Notification.objects.filter(
                recipient=recipient,
                kind=kind,
                send_email=True,
                sent_at__isnull=True,
                claimed_at__isnull=True,
                scheduled_for__gt=now,
            )
            .order_by("scheduled_for")
            .values("batch_key", "scheduled_for")
            .first()
        )
        if open_batch:
            batch_key, when = open_batch["batch_key"], open_batch["scheduled_for"]
        else:
            when = now + timedelta(seconds=settings.NOTIFICATIONS_GATHER_WINDOW)
    if send_email:
        when = quiet_hours_release(when, zone(recipient.timezone), prefs)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                dedupe_key=dedupe_key,
                batch_key=batch_key,
                title=title[:300],
                body=body,
                url=url,
                payload=payload or {},
                send_email=send_email,
                scheduled_for=when,
            )
    except IntegrityError:
        return None
    if send_email:
        countdown = max(0.0, (when - now).total_seconds()) + 1 if when > now else None
        notification_id = notification.id
        transaction.on_commit(
            lambda: enqueue_delivery([notification_id], countdown=countdown), robust=True
        )
    return notification


def notification_withdraw(*, dedupe_key: str) -> bool:
    """Withdraw the notification made under `dedupe_key` when its cause was undone before it
    went out (a milestone reopened, a comment deleted): the row is deleted unless its e-mail
    was sent or a worker has claimed it. Returns whether one was withdrawn. With the row gone,
    the same key may notify again later (done again: one notice, not two)."""
    deleted, _by_model = Notification.objects.filter(
        dedupe_key=dedupe_key[:200], sent_at__isnull=True, claimed_at__isnull=True
    ).delete()
    return bool(deleted)


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notification_mark_all_read(*, user) -> int:
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return count


@transaction.atomic
def preferences_update(
    *,
    user,
    enabled_kinds: list[str],
    digest_weekday: int,
    digest_hour: int,
    feedback_mode: str,
    quiet_hours_start: int | None,
    quiet_hours_end: int | None,
    offered_kinds: list[str] | None = None,
) -> Preferences:
    """Save the settings. `offered_kinds`: the kinds the form offered (those that can reach
    the person in their roles; all by default); a kind not offered keeps its setting."""
    offered = set(Kind.values if offered_kinds is None else offered_kinds)
    prefs, _ = Preferences.objects.select_for_update().get_or_create(user=user)
    kept = {kind for kind in prefs.muted_kinds if kind not in offered}
    muted = sorted(kept | (offered - set(enabled_kinds)))
    prefs.muted_kinds = muted
    prefs.digest_weekday = digest_weekday
    prefs.digest_hour = digest_hour
    prefs.feedback_mode = feedback_mode
    prefs.quiet_hours_start = quiet_hours_start
    prefs.quiet_hours_end = quiet_hours_end
    prefs.updated_at = timezone.now()
    prefs.full_clean(exclude=["user"])
    prefs.save()
    return prefs


@transaction.atomic
def preferences_unsubscribe(*, user, kind: str) -> bool:
    """Switch one kind off; returns False when it already was (a replayed link changes
    nothing). Pending e-mails of that kind are not sent either."""
    if kind not in Kind.values:
        raise ValueError(f"unknown kind {kind!r}")
    prefs, _ = Preferences.objects.select_for_update().get_or_create(user=user)
    if kind in prefs.muted_kinds:
        return False
    prefs.muted_kinds = sorted({*prefs.muted_kinds, kind})
    prefs.updated_at = timezone.now()
    prefs.save(update_fields=["muted_kinds", "updated_at"])
    Notification.objects.filter(
        recipient=user, kind=kind, sent_at__isnull=True, claimed_at__isnull=True
    ).update(send_email=False, last_error="unsubscribed")
    return True


def notifications_settle(*, recipient, kind: str, dedupe_prefix: str, where=None) -> int:
    """The person has seen what some notifications tell of (a conversation read on its own
    page): those whose e-mail has not gone out and no worker holds are withdrawn, the others
    marked read in the inbox. `where` (a Q) narrows the rows further. Returns how many were
    withdrawn."""
    rows = Notification.objects.filter(
        recipient=recipient, kind=kind, dedupe_key__startswith=dedupe_prefix[:200]
    )
    if where is not None:
        rows = rows.filter(where)
    withdrawn, _by_model = rows.filter(
        send_email=True, sent_at__isnull=True, claimed_at__isnull=True
    ).delete()
    rows.filter(read_at__isnull=True).update(read_at=timezone.now())
    return withdrawn
