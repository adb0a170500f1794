"""Two admins pairing at the same moment: the mentor's membership row lock and the named
unique constraint let only one request succeed; the other gets the clear form error.

These need real concurrent transactions (PostgreSQL): SQLite serialises writes and ignores
SELECT ... FOR UPDATE, so there the race cannot happen and the tests are skipped.
"""

import threading
import time
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from mentorship import services
from mentorship.models import Membership, Pairing, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (SQLite serialises)"
    ),
]

real_event = services._event


def slow_event(*args, **kwargs):
    # Hold the transaction open after the insert: without the lock, the other request would
    # pass its capacity check in this window and both would commit.
    time.sleep(0.4)
    return real_event(*args, **kwargs)


def race(admin, program, posts: list[dict]) -> list:
    """POST each form to the pairing page from its own thread (own DB connection) at once."""
    url = reverse("mentorship:pairing_new", args=[program.uuid])
    clients = []
    for _ in posts:
        client = Client()
        client.force_login(admin)
        clients.append(client)
    barrier = threading.Barrier(len(posts))
    results: list = [None] * len(posts)

    def run(index):
        try:
            barrier.wait(timeout=10)
            response = clients[index].post(url, posts[index])
            results[index] = (response.status_code, response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_requests_cannot_both_take_the_last_place(program, admin, mentor):
    Membership.objects.filter(user=mentor, program=program).update(capacity=1)
    mentees = []
    for n in range(2):
        user = UserFactory(email=f"racer{n}@example.com", name=f"Racer {n}")
        MembershipFactory(program=program, user=user, role=Role.MENTEE)
        mentees.append(user)
    with mock.patch("mentorship.services._event", side_effect=slow_event):
        results = race(
            admin,
            program,
            [{"mentor": str(mentor.uuid), "mentee": str(m.uuid)} for m in mentees],
        )
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 302]
    assert Pairing.objects.filter(mentor=mentor).count() == 1
    loser = next(body for status, body in results if status == 200)
    assert "Maria Mentor is at capacity" in loser


def test_two_requests_cannot_both_pair_the_same_mentee(
    program, admin, mentor, other_mentor, mentee
):
    with mock.patch("mentorship.services._event", side_effect=slow_event):
        results = race(
            admin,
            program,
            [
                {"mentor": str(mentor.uuid), "mentee": str(mentee.uuid)},
                {"mentor": str(other_mentor.uuid), "mentee": str(mentee.uuid)},
            ],
        )
    assert sorted(status for status, _ in results) == [200, 302]
    assert Pairing.objects.filter(mentee=mentee).count() == 1
    loser = next(body for status, body in results if status == 200)
    assert "Mia Mentee already has an open pairing in this program." in loser


def test_the_constraint_alone_stops_the_second_request(
    program, admin, mentor, other_mentor, mentee
):
    """With the service's checks switched off, the named unique constraint is what stops the
    second insert; its IntegrityError becomes the same sentence on the form."""
    with (
        mock.patch("mentorship.services._check_can_pair"),
        mock.patch("mentorship.services._event", side_effect=slow_event),
    ):
        results = race(
            admin,
            program,
            [
                {"mentor": str(mentor.uuid), "mentee": str(mentee.uuid)},
                {"mentor": str(other_mentor.uuid), "mentee": str(mentee.uuid)},
            ],
        )
    assert sorted(status for status, _ in results) == [200, 302]
    assert Pairing.objects.filter(mentee=mentee).count() == 1
    loser = next(body for status, body in results if status == 200)
    assert "already has an open pairing" in loser
