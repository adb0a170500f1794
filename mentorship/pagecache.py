"""Whole pages cached per viewer, served until something they show changes.

The dashboards, the goal page, the review queue and the program dashboard cost tens of
milliseconds to render and are read far more often than the data under them changes. A view
decorated with `per_viewer` is rendered once per viewer and then served from the cache.

Validity, not expiry, keeps a cached page right. Each entry carries the stamp it was rendered
under, and it is served only while the stamp still matches:

- the viewer's *generation*, a random token that is replaced whenever anything the viewer can
  see changes (see "Invalidation" below);
- the *epoch*, one token for the whole site, replaced after migrations and bulk loads;
- the viewer's local date, because "overdue", "due in 3 days" and progress against the plan
  change at midnight without any write.

The page key holds the viewer, the path with its query string, the language and whether the
request came from htmx, so nobody is ever served anyone else's page.

Invalidation: a change to a watched model (`WATCHED` below) names the people or programs it
is about; `mentorship.policy.audience` turns them into everyone who may see it (the person,
everyone paired with them, their programs' admins) and their generations are replaced. This
happens twice: at once, so that a page read later in the same transaction is rendered afresh,
and again after the commit, so that a page another request rendered from the data as it was
before the commit is not served afterwards. Signals cover `save()`, `delete()` (cascades
included) and the Django admin; code that writes with `QuerySet.update()` or `bulk_*`, which
send no signals, calls `touch()` itself. Migrations and demo data replace the epoch.

A generation is read before the page's data and replaced after a write commits, so an entry
that carries the current generation was rendered from data at least as new as the last
change. Entries also expire after PAGE_CACHE_SECONDS, which bounds anything time-based that
is finer than a day (an invitation that expires at 14:32 shows as pending until then).

What a cached page must not hold, it does not hold:

- CSRF tokens: the page is rendered with a placeholder that is replaced by the viewer's
  current token on every response, so a token rotated at login still works.
- Flash messages: a request with messages waiting is rendered and not cached, and so is a
  response that queued one.

With PAGE_CACHE_VERIFY on (the test suite), every hit is rendered again and compared with the
cached copy; a difference raises `StalePage`, so a write path that forgets to invalidate fails
whichever test reads the page after it.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

logger = logging.getLogger(__name__)

CSRF_PLACEHOLDER = "pagecache-csrf-token-placeholder"
EPOCH_KEY = "pagecache:epoch"
# A lost generation only costs one render; a week keeps the keys of people who stopped
# coming from living for ever.
GENERATION_TTL = 7 * 24 * 3600


class StalePage(AssertionError):
    """A cached page differs from a fresh render of the same request (verify mode only)."""


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def _generation_key(user_id) -> str:
    return f"pagecache:gen:{user_id}"


def _new_token() -> str:
    return uuid.uuid4().hex


# --- Serving --------------------------------------------------------------------------------


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _page_key(request, user_id, extra: str = "") -> str:
    variant = "|".join(
        (
            request.get_full_path(),
            getattr(request, "LANGUAGE_CODE", ""),
            "htmx" if request.headers.get("HX-Request") else "",
            extra,
        )
    )
    digest = hashlib.md5(variant.encode(), usedforsecurity=False).hexdigest()
    return f"pagecache:page:{user_id}:{digest}"


def _current(key: str, found: dict) -> str:
    """The token under `key`, creating it if it is missing."""
    token = found.get(key)
    if token is None:
        token = _new_token()
        if not cache.add(key, token, GENERATION_TTL):
            token = cache.get(key) or token
    return token


def _storable(request, response) -> bool:
    storage = getattr(request, "_messages", None)
    queued = getattr(storage, "_queued_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not queued
    )


def _finish(request, response):
    """Put the viewer's CSRF token where the placeholder is."""
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder in response.content:
        response.content = response.content.replace(placeholder, get_token(request).encode())
    return response


