"""The mentorship app's links in the navigation bar (core.nav), by the roles the viewer holds
in active programs; "My mentorships" carries the number of unread messages (from the
viewer's facts: no query of its own)."""

from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop, ngettext

from core.nav import link

from .selectors import unread_message_count

LINKS = (
    ({"admin"}, "mentorship:program_list", gettext_noop("Programs")),
    ({"mentor", "mentee"}, "mentorship:my_pairings", gettext_noop("My mentorships")),
)


def _unread_badge(unread: int) -> str:
    return format_html(
        ' <span class="badge rounded-pill text-bg-primary" data-unread-messages="{}">{}'
        '<span class="visually-hidden"> {}</span></span>',
        unread,
        unread,
        ngettext("unread message", "unread messages", unread),
    )


def main_links(request) -> str:
    viewer = request.viewer
    if not viewer.is_authenticated:
        return ""
    held = viewer.roles
    parts = []
    for roles, name, label in LINKS:
        if not held & roles:
            continue
        text = gettext(label)
        if name == "mentorship:my_pairings":
            unread = unread_message_count(viewer)
            if unread:
                text = format_html("{}{}", text, _unread_badge(unread))
        parts.append(link(request, name, text))
    return "".join(parts)
