"""Every list endpoint makes the same number of queries at two data sizes."""

from datetime import date

import pytest
from django.urls import reverse

from goals.models import Comment, Visibility
from notifications.services import notify
from tests.factories import (
    CheckInFactory,
    GoalFactory,
    MembershipFactory,
    MilestoneFactory,
    PairingFactory,
    ProgressUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST_ENDPOINTS = [
    ("api:goal-list", {}),
    ("api:goal-list", {"status": "active", "target_date_after": "2000-01-01"}),
    ("api:milestone-list", {}),
    ("api:progressupdate-list", {}),
    ("api:comment-list", {}),
    ("api:pairing-list", {}),
    ("api:checkin-list", {}),
    ("api:program-list", {}),
    ("api:program-memberships", None),
    ("api:notification-list", {}),
]


def grow(n, *, program, pairing, mentee, mentor, admin):
    """n more of everything each persona can see."""
    for i in range(n):
        for visibility in (Visibility.MENTOR, Visibility.PROGRAM):
            goal = GoalFactory(mentee=mentee, program=program, visibility=visibility)
            MilestoneFactory(goal=goal)
            ProgressUpdateFactory(goal=goal)
            Comment.objects.create(goal=goal, author=mentor, body="Good")
        extra_mentee = UserFactory()
        MembershipFactory(program=program, user=extra_mentee)
        other = PairingFactory(program=program, mentor=mentor, mentee=extra_mentee)
        CheckInFactory(pairing=other, occurred_on=date(2026, 1, 1))
        CheckInFactory(pairing=pairing, occurred_on=date(2026, 1, 2))
        GoalFactory(mentee=extra_mentee, program=program, pairing=other)
        for user in (mentee, mentor, admin):
            notify(
                recipient=user,
                kind="feedback",
                dedupe_key=f"q:{user.pk}:{n}:{i}",
                title="Hi",
                send_email=False,
            )


CASES = [
    (who, name, params)
    for who in ("mentee", "mentor", "admin")
    for name, params in LIST_ENDPOINTS
    # Memberships are listed for program admins only (others get 403: test_access).
    if params is not None or who == "admin"
]


@pytest.mark.parametrize("who,name,params", CASES)
def test_list_query_count_is_fixed(
    name,
    params,
    who,
    request,
    client,
    program,
    pairing,
    mentee,
    mentor,
    admin,
    django_assert_max_num_queries,
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    url = reverse(name, args=[program.uuid]) if params is None else reverse(name)
    if params is None and who != "admin":
        pytest.skip(
            "memberships are listed for program admins only (others get 403: see test_access)"
        )
    counts = []
    expected_max = 6
    client.get(url, params or {}, HTTP_ACCEPT="application/json")  # the user is now cached
    for n in (1, 4):
        grow(n, program=program, pairing=pairing, mentee=mentee, mentor=mentor, admin=admin)
        with django_assert_max_num_queries(expected_max) as ctx:
            response = client.get(url, params or {}, HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response.json()["count"] > 0 or (name == "api:program-list" and who != "admin")
        counts.append(len(ctx.captured_queries))
    # The signed-in user's row and the viewer's facts (one query; the inbox needs no viewer),
    # then COUNT(*) and the page (the session comes from the cache); the memberships list
    # also finds the program (the admin's role is a viewer fact); an empty list needs no page
    # query.
    per_request = 1 if name == "api:notification-list" else 2
    expected = per_request + {"api:program-memberships": 3}.get(name, 2)
    if name == "api:program-list" and who != "admin":
        expected = per_request  # runs no program: the viewer's facts say so, no query
    assert counts == [expected, expected]
