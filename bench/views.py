"""A straightforward signed-in Django page: the session, the user, one list of 20 rows of a
simple model and one count, rendered through a plain template with one {% url %} per row.
What any page of the site could cost at least; the benchmark reports the site's pages
beside it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from goals.models import ProgressUpdate


@login_required
def plain(request):
    own = ProgressUpdate.objects.filter(author=request.user)
    updates = (
        own.select_related("goal")
        .only("uuid", "note", "confidence", "created_at", "goal__uuid", "goal__title")
        .order_by("-created_at", "-id")[:20]
    )
    return render(request, "bench/plain.html", {"updates": updates, "total": own.count()})
