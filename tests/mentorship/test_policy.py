"""mentorship.policy over the viewer: each object check reads the object's own row and, at
most, the viewer's facts (one query, shared by the whole request); list filters are IN lists
over those facts."""

import contextlib
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from core.viewer import Viewer
from mentorship import policy, selectors
from mentorship.models import CheckIn, Pairing
from tests.factories import CheckInFactory, PairingFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "other_admin", "mentor", "other_mentor", "mentee", "other_mentee", "stranger"]


@pytest.fixture
def world(program, other_program, pairing, other_pairing, other_admin, stranger):
    """Mia and Maria's pairing, Noah and Otto's, and one in another program."""
    elsewhere = PairingFactory(program=other_program)
    return {"pairing": pairing, "other_pairing": other_pairing, "elsewhere": elsewhere}


def loaded(user) -> Viewer:
    viewer = Viewer(user)
    viewer.roles  # noqa: B018 (loads the facts, as the navigation does on every page)
    return viewer


def test_get_program_for_admin_reads_the_program_row_and_the_viewer_once(
    program, admin, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the program, the viewer's facts
        assert policy.get_program_for_admin(admin, program.uuid) == program
    viewer = loaded(admin)
    with django_assert_num_queries(1):  # the program; the facts are the request's
        assert policy.get_program_for_admin(viewer, program.uuid) == program


@pytest.mark.parametrize(
    "persona,answer",
    [
        ("admin", None),
        ("mentor", PermissionDenied),
        ("mentee", PermissionDenied),
        ("other_admin", Http404),
        ("stranger", Http404),
    ],
)
def test_get_program_for_admin_404_for_strangers_403_for_members(
    request, world, program, persona, answer
):
    who = request.getfixturevalue(persona)
    if answer is None:
        assert policy.get_program_for_admin(who, program.uuid) == program
    else:
        with pytest.raises(answer):
            policy.get_program_for_admin(who, program.uuid)


def test_unknown_program_is_404(admin):
    with pytest.raises(Http404):
        policy.get_program_for_admin(admin, uuid.uuid4())


@pytest.mark.parametrize("persona,role", [("mentor", "mentor"), ("mentee", "mentee")])
def test_pairing_access_of_either_side_reads_only_the_pairing(
    request, world, persona, role, django_assert_num_queries
):
    pairing = world["pairing"]
    with django_assert_num_queries(1):
        access = policy.pairing_access(request.getfixturevalue(persona), pairing.uuid)
    assert (access.pairing, access.role) == (pairing, role)


def test_pairing_access_of_an_admin_reads_the_pairing_and_the_viewer_once(
    world, agreement, admin, django_assert_num_queries
):
    pairing = world["pairing"]
    with django_assert_num_queries(2):  # the pairing, the viewer's facts
        assert policy.pairing_access(admin, pairing.uuid).role == "admin"
    viewer = loaded(admin)
    with django_assert_num_queries(1):
        access = policy.pairing_access(viewer, pairing.uuid)
    assert access.role == "admin" and access.can_manage and not access.can_participate
    # The pairing comes with what its page shows, at no further query.
    with django_assert_num_queries(0):
        assert access.pairing.program.name and access.pairing.mentor.email
        assert access.pairing.mentee.email and access.pairing.agreement == agreement


@pytest.mark.parametrize("persona", ["other_admin", "other_mentor", "other_mentee", "stranger"])
def test_pairing_access_is_404_for_outsiders(request, world, persona):
    with pytest.raises(Http404):
        policy.pairing_access(request.getfixturevalue(persona), world["pairing"].uuid)


def test_unknown_pairing_is_404(admin):
    with pytest.raises(Http404):
        policy.pairing_access(admin, uuid.uuid4())


@pytest.mark.parametrize("persona", PERSONAS)
def test_pairings_visible_q_is_the_list_form_of_pairing_access(request, world, persona):
    """Every pairing is listed exactly when pairing_access lets the persona open it."""
    who = request.getfixturevalue(persona)
    listed = set(Pairing.objects.filter(policy.pairings_visible_q(who)))
    opened = set()
    for pairing in Pairing.objects.all():
        with contextlib.suppress(Http404):
            opened.add(policy.pairing_access(who, pairing.uuid).pairing)
    assert listed == opened
    assert set(selectors.pairings_visible_to(who)) == listed


@pytest.mark.parametrize("persona", PERSONAS)
def test_checkins_visible_follow_their_pairings(request, world, persona):
    for pairing in world.values():
        CheckInFactory(pairing=pairing)
    who = request.getfixturevalue(persona)
    expected = set(CheckIn.objects.filter(pairing__in=selectors.pairings_visible_to(who)))
    assert set(selectors.checkins_visible_to(who)) == expected


def test_list_filters_are_in_lists_over_the_viewer(world, admin, django_assert_num_queries):
    viewer = loaded(admin)
    with django_assert_num_queries(0):
        q = policy.pairings_visible_q(viewer)
    assert isinstance(q, Q)
    sql = str(Pairing.objects.filter(q).query).upper()
    assert "EXISTS" not in sql and "UNION" not in sql and "SELECT" not in sql.split("WHERE")[1]


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    nobody = AnonymousUser()
    assert not Pairing.objects.filter(policy.pairings_visible_q(nobody)).exists()
    assert not policy.can_create_program(nobody)
    with pytest.raises(Http404):
        policy.pairing_access(nobody, world["pairing"].uuid)


def test_can_create_program(world, admin, mentor, stranger):
    assert policy.can_create_program(admin)
    assert not policy.can_create_program(mentor)
    assert not policy.can_create_program(stranger)
    stranger.is_staff = True
    assert policy.can_create_program(stranger)
