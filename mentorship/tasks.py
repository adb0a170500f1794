"""Background work of the mentoring domain. Tasks take ids and call a service."""

from celery import shared_task


@shared_task(name="mentorship.tasks.notify_imported_pairings", ignore_result=True, acks_late=True)
def notify_imported_pairings(batch: str, pairing_ids: list[int]) -> int:
    """Tell the people of pairings created by one CSV import; idempotent per `batch`."""
    from . import services
    from .models import Pairing

    pairings = list(
        Pairing.objects.filter(pk__in=pairing_ids)
        .select_related("program", "mentor", "mentee")
        .order_by("pk")
    )
    if pairings:
        services.pairings_imported_notify(
            program=pairings[0].program, pairings=pairings, batch=batch
        )
    return len(pairings)
