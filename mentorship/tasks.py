"""Background work of the mentoring domain. Tasks take ids and call a service; services
enqueue them by name through core.jobs (registered in mentorship.apps)."""

import logging

from celery import shared_task
from django.utils.translation import gettext as _

from . import meetings, selectors, services

logger = logging.getLogger(__name__)


@shared_task(name="mentorship.tasks.notify_imported_pairings", ignore_result=True, acks_late=True)
def notify_imported_pairings(batch: str, pairing_ids: list[int]) -> int:
    """Tell the people of pairings created by one CSV import; idempotent per `batch`."""
    pairings = selectors.pairings_with_people(pairing_ids)
    if pairings:
        services.pairings_imported_notify(
            program=pairings[0].program, pairings=pairings, batch=batch
        )
    return len(pairings)


@shared_task(name="mentorship.tasks.import_run_process", ignore_result=True, acks_late=True)
def import_run_process(run_id: int) -> str:
    """Work through a background CSV import; safe to run again or twice at once (each batch
    commits with the run's count of batches done). An unexpected error marks the run failed
    after the batches already committed."""
    try:
        run = services.import_run_process(run_id=run_id)
    except Exception:
        logger.exception("CSV import run %s stopped", run_id)
        services.import_run_fail(
            run_id=run_id,
            error=_("An unexpected error stopped the import; the rows counted as done are saved."),
        )
        return "failed"
    return run.status if run else "gone"


@shared_task(name="mentorship.tasks.import_runs_sweep", ignore_result=True)
def import_runs_sweep() -> int:
    """Beat: CSV import runs whose job was lost are handed to the broker again."""
    return services.import_runs_resume_stale()


@shared_task(name="mentorship.tasks.mentor_requests_lapse", ignore_result=True)
def mentor_requests_lapse() -> int:
    """Beat: requests for a mentor left unanswered past their time lapse; each mentee is told
    once (safe to run again, or twice at once)."""
    return services.mentor_requests_lapse_expired()


@shared_task(
    name="mentorship.tasks.meetings_cancel_for_closed_pairing", ignore_result=True, acks_late=True
)
def meetings_cancel_for_closed_pairing(pairing_id: int) -> int:
    """A pairing completed or ended: its meetings to come are cancelled (and leave both
    calendars); idempotent."""
    return meetings.meetings_cancel_for_closed_pairing(pairing_id=pairing_id)
