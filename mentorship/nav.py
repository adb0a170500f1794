"""The mentorship app's links in the navigation bar (core.nav), by the roles the viewer holds
in active programs."""

from django.utils.translation import gettext_noop

from core.nav import role_links

LINKS = (
    ({"admin"}, "mentorship:program_list", gettext_noop("Programs")),
    ({"mentor", "mentee"}, "mentorship:my_pairings", gettext_noop("My mentorships")),
)


def main_links(request) -> str:
    return role_links(request, LINKS)
