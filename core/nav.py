"""The navigation bar every page shows, built in Python once per request.

Core knows no app: each app registers the items it owns in its AppConfig.ready() with
`register(slot, order, item)`, where `item(request)` returns the item's HTML (safe, "" to
show nothing). The main slot holds the links on the left, the end slot the inbox and the
account menu on the right; items are shown by `order`. Items read what they need from
`request.viewer` (roles, unread count), so building the bar costs no query beyond the
viewer's own, and no template: one template include with its URL and translation tags per
link cost more than most pages' content.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .links import url

_LINK = '<li class="nav-item"><a class="nav-link" href="{}">{}</a></li>'
_ACTIVE_LINK = (
    '<li class="nav-item"><a class="nav-link active" aria-current="page" href="{}">{}</a></li>'
)

Item = Callable[[HttpRequest], str]

SLOTS = ("main", "end")
_items: dict[str, list[tuple[int, str, Item]]] = {slot: [] for slot in SLOTS}


def register(slot: str, order: int, item: Item) -> None:
    """Show `item` in `slot` ("main" or "end"), before items with a higher `order`. Registering
    the same function again (a reloaded app) replaces it."""
    key = f"{item.__module__}.{item.__qualname__}"
    entries = [entry for entry in _items[slot] if entry[1] != key]
    entries.append((order, key, item))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    _items[slot] = entries


def items(slot: str, request: HttpRequest) -> SafeString:
    """The HTML of every item of `slot`, for this request."""
    return mark_safe("".join(item(request) for _, _, item in _items[slot]))  # noqa: S308


def current(request: HttpRequest) -> tuple[str, str]:
    """(app name, URL name) of the page being shown, "" when it matched no pattern."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", ""
    return match.app_name or "", match.url_name or ""


def link(request: HttpRequest, name: str, label: str, *, active: bool | None = None) -> str:
    """A navigation link to the URL `name` ("app:url_name"), marked as the current page when
    it is the one shown (or when `active` says so)."""
    if active is None:
        app, url_name = current(request)
        active = f"{app}:{url_name}" == name if app else url_name == name
    template = _ACTIVE_LINK if active else _LINK
    return format_html(template, url(name), label)


def role_links(request, links) -> str:
    """The links of `links` ((roles, URL name, label) each) whose roles the signed-in viewer
    holds any of, in that order; nothing for a visitor."""
    viewer = request.viewer
    if not viewer.is_authenticated:
        return ""
    held = viewer.roles
    return "".join(
        link(request, name, gettext(label)) for roles, name, label in links if held & roles
    )


def dashboard_link(request) -> str:
    """Core's own item: the way back to the person's dashboard (the home page)."""
    if not request.user.is_authenticated:
        return ""
    return link(request, "home", gettext("Dashboard"))
