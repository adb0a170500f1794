"""The two answers every policy module gives: 404 for an object a person may not know
exists, 403 for one they may see but not change."""

from django.core.exceptions import PermissionDenied
from django.http import Http404


def require(allowed: bool) -> None:
    """403 unless `allowed`; asked after the object was found visible."""
    if not allowed:
        raise PermissionDenied


def require_found(found: bool) -> None:
    """404 unless `found`: the object does not exist for this person."""
    if not found:
        raise Http404
