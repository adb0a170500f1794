"""Celery tasks: interfaces that take ids and call the services. Routed to the "dispatch" and
"delivery" queues (CELERY_TASK_ROUTES in settings)."""

import logging

from celery import shared_task

from . import delivery, dispatch

logger = logging.getLogger(__name__)


@shared_task(name="notifications.tasks.dispatch_due", ignore_result=True)
def dispatch_due() -> dict:
    """One dispatcher pass: create what is due, enqueue what is pending."""
    result = dispatch.dispatch()
    return result.as_dict()


@shared_task(
    bind=True,
    name="notifications.tasks.deliver",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the rows' own attempt count (NOTIFICATIONS_MAX_ATTEMPTS) limits tries
)
def deliver(self, ids: list[int]) -> dict:
    """Send the e-mails of these notification ids; retry SMTP and connection errors with
    exponential backoff (delivery.backoff_seconds, capped below the visibility timeout)."""
    result = delivery.deliver(ids)
    if result.retry_ids and not self.request.is_eager:
        # Eager mode (no broker) would retry at once, inside the web request: leave the rows
        # pending instead; the next dispatcher pass picks them up after their backoff.
        raise self.retry(args=[result.retry_ids], countdown=result.retry_in)
    return {"sent": result.sent, "skipped": result.skipped, "retry": len(result.retry_ids)}


@shared_task(name="notifications.tasks.sweep", ignore_result=True)
def sweep() -> dict:
    """Hand over again every pending e-mail whose task was never made or was lost (Redis came
    back empty, a worker died): run by beat every 30 seconds, so a lost e-mail goes out within
    two minutes. Sending nothing twice is the claim's business."""
    return dispatch.enqueue_all_pending()


@shared_task(
    bind=True,
    name="notifications.tasks.deliver_emails",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
)
def deliver_emails(self, ids: list[int]) -> dict:
    """Send these ready e-mails (OutboxEmail ids); retries as `deliver`."""
    result = delivery.deliver_emails(ids)
    if result.retry_ids and not self.request.is_eager:
        raise self.retry(args=[result.retry_ids], countdown=result.retry_in)
    return {"sent": result.sent, "skipped": result.skipped, "retry": len(result.retry_ids)}
