"""URLs reversed once per process: pages that show many links (a row per goal, the
navigation on every page) ask here instead of calling reverse() each time.

The script prefix is part of every key (reverse() prepends it), and the caches are emptied
when the URLconf setting changes (tests)."""

from functools import cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@cache
def _plain(name: str, script_prefix: str, urlconf) -> str:
    return reverse(name, urlconf=urlconf)


@cache
def _parts(name: str, script_prefix: str, urlconf) -> tuple[str, str]:
    head, _, tail = reverse(name, args=[_PLACEHOLDER], urlconf=urlconf).partition(_PLACEHOLDER)
    return head, tail


def url(name: str) -> str:
    """reverse(name) for a pattern without arguments."""
    return _plain(name, get_script_prefix(), get_urlconf())


def url_of(name: str, uuid, suffix: str = "") -> str:
    """reverse(name, args=[uuid]) + suffix, for a pattern whose one argument is a UUID."""
    head, tail = _parts(name, get_script_prefix(), get_urlconf())
    return f"{head}{uuid}{tail}{suffix}"


@receiver(setting_changed)
def _urlconf_changed(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _plain.cache_clear()
        _parts.cache_clear()
