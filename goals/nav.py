"""The goals app's links in the navigation bar (core.nav), by the roles the viewer holds."""

from django.utils.translation import gettext_noop

from core.nav import role_links

LINKS = (
    ({"mentee"}, "goals:goal_list", gettext_noop("My goals")),
    ({"mentor"}, "goals:mentor_mentees", gettext_noop("My mentees")),
    ({"mentor"}, "goals:review_queue", gettext_noop("Review queue")),
)


def main_links(request) -> str:
    return role_links(request, LINKS)
