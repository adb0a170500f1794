"""Signed one-click unsubscribe links: one per (person, kind), valid without logging in."""

from django.core import signing
from django.urls import reverse

from .kinds import Kind
from .links import absolute

SALT = "notifications.unsubscribe"
# Mail sits in inboxes for months; the link must still work when someone finally clicks it.
MAX_AGE = 60 * 60 * 24 * 365


def make_token(*, user, kind: str) -> str:
    return signing.dumps({"u": str(user.uuid), "k": kind}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[str, str] | None:
    """(user uuid, kind) from a valid token, or None when it was altered, expired or names a
    kind that does not exist."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_uuid, kind = data.get("u"), data.get("k")
    if not isinstance(user_uuid, str) or kind not in Kind.values:
        return None
    return user_uuid, kind


def unsubscribe_url(*, user, kind: str) -> str:
    return absolute(reverse("notifications:unsubscribe", args=[make_token(user=user, kind=kind)]))
