"""The mentorship app's links in the navigation bar (core.nav), by the roles the viewer holds
in active programs."""

from django.utils.translation import gettext

from core.nav import link


def main_links(request) -> str:
    viewer = request.viewer
    if not viewer.is_authenticated:
        return ""
    roles = viewer.roles
    parts = []
    if "admin" in roles:
        parts.append(link(request, "mentorship:program_list", gettext("Programs")))
    if "mentor" in roles or "mentee" in roles:
        parts.append(link(request, "mentorship:my_pairings", gettext("My mentorships")))
    return "".join(parts)
