"""Background work of the mentoring domain. Tasks take ids and call a service; services
enqueue them by name through core.jobs (registered in mentorship.apps)."""

from celery import shared_task

from . import selectors, services


@shared_task(name="mentorship.tasks.notify_imported_pairings", ignore_result=True, acks_late=True)
def notify_imported_pairings(batch: str, pairing_ids: list[int]) -> int:
    """Tell the people of pairings created by one CSV import; idempotent per `batch`."""
    pairings = selectors.pairings_with_people(pairing_ids)
    if pairings:
        services.pairings_imported_notify(
            program=pairings[0].program, pairings=pairings, batch=batch
        )
    return len(pairings)
