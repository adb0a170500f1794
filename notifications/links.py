"""Where a notification points. Other apps own the pages; a name that does not resolve (a
page not built yet, a renamed route) falls back to the dashboard rather than failing the
dispatcher."""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse

PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


@lru_cache(maxsize=64)
def _template(name: str, nargs: int, fallback: str) -> str:
    """The path of `name` with placeholders for its arguments, reversed once: digests for
    thousands of people link to thousands of objects, and reversing each is measurable."""
    try:
        return reverse(name, args=[PLACEHOLDER] * nargs)
    except NoReverseMatch:
        return reverse(fallback)


@receiver(setting_changed)
def _forget_templates(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _template.cache_clear()


def path_to(name: str, *args, fallback: str = "home") -> str:
    path = _template(name, len(args), fallback)
    for arg in args:
        path = path.replace(PLACEHOLDER, str(arg), 1)
    return path


def absolute(path: str) -> str:
    """An absolute link from SITE_URL; e-mails never carry relative links."""
    if path.startswith(("http://", "https://")):
        return path
    if not path.startswith("/"):
        path = "/" + path
    return settings.SITE_URL + path


def goal_path(goal_uuid) -> str:
    return path_to("goals:goal_detail", goal_uuid)


def goal_dates_path(goal_uuid) -> str:
    """Where the mentee moves a goal's dates (its target date): the goal's form, which only
    she may change (goals.policy); her mentor agrees the new date with her, not for her."""
    return path_to("goals:goal_edit", goal_uuid) + "#id_target_date"


def pairing_path(pairing_uuid) -> str:
    return path_to("mentorship:pairing_detail", pairing_uuid)


def program_path(program_uuid) -> str:
    return path_to("mentorship:program_dashboard", program_uuid)


def mentor_dashboard_path() -> str:
    return path_to("goals:mentor_dashboard")


def mentee_dashboard_path() -> str:
    return path_to("goals:mentee_dashboard")