def serve(request, *, user, render, variant: str = ""):
    """The response `render()` would make for `user`, from the cache while it is valid.
    `render` returns a rendered response; `variant` adds whatever else the response depends
    on to the key (the path, query string, language and htmx are always in it)."""
    generation_key = _generation_key(user.pk)
    page_key = _page_key(request, user.pk, variant)
    found = cache.get_many([EPOCH_KEY, generation_key, page_key])
    stamp = (
        _current(EPOCH_KEY, found),
        _current(generation_key, found),
        timezone.localdate().isoformat(),
    )
    entry = found.get(page_key)
    if entry is not None and entry[0] == stamp:
        if settings.PAGE_CACHE_VERIFY:
            _verify(request, render, entry)
        return _finish(request, HttpResponse(entry[1], content_type=entry[2]))
    response = _rendered(request, render)
    if _storable(request, response):
        cache.set(
            page_key,
            (stamp, response.content, response["Content-Type"]),
            settings.PAGE_CACHE_SECONDS,
        )
    return _finish(request, response)


def _rendered(request, render):
    request._pagecache_rendering = True
    try:
        response = render()
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
    finally:
        request._pagecache_rendering = False
    return response


def per_viewer(view):
    """Cache the view's GET responses per signed-in viewer (see the module docstring)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            request.method != "GET"
            or not enabled()
            or not request.user.is_authenticated
            or _has_messages(request)
        ):
            return view(request, *args, **kwargs)
        return serve(request, user=request.user, render=lambda: view(request, *args, **kwargs))

    wrapper.page_cached = True
    return wrapper


def _verify(request, render, entry) -> None:
    fresh = _rendered(request, render)
    if fresh.status_code != 200 or fresh.content != entry[1]:
        import difflib

        diff = "\n".join(
            difflib.unified_diff(
                entry[1].decode(errors="replace").splitlines(),
                fresh.content.decode(errors="replace").splitlines(),
                "cached",
                f"fresh (status {fresh.status_code})",
                lineterm="",
                n=1,
            )
        )
        raise StalePage(f"{request.get_full_path()} served a stale page:\n{diff[:4000]}")


def csrf_context(request) -> dict:
    """For the context processor: while a cacheable page renders, its CSRF token is the
    placeholder that `_finish` replaces."""
    if getattr(request, "_pagecache_rendering", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


# --- Invalidation ---------------------------------------------------------------------------


@dataclass
class Subjects:
    """What a change is about. `users` are told exactly; the rest are widened by
    `policy.audience` to everyone who may see them."""

    users: set = field(default_factory=set)
    people: set = field(default_factory=set)
    programs: set = field(default_factory=set)
    program_admins: set = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.users or self.people or self.programs or self.program_admins)

    def viewers(self) -> set:
        from .policy import audience

        found = set(self.users)
        if self.people or self.programs or self.program_admins:
            found |= audience(
                people=self.people, programs=self.programs, program_admins=self.program_admins
            )
        found.discard(None)
        return found


def _replace_generations(user_ids) -> None:
    if user_ids:
        cache.set_many({_generation_key(pk): _new_token() for pk in user_ids}, GENERATION_TTL)


def touch(*, users=(), people=(), programs=(), program_admins=()) -> None:
    """Invalidate the cached pages of everyone who may see these people or programs (or, for
    `users`, of exactly these users). For writes that send no signals."""
    if not enabled():
        return
    subjects = Subjects(set(users), set(people), set(programs), set(program_admins))
    _invalidate(subjects)


def touch_goal(goal) -> None:
    """`touch` for a change to `goal` (or to rows under it) written without signals."""
    if enabled():
        _invalidate(_goal_subjects(goal.pk, goal))


def touch_everything() -> None:
    """Invalidate every cached page (after migrations and bulk loads)."""
    if enabled():
        _now_and_after_commit(lambda: cache.set(EPOCH_KEY, _new_token(), GENERATION_TTL))


def _invalidate(subjects: Subjects) -> None:
    if subjects:
        viewers = subjects.viewers()
        _now_and_after_commit(lambda: _replace_generations(viewers))


def _now_and_after_commit(replace) -> None:
    """Now, for reads later in this transaction; again after the commit, for a request that
    read the old data while it was being committed."""
    replace()
    if connection.in_atomic_block:
        transaction.on_commit(replace)


# What each watched model's rows are about. A model of ours that is not here is listed in
# UNWATCHED with the reason; tests/site/test_pagecache.py fails on a model in neither.


def _goal_subjects(goal_id, goal=None) -> Subjects:
    from goals.models import Goal

    if goal is None:
        row = Goal.objects.filter(pk=goal_id).values_list("mentee_id", "program_id").first()
        if row is None:
            return Subjects()
        mentee_id, program_id = row
    else:
        mentee_id, program_id = goal.mentee_id, goal.program_id
    return Subjects(people={mentee_id}, program_admins={program_id})


def _under_goal(instance) -> Subjects:
    field = type(instance)._meta.get_field("goal")
    goal = field.get_cached_value(instance, None) if field.is_cached(instance) else None
    return _goal_subjects(instance.goal_id, goal)


def _pairing_subjects(pairing_id, pairing=None) -> Subjects:
    from .models import Pairing

    if pairing is None:
        row = (
            Pairing.objects.filter(pk=pairing_id)
            .values_list("mentor_id", "mentee_id", "program_id")
            .first()
        )
        if row is None:
            return Subjects()
        mentor_id, mentee_id, program_id = row
    else:
        mentor_id, mentee_id, program_id = pairing.mentor_id, pairing.mentee_id, pairing.program_id
    return Subjects(people={mentor_id, mentee_id}, program_admins={program_id})


def _under_pairing(instance) -> Subjects:
    field = type(instance)._meta.get_field("pairing")
    pairing = field.get_cached_value(instance, None) if field.is_cached(instance) else None
    return _pairing_subjects(instance.pairing_id, pairing)


def _user_subjects(user) -> Subjects:
    # A name or time zone shows wherever the person does: in all their programs.
    from .models import Membership

    programs = set(
        Membership.objects.filter(user_id=user.pk).order_by().values_list("program_id", flat=True)
    )
    return Subjects(people={user.pk}, programs=programs)


WATCHED = {
    "accounts.User": _user_subjects,
    "mentorship.Program": lambda p: Subjects(programs={p.pk}),
    "mentorship.Membership": lambda m: Subjects(people={m.user_id}, programs={m.program_id}),
    "mentorship.Invitation": lambda i: Subjects(program_admins={i.program_id}),
    "mentorship.Pairing": lambda p: _pairing_subjects(p.pk, p),
    "mentorship.PairingEvent": _under_pairing,
    "mentorship.Agreement": _under_pairing,
    "mentorship.CheckIn": _under_pairing,
    "mentorship.MentorshipFeedback": _under_pairing,
    "goals.Goal": lambda g: _goal_subjects(g.pk, g),
    "goals.Milestone": _under_goal,
    "goals.ProgressUpdate": _under_goal,
    "goals.Comment": _under_goal,
    "goals.GoalEvent": _under_goal,
    "notifications.Notification": lambda n: Subjects(users={n.recipient_id}),
    "notifications.Preferences": lambda p: Subjects(users={p.user_id}),
}

UNWATCHED = {
    # Written on every API call or feed read; shown only on the uncached tokens page.
    "api.ApiToken": "shown only on the uncached API tokens page",
    "api.CalendarFeed": "shown only on the uncached API tokens page",
}

# Saves that change nothing a page shows.
IGNORED_UPDATE_FIELDS = {"accounts.User": {"last_login"}}


def _on_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not enabled():
        return
    label = sender._meta.label
    ignored = IGNORED_UPDATE_FIELDS.get(label)
    if ignored and update_fields and set(update_fields) <= ignored:
        return
    _invalidate_for(label, instance)


def _on_delete(sender, instance, **kwargs):
    # pre_delete: the rows the subjects are read from still exist.
    if enabled():
        _invalidate_for(sender._meta.label, instance)


def _invalidate_for(label, instance) -> None:
    try:
        subjects = WATCHED[label](instance)
    except ObjectDoesNotExist:
        return
    _invalidate(subjects)


def _on_migrate(**kwargs):
    # Data migrations write without signals. A migration run while Redis is down still
    # completes; the pages cached before it expire within PAGE_CACHE_SECONDS.
    from redis.exceptions import RedisError

    try:
        touch_everything()
    except (OSError, RedisError) as error:
        logger.warning("Could not invalidate the page cache after migrating: %s", error)


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import post_migrate, post_save, pre_delete

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(_on_save, sender=model, dispatch_uid=f"pagecache-save-{label}")
        pre_delete.connect(_on_delete, sender=model, dispatch_uid=f"pagecache-delete-{label}")
    post_migrate.connect(_on_migrate, dispatch_uid="pagecache-migrate")
