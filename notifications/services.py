"""Creating notifications. Every part of the product that tells someone something calls
`notify`; delivery (e-mail, in-app inbox) is this app's business."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification


def notify(
    *,
    recipient,
    kind: str,
    dedupe_key: str,
    title: str,
    body: str = "",
    url: str = "",
    payload: dict | None = None,
    send_email: bool = True,
    scheduled_for: datetime | None = None,
) -> Notification | None:
    """Record a notification for `recipient` once per `dedupe_key`.

    Returns the new row, or None when one with that key already exists. Safe inside the
    caller's transaction: a duplicate key rolls back only this insert (savepoint).
    """
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                dedupe_key=dedupe_key[:200],
                title=title[:300],
                body=body,
                url=url,
                payload=payload or {},
                send_email=send_email,
                scheduled_for=scheduled_for or timezone.now(),
            )
    except IntegrityError:
        return None
    return notification
