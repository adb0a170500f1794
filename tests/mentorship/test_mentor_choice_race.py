"""Two requests accepted at the same moment for a mentor's last free place: only one pairing
is made, the other answer is refused with a clear message, and the loser's request still
waits (its mentee is not paired, and may be declined or lapse).

Each acceptance runs in its own thread with its own database connection and transaction. On
PostgreSQL they truly overlap: the first holds the mentor's membership row lock (and keeps
its transaction open a while longer, see `slow_notify`) while the second asks for it, then
counts the mentor full. SQLite's shared in-memory test database refuses a second writer at
once ("table is locked") instead of waiting, so there the two threads take turns, as SQLite
always serialises writes.
"""

import contextlib
import threading
import time
from unittest import mock

import pytest
from django.db import connection

from mentorship import services
from mentorship.models import Membership, MentorRequest, MentorRequestStatus, Pairing, Role

pytestmark = pytest.mark.django_db(transaction=True)

real_notify = services.notify


def slow_notify(*args, **kwargs):
    # Hold the accepting transaction open after the pairing is written: without the lock on
    # the mentor's membership, the other acceptance would count the mentor free here.
    time.sleep(0.3)
    return real_notify(*args, **kwargs)


def at_once(calls) -> list:
    """Run each call in its own thread, released together; "done" or the refusal's message."""
    barrier = threading.Barrier(len(calls))
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()
    results: list = [None] * len(calls)

    def run(index):
        try:
            barrier.wait(timeout=10)
            with turns:
                calls[index]()
            results[index] = "done"
        except services.MentorshipError as error:
            results[index] = str(error.message)
        except Exception as error:  # reported, not swallowed: the test fails with it
            results[index] = f"error: {type(error).__name__}: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    with mock.patch("mentorship.services.notify", side_effect=slow_notify):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    return results


def choosing_program_with_one_place(program, mentor):
    program.mentees_choose = True
    program.save()
    Membership.objects.filter(program=program, user=mentor, role=Role.MENTOR).update(capacity=1)


def request_from(program, mentee, mentor) -> MentorRequest:
    return services.mentor_request_create(
        mentee_membership=Membership.objects.select_related("program", "user").get(
            program=program, user=mentee, role=Role.MENTEE
        ),
        mentor_membership=Membership.objects.get(program=program, user=mentor, role=Role.MENTOR),
    )


def test_two_requests_accepted_at_once_for_the_last_place_make_one_pairing(
    program, mentor, mentee, other_mentee
):
    choosing_program_with_one_place(program, mentor)
    first = request_from(program, mentee, mentor)
    second = request_from(program, other_mentee, mentor)
    seen = [MentorRequest.objects.get(pk=r.pk) for r in (first, second)]

    results = at_once(
        [
            lambda: services.mentor_request_accept(mentor_request=seen[0], by=mentor),
            lambda: services.mentor_request_accept(mentor_request=seen[1], by=mentor),
        ]
    )

    assert sorted(r == "done" for r in results) == [False, True], results
    loser = results[1] if results[0] == "done" else results[0]
    assert loser.startswith("You have no free place left: you mentor 1 person"), results
    assert Pairing.objects.filter(program=program, mentor=mentor).count() == 1
    statuses = sorted(MentorRequest.objects.values_list("status", flat=True))
    assert statuses == [MentorRequestStatus.ACCEPTED, MentorRequestStatus.PENDING]


def test_an_acceptance_and_a_hand_pairing_racing_for_the_last_place_make_one(
    program, mentor, mentee, other_mentee, admin
):
    choosing_program_with_one_place(program, mentor)
    waiting = request_from(program, mentee, mentor)
    seen = MentorRequest.objects.get(pk=waiting.pk)

    results = at_once(
        [
            lambda: services.mentor_request_accept(mentor_request=seen, by=mentor),
            lambda: services.pairing_create(
                program=program, mentor=mentor, mentee=other_mentee, by=admin
            ),
        ]
    )

    assert sorted(r == "done" for r in results) == [False, True], results
    assert Pairing.objects.filter(program=program, mentor=mentor).count() == 1
    loser = results[1] if results[0] == "done" else results[0]
    # Refused by whichever check came second: the request's, or pairing_create's.
    assert "no free place left" in loser or "is at capacity" in loser, results
