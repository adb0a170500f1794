"""Writes to accounts. allauth owns sign-up, e-mail and password changes; the profile is ours."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import User
from .timezones import is_valid_timezone


@transaction.atomic
def user_update_profile(*, user: User, name: str, timezone: str) -> User:
    """Set the name and IANA time zone a person goes by; an unknown zone changes nothing."""
    if not is_valid_timezone(timezone):
        raise ValidationError({"timezone": f"{timezone!r} is not a known time zone."})
    user.name = name.strip()
    user.timezone = timezone
    user.save(update_fields=["name", "timezone"])
    return user
