"""One rule for a create that is sent twice (a reloaded page, a re-posted form, a client's
retry): the same person making the same thing again within DUPLICATE_WINDOW gets the first
one back instead of a second. Services of every app ask `recent_twin`."""

from datetime import timedelta

from django.utils import timezone

DUPLICATE_WINDOW = timedelta(seconds=10)


def recent_twin(queryset, **same):
    """The newest row of `queryset` (filtered by `same`) created within DUPLICATE_WINDOW, or
    None."""
    since = timezone.now() - DUPLICATE_WINDOW
    return queryset.filter(created_at__gte=since, **same).order_by("-created_at", "-pk").first()
