"""Each page makes a fixed number of queries however much data the program has: pinned at 10
and at 100 pairings."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.models import User
from mentorship.models import (
    CheckIn,
    Membership,
    Pairing,
    PairingEvent,
    PairingStatus,
    Role,
    SurveyResponse,
)
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

# Each count: the signed-in user's row (the session comes from the cache), the object's own
# row (the program, or the pairing with its people), the viewer's facts (mentorship: roles for
# the navigation and what the access checks read; notifications: the unread count), then the
# page's own reads. The dashboard's own: the counts, the open pairings (each mentor's load and
# who is paired are worked out from them), the mentors and unpaired mentees, and the goals
# app's goal health. Before the viewer: dashboard 9, pairing page 9 for an admin (their
# membership was read for the access check).
DASHBOARD_QUERIES = 8
MEMBER_LIST_QUERIES = 6
# Admins read no survey answer: one query fewer.
PAIRING_PAGE_QUERIES = {"admin": 7, "mentor": 8}


def grow(program, pairing, size: int) -> None:
    """Give the program `size` pairings (statuses mixed, some stalled) with check-ins,
    events and feedback; the persona pairing gets `size` check-ins and events of its own."""
    today = date.today()
    mentors = User.objects.bulk_create(
        [User(email=f"load-mentor{n}@example.com", name=f"Mentor {n}") for n in range(5)]
    )
    mentees = User.objects.bulk_create(
        [User(email=f"load-mentee{n}@example.com", name=f"Mentee {n}") for n in range(size)]
    )
    mentors = list(User.objects.filter(email__startswith="load-mentor"))
    mentees = list(User.objects.filter(email__startswith="load-mentee"))
    Membership.objects.bulk_create(
        [Membership(program=program, user=u, role=Role.MENTOR, capacity=size) for u in mentors]
        + [Membership(program=program, user=u, role=Role.MENTEE) for u in mentees]
    )
    statuses = [
        PairingStatus.ACTIVE,
        PairingStatus.PAUSED,
        PairingStatus.PROPOSED,
        PairingStatus.ENDED,
    ]
    Pairing.objects.bulk_create(
        [
            Pairing(
                program=program,
                mentor=mentors[n % 5],
                mentee=mentee,
                status=statuses[n % 4],
                started_on=today - timedelta(days=90),
                last_checkin_on=today - timedelta(days=n % 60),
                ended_on=today if statuses[n % 4] == PairingStatus.ENDED else None,
            )
            for n, mentee in enumerate(mentees)
        ]
    )
    pairings = list(Pairing.objects.filter(program=program).exclude(pk=pairing.pk))
    CheckIn.objects.bulk_create(
        [CheckIn(pairing=p, occurred_on=today, summary="s", logged_by=p.mentor) for p in pairings]
        + [
            CheckIn(
                pairing=pairing,
                occurred_on=today - timedelta(days=n),
                summary=f"m{n}",
                logged_by=pairing.mentor,
            )
            for n in range(size)
        ]
    )
    PairingEvent.objects.bulk_create(
        [
            PairingEvent(pairing=pairing, actor=pairing.mentor, action="checkin_logged")
            for _ in range(size)
        ]
    )
    SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                pairing=p,
                author=p.mentee,
                match_score=1 + n % 5,
                progress_score=1 + n % 4,
                shared=n % 2 == 0,
            )
            for n, p in enumerate(pairings)
        ]
        + [
            SurveyResponse(
                pairing=pairing,
                author=pairing.mentee,
                round=n + 1,
                match_score=4,
                progress_score=3,
                shared=True,
            )
            for n in range(size)
        ]
    )


@pytest.fixture(params=[10, 100], ids=["10-pairings", "100-pairings"])
def grown(request, program, pairing, admin, mentor):
    AgreementFactory(pairing=pairing)
    grow(program, pairing, request.param)
    return request.param


def test_program_dashboard(client, program, admin, grown, django_assert_num_queries):
    client.force_login(admin)
    url = reverse("mentorship:program_dashboard", args=[program.uuid])
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["dashboard"].active_pairings) >= grown * 3 // 4


def test_member_list(client, program, admin, grown, django_assert_num_queries):
    client.force_login(admin)
    url = reverse("mentorship:member_list", args=[program.uuid])
    with django_assert_num_queries(MEMBER_LIST_QUERIES):
        response = client.get(url, {"q": "e", "paired": "yes"})
    assert response.status_code == 200


@pytest.mark.parametrize("viewer", ["admin", "mentor"])
def test_pairing_page(client, request, pairing, grown, viewer, django_assert_num_queries):
    client.force_login(request.getfixturevalue(viewer))
    url = reverse("mentorship:pairing_detail", args=[pairing.uuid])
    with django_assert_num_queries(PAIRING_PAGE_QUERIES[viewer]):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"].checkins) == min(grown, 50)


# A person's page: the person's row (with their profile, and whether they belong to a program
# the viewer runs) after the user, the viewer's facts and the unread count.
PERSON_PAGE_QUERIES = 4
# The match page: the user, the program, the viewer's facts, the mentee (with her profile),
# her goals' categories (read once for the terms shown and the ranking; twice before), the
# mentors with their load and profiles, whether she is paired already, the unread count.
MATCH_PAGE_QUERIES = 8


def _give_profiles(users) -> None:
    from accounts.models import Profile

    Profile.objects.bulk_create(
        [
            Profile(
                user=u,
                headline=f"Person {u.pk}",
                offers="python, leadership",
                wants="public speaking",
                languages=["en", "de"],
                meeting_times=["morning", "evening"],
                hours_per_month=4,
            )
            for u in users
        ],
        ignore_conflicts=True,
    )


@pytest.mark.parametrize("viewer", ["admin", "mentor", "mentee"])
def test_person_page(client, request, pairing, grown, viewer, django_assert_num_queries):
    _give_profiles(User.objects.all())
    client.force_login(request.getfixturevalue(viewer))
    url = reverse("mentorship:person", args=[pairing.mentee.uuid])
    with django_assert_num_queries(PERSON_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["card"].headline == f"Person {pairing.mentee_id}"


def test_match_page(client, program, admin, grown, django_assert_num_queries):
    _give_profiles(User.objects.all())
    mentee = User.objects.create(email="unpaired@example.com", name="Una")
    membership = Membership.objects.create(program=program, user=mentee, role=Role.MENTEE)
    _give_profiles([mentee])
    client.force_login(admin)
    url = reverse("mentorship:program_match", args=[program.uuid, membership.uuid])
    with django_assert_num_queries(MATCH_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["suggestions"]) == 6
    assert all("Both speak English, German" in s.reasons for s in response.context["suggestions"])


@pytest.mark.parametrize("viewer", ["admin", "mentor"])
def test_pairing_page_with_profiles(
    client, request, pairing, grown, viewer, django_assert_num_queries
):
    """The profile cards come with the pairing's own row: the count stays as pinned."""
    _give_profiles(User.objects.all())
    client.force_login(request.getfixturevalue(viewer))
    url = reverse("mentorship:pairing_detail", args=[pairing.uuid])
    with django_assert_num_queries(PAIRING_PAGE_QUERIES[viewer]):
        response = client.get(url)
    assert response.status_code == 200
    assert f"Person {pairing.mentee_id}" in response.content.decode()
