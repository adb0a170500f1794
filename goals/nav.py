"""The goals app's links in the navigation bar (core.nav), by the roles the viewer holds."""

from django.utils.translation import gettext

from core.nav import link


def main_links(request) -> str:
    viewer = request.viewer
    if not viewer.is_authenticated:
        return ""
    roles = viewer.roles
    parts = []
    if "mentee" in roles:
        parts.append(link(request, "goals:goal_list", gettext("My goals")))
    if "mentor" in roles:
        parts.append(link(request, "goals:mentor_mentees", gettext("My mentees")))
        parts.append(link(request, "goals:review_queue", gettext("Review queue")))
    return "".join(parts)
