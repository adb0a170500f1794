"""The inbox link of the navigation bar (core.nav), with the viewer's unread count; the inbox
sends it again out of band (htmx) when a notification is marked read."""

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from core.links import url
from core.nav import current

# Constant attributes, nothing of the request in them.
_OOB = mark_safe(' hx-swap-oob="true"')  # noqa: S308
_CURRENT = mark_safe(' aria-current="page"')  # noqa: S308


def inbox_item(request, *, oob: bool = False) -> str:
    viewer = request.viewer
    if not viewer.is_authenticated:
        return ""
    unread = viewer.unread_count
    app, url_name = current(request)
    badge = ""
    if unread:
        badge = format_html(
            ' <span class="badge rounded-pill text-bg-danger" data-unread-count="{}">{}'
            '<span class="visually-hidden"> {}</span></span>',
            unread,
            unread,
            ngettext("unread notification", "unread notifications", unread),
        )
    return format_html(
        '<li class="nav-item" id="nav-inbox"{}><a class="nav-link d-flex align-items-center '
        'gap-1{}" href="{}"{}>{}{}</a></li>',
        _OOB if oob else "",
        " active" if app == "notifications" else "",
        url("notifications:inbox"),
        _CURRENT if app == "notifications" and url_name == "inbox" else "",
        gettext("Inbox"),
        badge,
    )
