"""The request's viewer (core.viewer): what each persona is to everyone else, read lazily in
one query per source, and shared by everything that asks within one request."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.middleware import ViewerMiddleware
from core.viewer import Viewer
from mentorship.models import Membership, PairingStatus, Role
from mentorship.selectors import PairingLink
from notifications.models import Notification
from tests.factories import MembershipFactory, PairingFactory, ProgramFactory

pytestmark = pytest.mark.django_db

MENTORSHIP_FACTS = ("roles", "admin_program_ids", "member_program_ids", "as_mentor", "as_mentee")


def facts(viewer: Viewer) -> dict:
    return {name: getattr(viewer, name) for name in MENTORSHIP_FACTS}


def test_a_mentor_sees_every_pairing_they_mentor_in_any_status(
    mentor, mentee, other_mentee, program, pairing
):
    past = PairingFactory(
        program=program,
        mentor=mentor,
        mentee=other_mentee,
        status=PairingStatus.ENDED,
        ended_on=date.today(),
    )
    found = facts(Viewer(mentor))
    assert sorted(found.pop("as_mentor")) == sorted(
        [
            PairingLink(pairing.id, program.id, mentee.id, PairingStatus.ACTIVE),
            PairingLink(past.id, program.id, other_mentee.id, PairingStatus.ENDED),
        ]
    )
    assert found == {
        "roles": frozenset({Role.MENTOR}),
        "admin_program_ids": frozenset(),
        "member_program_ids": frozenset({program.id}),
        "as_mentee": (),
    }


def test_a_mentee_sees_her_mentor(mentee, mentor, program, pairing):
    assert facts(Viewer(mentee)) == {
        "roles": frozenset({Role.MENTEE}),
        "admin_program_ids": frozenset(),
        "member_program_ids": frozenset({program.id}),
        "as_mentor": (),
        "as_mentee": (PairingLink(pairing.id, program.id, mentor.id, PairingStatus.ACTIVE),),
    }


def test_an_admin_runs_programs_and_the_navigation_shows_only_active_ones(admin, program):
    closed = ProgramFactory(is_active=False)
    MembershipFactory(program=closed, user=admin, role=Role.ADMIN)
    assert facts(Viewer(admin)) == {
        "roles": frozenset({Role.ADMIN}),  # the closed program gives no role in the menu
        "admin_program_ids": frozenset({program.id, closed.id}),
        "member_program_ids": frozenset({program.id, closed.id}),
        "as_mentor": (),
        "as_mentee": (),
    }


def test_a_stranger_is_nothing_to_anyone(stranger, pairing):
    viewer = Viewer(stranger)
    assert viewer.is_authenticated and viewer.pk == stranger.pk
    assert facts(viewer) == {
        "roles": frozenset(),
        "admin_program_ids": frozenset(),
        "member_program_ids": frozenset(),
        "as_mentor": (),
        "as_mentee": (),
    }
    assert viewer.unread_count == 0


def test_an_anonymous_viewer_has_no_facts_and_asks_nothing(django_assert_num_queries, pairing):
    viewer = Viewer(AnonymousUser())
    assert not viewer.is_authenticated and viewer.pk is None
    with django_assert_num_queries(0):
        for name in (*MENTORSHIP_FACTS, "unread_count"):
            try:
                value = getattr(viewer, name)
            except AttributeError:
                continue
            assert not value, name


def test_one_query_for_the_mentorship_facts_one_for_the_unread_count(
    mentor, pairing, django_assert_num_queries
):
    Notification.objects.create(recipient=mentor, kind="feedback", dedupe_key="k1", title="Hi")
    Notification.objects.create(recipient=mentor, kind="feedback", dedupe_key="k2", title="Yo")
    viewer = Viewer(mentor)
    with django_assert_num_queries(1):
        facts(viewer)
    with django_assert_num_queries(0):
        facts(viewer)  # fixed once loaded
    with django_assert_num_queries(1):
        assert viewer.unread_count == 2
    with django_assert_num_queries(0):
        assert viewer.unread_count == 2
    viewer.forget()
    with django_assert_num_queries(2):
        facts(viewer)
        assert viewer.unread_count == 2


def test_of_keeps_a_viewer_and_builds_one_for_a_user(mentor):
    viewer = Viewer(mentor)
    assert Viewer.of(viewer) is viewer
    fresh = Viewer.of(mentor)
    assert isinstance(fresh, Viewer) and fresh is not viewer and fresh.pk == mentor.pk


def test_a_request_that_never_asks_makes_no_viewer_query(mentor, pairing):
    """The middleware builds nothing up front: a response that uses the user (and the
    context processors, which hand the viewer to templates) costs no viewer query."""
    request = RequestFactory().get("/")
    request.user = mentor

    def view(request):
        html = Template("{{ request.user.email }} {{ SITE_NAME }}").render(RequestContext(request))
        return HttpResponse(html)

    with CaptureQueriesContext(connection) as queries:
        response = ViewerMiddleware(view)(request)
    assert response.status_code == 200 and mentor.email in response.content.decode()
    assert list(queries) == []


def test_a_signed_in_page_that_never_asks_makes_no_viewer_query(client, mentor, pairing):
    client.force_login(mentor)
    client.get(reverse("ping"))  # the session reaches the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("ping")).status_code == 200
    viewer_tables = (Membership._meta.db_table, Notification._meta.db_table)
    assert not [q["sql"] for q in queries if any(t in q["sql"] for t in viewer_tables)]
    assert len(queries) <= 1  # at most the signed-in user's row


def test_the_view_and_the_navigation_share_one_viewer(client, admin, program):
    """The home page asks the viewer for the roles (to choose the dashboards), and so does
    the navigation, which also shows the unread count: one query each."""
    MembershipFactory(program=program, user=admin, role=Role.MENTOR)
    client.force_login(admin)
    client.get(reverse("ping"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Programs I run" in response.content.decode()  # the view saw both roles
    sql = [q["sql"] for q in queries]
    assert sum(Membership._meta.db_table in s for s in sql) == 1, sql
    assert sum(Notification._meta.db_table in s for s in sql) == 1, sql
