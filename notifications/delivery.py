"""Sending notification e-mails: claim, send, mark sent.

Safe when the same ids reach two workers, when a worker dies half-way, and when the SMTP
server is away: a row is only sent by the task that claimed it with a conditional UPDATE
(healthchecks' habit), is marked sent right after the server accepted it, and a failed row
is released with a later `scheduled_for` so nothing tries it again before its backoff ends.
"""

import logging
import random
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import F, Q
from django.utils import timezone

from .email import build_notification_email, outbox_message
from .models import Notification, OutboxEmail
from .selectors import preferences_for_users

logger = logging.getLogger(__name__)

# Worth trying again later: the server is down, slow, or said "try later".
TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)
# The server refused this address or this message for good: retrying will not help.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused,)


@dataclass
class DeliveryResult:
    sent: int = 0
    skipped: int = 0
    failed_permanently: int = 0
    # Set when a transient error stopped the batch: retry these ids after `retry_in` seconds.
    retry_ids: list[int] = field(default_factory=list)
    retry_in: int = 0
    error: str = ""


def max_countdown() -> int:
    """The longest a delivery may be put off: the backoff's cap, and below the broker's
    visibility timeout (a longer countdown would let Redis hand the task to a second worker
    while the first still holds it)."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    return max(1, min(settings.NOTIFICATIONS_RETRY_BACKOFF_MAX, visibility - 60))


def backoff_seconds(attempt: int) -> int:
    """Exponential backoff with full jitter on the upper half: base * 2**(attempt-1), capped
    by `max_countdown()`."""
    base = settings.NOTIFICATIONS_RETRY_BACKOFF_BASE
    cap = max_countdown()
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    return max(1, min(cap, int(delay / 2 + random.uniform(0, delay / 2))))


def claimable(now: datetime) -> Q:
    lease = timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE)
    return Q(
        sent_at__isnull=True,
        send_email=True,
        scheduled_for__lte=now,
        attempts__lt=settings.NOTIFICATIONS_MAX_ATTEMPTS,
    ) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease))


def claim(ids: list[int], *, now: datetime) -> uuid.UUID:
    """Claim the claimable rows among `ids` and their batch companions in one conditional
    UPDATE; only rows carrying the returned token belong to this caller."""
    token = uuid.uuid4()
    batch_keys = Notification.objects.filter(id__in=ids, sent_at__isnull=True).values("batch_key")
    Notification.objects.filter(Q(id__in=ids) | Q(batch_key__in=batch_keys)).filter(
        claimable(now)
    ).update(claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
    return token


def _release(
    token: uuid.UUID, *, error: str, retry_at: datetime | None, model=Notification
) -> list[int]:
    rows = model.objects.filter(claim_token=token, sent_at__isnull=True)
    ids = list(rows.values_list("id", flat=True))
    changes = {"claim_token": None, "claimed_at": None, "last_error": error[:2000]}
    if retry_at is not None:
        changes["scheduled_for"] = retry_at
    rows.update(**changes)
    return ids


def deliver(ids: list[int], *, connection=None) -> DeliveryResult:
    """Send the e-mails of `ids` over one SMTP connection.

    1. Claim the rows (and rows gathered with them) with one conditional UPDATE.
    2. Load what was claimed, with recipients and their preferences (two queries).
    3. Group by batch key; each group is one message. Open one connection for all.
    4. After each message the server accepted, mark its rows sent (so a crash resends at
       most the message in flight, with the same Message-ID).
    5. On a transient error release the rest with a later `scheduled_for` and report them
       for a retry; a permanent error ends that row's attempts.
    """
    result = DeliveryResult()
    now = timezone.now()
    token = claim(ids, now=now)
    rows = list(
        Notification.objects.filter(claim_token=token)
        .select_related("recipient")
        .order_by("scheduled_for", "id")
    )
    if not rows:
        result.skipped = len(ids)
        return result

    prefs = preferences_for_users(user_ids={row.recipient_id for row in rows})
    groups: dict[str, list[Notification]] = defaultdict(list)
    unwanted: list[int] = []
    for row in rows:
        recipient = row.recipient
        if (
            not recipient.is_active
            or not recipient.email
            or not prefs[row.recipient_id].wants(row.kind)
        ):
            unwanted.append(row.id)
            continue
        groups[row.batch_key or row.dedupe_key].append(row)
    if unwanted:
        Notification.objects.filter(id__in=unwanted).update(
            send_email=False, claim_token=None, last_error="recipient does not want it"
        )
        result.skipped += len(unwanted)

    connection = connection or get_connection()
    try:
        connection.open()
        for group in groups.values():
            group_ids = [row.id for row in group]
            try:
                message = build_notification_email(group)
                connection.send_messages([message])
            except PERMANENT_ERRORS as exc:
                Notification.objects.filter(id__in=group_ids).update(
                    claim_token=None,
                    last_error=f"{type(exc).__name__}: {exc}"[:2000],
                    attempts=settings.NOTIFICATIONS_MAX_ATTEMPTS,
                )
                result.failed_permanently += len(group_ids)
                continue
            Notification.objects.filter(id__in=group_ids, claim_token=token).update(
                sent_at=timezone.now(), claim_token=None, last_error=""
            )
            result.sent += len(group_ids)
    except TRANSIENT_ERRORS as exc:
        attempt = max(row.attempts for row in rows)  # this try, already counted by the claim
        result.retry_in = backoff_seconds(attempt)
        result.error = f"{type(exc).__name__}: {exc}"
        result.retry_ids = _release(
            token, error=result.error, retry_at=timezone.now() + timedelta(seconds=result.retry_in)
        )
        logger.warning(
            "Delivery of %d notification(s) failed (%s); retrying in %ss",
            len(result.retry_ids),
            result.error,
            result.retry_in,
        )
    except BaseException:
        # A bug or the task's time limit: give the rows back at once for the next pass.
        _release(token, error="interrupted", retry_at=None)
        raise
    finally:
        try:
            connection.close()
        except Exception:  # closing a dead connection must not hide the real outcome
            logger.debug("Closing the SMTP connection failed", exc_info=True)
    return result


def _lost(now: datetime) -> Q:
    """Rows whose task was never made or is gone: never handed to the broker; claimed by a
    worker that died (the claim expired); or handed over and still unclaimed
    NOTIFICATIONS_REQUEUE_AFTER seconds (never more than the claim lease) after both the
    hand-over and the row's due time (Redis came back empty, say). Handing such a row over
    again is safe: only the task whose conditional UPDATE claims it sends it."""
    lease = timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE)
    wait = timedelta(
        seconds=min(settings.NOTIFICATIONS_REQUEUE_AFTER, settings.NOTIFICATIONS_CLAIM_LEASE)
    )
    return (
        Q(queued_at__isnull=True)
        | Q(claimed_at__lt=now - lease)
        | Q(queued_at__lt=now - wait, scheduled_for__lt=now - wait)
    )


def pending_ids(*, now: datetime, limit: int = 5000) -> list[int]:
    """Rows due for sending that no worker holds (or whose claim expired) and whose task was
    never made or is lost. Rows handed to the broker a moment ago are left alone."""
    return list(
        Notification.objects.filter(claimable(now))
        .filter(_lost(now))
        .order_by("scheduled_for", "id")
        .values_list("id", flat=True)[:limit]
    )


# --- Ready e-mails (OutboxEmail) ---------------------------------------------------------------


def email_claimable(now: datetime) -> Q:
    lease = timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE)
    return Q(
        sent_at__isnull=True,
        scheduled_for__lte=now,
        attempts__lt=settings.NOTIFICATIONS_MAX_ATTEMPTS,
    ) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease))


def pending_email_ids(*, now: datetime, limit: int = 5000) -> list[int]:
    """Ready e-mails due for sending whose task was never made or is lost (as pending_ids)."""
    return list(
        OutboxEmail.objects.filter(email_claimable(now))
        .filter(_lost(now))
        .order_by("scheduled_for", "id")
        .values_list("id", flat=True)[:limit]
    )


def deliver_emails(ids: list[int], *, connection=None) -> DeliveryResult:
    """Send the ready e-mails of `ids` over one SMTP connection, with the rules of `deliver`:
    claim with one conditional UPDATE, mark each sent right after the server accepted it
    (emptying its bodies), release the rest with a backoff on a transient error."""
    result = DeliveryResult()
    now = timezone.now()
    token = uuid.uuid4()
    OutboxEmail.objects.filter(id__in=ids).filter(email_claimable(now)).update(
        claim_token=token, claimed_at=now, attempts=F("attempts") + 1
    )
    rows = list(OutboxEmail.objects.filter(claim_token=token).order_by("scheduled_for", "id"))
    if not rows:
        result.skipped = len(ids)
        return result
    connection = connection or get_connection()
    try:
        connection.open()
        for row in rows:
            try:
                connection.send_messages([outbox_message(row)])
            except PERMANENT_ERRORS as exc:
                OutboxEmail.objects.filter(id=row.id).update(
                    claim_token=None,
                    last_error=f"{type(exc).__name__}: {exc}"[:2000],
                    attempts=settings.NOTIFICATIONS_MAX_ATTEMPTS,
                )
                result.failed_permanently += 1
                continue
            OutboxEmail.objects.filter(id=row.id, claim_token=token).update(
                sent_at=timezone.now(),
                claim_token=None,
                last_error="",
                body="",
                alternatives=[],
                attachments=[],
            )
            result.sent += 1
    except TRANSIENT_ERRORS as exc:
        attempt = max(row.attempts for row in rows)
        result.retry_in = backoff_seconds(attempt)
        result.error = f"{type(exc).__name__}: {exc}"
        result.retry_ids = _release(
            token,
            error=result.error,
            retry_at=timezone.now() + timedelta(seconds=result.retry_in),
            model=OutboxEmail,
        )
        logger.warning(
            "Delivery of %d e-mail(s) failed (%s); retrying in %ss",
            len(result.retry_ids),
            result.error,
            result.retry_in,
        )
    except BaseException:
        _release(token, error="interrupted", retry_at=None, model=OutboxEmail)
        raise
    finally:
        try:
            connection.close()
        except Exception:
            logger.debug("Closing the SMTP connection failed", exc_info=True)
    return result
