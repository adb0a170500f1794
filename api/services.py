"""Writes of the api app: personal API tokens, calendar feed addresses, account deletion."""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorship.services import pairings_end_for_deleted_account

from .models import ApiToken, CalendarFeed, hash_secret

MAX_ACTIVE_TOKENS = 20


@dataclass(frozen=True)
class NewSecret:
    """A freshly made secret: the row, and the secret itself, which is never stored."""

    obj: ApiToken | CalendarFeed
    secret: str


@transaction.atomic
def api_token_create(*, user, name: str) -> NewSecret:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, so you know where it is used.")})
    if len(name) > 100:
        raise ValidationError({"name": _("Keep the name under 100 characters.")})
    active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    if active.count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            {"name": _("You have %(n)d active tokens; revoke one first.") % {"n": active.count()}}
        )
    prefix = secrets.token_hex(6)
    raw = f"mgt_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, token_hash=hash_secret(raw)
    )
    return NewSecret(obj=token, secret=raw)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    if token.user_id != by.pk:
        raise ValidationError(_("You can only revoke your own tokens."))
    # Conditional update: revoking twice keeps the first time.
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


@transaction.atomic
def calendar_feed_rotate(*, user) -> NewSecret:
    """Revoke the user's current feed address (if any) and make a new one."""
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    raw = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, token_hash=hash_secret(raw))
    return NewSecret(obj=feed, secret=raw)


@transaction.atomic
def calendar_feed_revoke(*, user) -> int:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def account_delete(*, user, password: str) -> None:
    """Delete the account after checking its password.

    The user's goals (with their milestones, updates and comments), memberships,
    notifications, tokens and feeds go with it through the foreign keys' cascades. What is
    another person's history too stays, with no author: pages show "a deleted user". That is
    their pairings (ended first, if open) with the agreements, meetings and feedback, and
    comments and updates on other people's goals.
    """
    if not password or not user.check_password(password):
        raise ValidationError({"password": _("That is not your password.")})
    pairings_end_for_deleted_account(user=user)
    get_user_model().objects.filter(pk=user.pk).delete()
