"""The navigation bar (core.nav): each app's items by the viewer's roles, the current page
marked, the unread count from the viewer, and no query of its own."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification

pytestmark = pytest.mark.django_db


def nav_of(html: str) -> str:
    return re.search(r'<nav class="navbar.*?</nav>', html, re.S).group(0)


def links(html: str) -> list[str]:
    return re.findall(r'<a class="(?:nav-link|dropdown-item|btn )[^"]*"[^>]*? href="([^"]+)"', html)


def href(name: str) -> str:
    return f'href="{reverse(name)}"'


def test_a_visitor_is_offered_log_in_and_sign_up(client):
    nav = nav_of(client.get(reverse("account_login")).content.decode())
    assert links(nav) == [reverse("account_login"), reverse("account_signup")]


def test_a_mentee_sees_her_links_and_the_current_page_is_marked(client, mentee):
    client.force_login(mentee)
    nav = nav_of(client.get(reverse("goals:goal_list")).content.decode())
    assert links(nav)[:4] == [
        reverse("home"),
        reverse("goals:goal_list"),
        reverse("mentorship:my_pairings"),
        reverse("notifications:inbox"),
    ]
    assert href("goals:review_queue") not in nav
    assert href("mentorship:program_list") not in nav
    assert nav.count('aria-current="page"') == 1
    assert f'aria-current="page" href="{reverse("goals:goal_list")}"' in nav
    assert 'name="csrfmiddlewaretoken"' in nav  # the log-out form


def test_a_mentor_and_an_admin_see_their_roles_links(client, mentor, admin):
    client.force_login(mentor)
    nav = nav_of(client.get(reverse("goals:review_queue")).content.decode())
    assert href("goals:mentor_mentees") in nav and href("goals:goal_list") not in nav
    client.force_login(admin)
    nav = nav_of(client.get(reverse("mentorship:program_list")).content.decode())
    assert href("mentorship:program_list") in nav
    assert href("goals:review_queue") not in nav and href("admin:index") not in nav


def test_the_inbox_link_counts_unread_notifications(client, mentee):
    Notification.objects.create(recipient=mentee, kind="feedback", title="Nice", dedupe_key="a")
    Notification.objects.create(recipient=mentee, kind="feedback", title="Again", dedupe_key="b")
    client.force_login(mentee)
    nav = nav_of(client.get(reverse("goals:goal_list")).content.decode())
    assert 'data-unread-count="2"' in nav and '2<span class="visually-hidden"> unread' in nav


def test_the_bar_reads_nothing_beyond_the_viewer(client, mentee):
    """Rendering the bar asks the viewer (roles, unread count) and no other query."""
    from core import nav

    client.force_login(mentee)
    response = client.get(reverse("goals:goal_list"))
    request = response.wsgi_request
    assert request.viewer.roles and request.viewer.unread_count == 0  # loaded by the page
    with CaptureQueriesContext(connection) as queries:
        html = nav.items("main", request) + nav.items("end", request)
    assert len(queries) == 0 and reverse("goals:goal_list") in html
