"""One dispatcher pass and delivery, for deployments that run cron instead of Celery beat:

*/5 * * * *  cd /srv/app && .venv/bin/python manage.py send_due_notifications
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications import delivery, dispatch


class Command(BaseCommand):
    help = (
        "Create the reminders and digests that are due and send pending e-mails. Safe to run "
        "twice or in parallel: rows are unique per (kind, subject, period) and each e-mail is "
        "claimed before it is sent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-send",
            action="store_true",
            help="Only create the notifications; leave sending to the Celery workers.",
        )

    def handle(self, *args, no_send: bool = False, **options):
        now = timezone.now()
        result = dispatch.dispatch(now, enqueue=False)
        created = sum(result.created.values())
        sent = retry = 0
        if not no_send:
            # Delivered here, in this process, over one SMTP connection per chunk; no broker
            # needed. Rows that fail stay pending with a backoff for the next run.
            ids = delivery.pending_ids(now=timezone.now())
            for start in range(0, len(ids), dispatch.DELIVERY_CHUNK):
                outcome = delivery.deliver(ids[start : start + dispatch.DELIVERY_CHUNK])
                sent += outcome.sent
                retry += len(outcome.retry_ids)
                if outcome.retry_ids:
                    break  # the mail server is unwell; the next run tries again
            else:
                ids = delivery.pending_email_ids(now=timezone.now())
                for start in range(0, len(ids), dispatch.DELIVERY_CHUNK):
                    outcome = delivery.deliver_emails(ids[start : start + dispatch.DELIVERY_CHUNK])
                    sent += outcome.sent
                    retry += len(outcome.retry_ids)
                    if outcome.retry_ids:
                        break
        detail = ", ".join(f"{kind}: {n}" for kind, n in result.as_dict()["created"].items())
        self.stdout.write(
            f"created {created} notification(s){f' ({detail})' if detail else ''}, "
            f"sent {sent}, waiting for retry {retry}"
        )
