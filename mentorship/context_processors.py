from django.conf import settings
from django.utils.functional import SimpleLazyObject


def roles_for(user) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    from .models import Membership

    return frozenset(
        Membership.objects.filter(user=user, program__is_active=True)
        .values_list("role", flat=True)
        .distinct()
    )


def site(request):
    """Site name, and the roles the signed-in user holds (one query, only when a template
    asks), so the navigation shows each person what their roles give them."""
    user = getattr(request, "user", None)
    roles = SimpleLazyObject(lambda: roles_for(user)) if user is not None else frozenset()
    return {"SITE_NAME": settings.SITE_NAME, "user_roles": roles}
