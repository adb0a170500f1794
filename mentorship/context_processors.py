from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import pagecache


def roles_for(user) -> frozenset[str]:
    """The roles `user` holds in active programs, read once per request and kept on the
    user object (the home view and the navigation both ask)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_mentorship_roles", None)
    if cached is None:
        from .models import Membership

        # order_by(): without it the model's default ordering joins program and user and
        # makes DISTINCT run over those columns too.
        cached = frozenset(
            Membership.objects.filter(user=user, program__is_active=True)
            .order_by()
            .values_list("role", flat=True)
            .distinct()
        )
        user._mentorship_roles = cached
    return cached


def site(request):
    """Site name, and the roles the signed-in user holds (one query, only when a template
    asks), so the navigation shows each person what their roles give them."""
    user = getattr(request, "user", None)
    roles = SimpleLazyObject(lambda: roles_for(user)) if user is not None else frozenset()
    return {
        "SITE_NAME": settings.SITE_NAME,
        "user_roles": roles,
        # A page rendered for the page cache carries a placeholder instead of a CSRF token.
        **pagecache.csrf_context(request),
    }
