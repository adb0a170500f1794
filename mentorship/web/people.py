"""A person's page: their profile card, for those mentorship.policy lets see it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors import profile_card

from .. import policy


@login_required
@require_GET
def person_profile(request, user_uuid):
    """404 for anyone outside the person's relationships (policy.profile_visible)."""
    person = policy.person_for_profile(request.viewer, user_uuid)
    return render(
        request,
        "mentorship/person.html",
        {"card": profile_card(person), "is_self": person.pk == request.user.pk},
    )
