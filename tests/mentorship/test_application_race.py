"""Two admins deciding the same application at the same moment: only one decision lands, the
other is told who decided first, and the applicant hears one answer.

Each decision runs in its own thread with its own database connection and transaction. On
PostgreSQL they truly overlap: the first holds the application's row lock (and keeps its
transaction open a while longer, see `slow_notify`) while the second asks for it, then finds
it decided. SQLite's shared in-memory test database refuses a second writer at once ("table
is locked") instead of waiting, so there the two threads take turns, as SQLite always
serialises writes; the second still works from the application it read before the first
committed, which the conditional update refuses.
"""

import contextlib
import threading
import time
from unittest import mock

import pytest
from django.db import connection

from mentorship import services
from mentorship.models import Application, ApplicationStatus, JoinPolicy, Membership, Role
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

real_notify = services.notify


def slow_notify(*args, **kwargs):
    # Hold the deciding transaction open after its update: without the row lock and the
    # conditional update, the other admin's decision would pass its check in this window.
    time.sleep(0.3)
    return real_notify(*args, **kwargs)


def decide_at_once(application, decisions) -> list:
    """Run each (admin, approve) decision in its own thread, released together. Each thread
    reads the application first, as a page does before it posts."""
    barrier = threading.Barrier(len(decisions))
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()
    results: list = [None] * len(decisions)
    seen = [Application.objects.get(pk=application.pk) for _ in decisions]

    def run(index):
        admin, approve = decisions[index]
        try:
            barrier.wait(timeout=10)
            with turns:
                services.application_decide(
                    application=seen[index], by=admin, approve=approve, reason="Full this term."
                )
            results[index] = "decided"
        except services.MentorshipConflict as error:
            results[index] = str(error.message)
        except Exception as error:  # reported, not swallowed: the test fails with it
            results[index] = f"error: {type(error).__name__}: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(decisions))]
    with mock.patch("mentorship.services.notify", side_effect=slow_notify):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    return results


def test_two_admins_deciding_at_once_make_one_decision(program, admin):
    program.join_policy = JoinPolicy.APPROVAL
    program.save()
    backup = UserFactory(email="bea@example.com", name="Bea Backup")
    MembershipFactory(program=program, user=backup, role=Role.ADMIN)
    applicant = UserFactory(email="sam@example.com", name="Sam Stranger")
    application = services.application_submit(program=program, user=applicant, role=Role.MENTEE)

    results = decide_at_once(application, [(admin, True), (backup, False)])

    assert sorted(r == "decided" for r in results) == [False, True], results
    application.refresh_from_db()
    winner = admin if results[0] == "decided" else backup
    loser_message = results[1] if results[0] == "decided" else results[0]
    assert application.decided_by == winner
    expected = "approved" if winner == admin else "declined"
    assert application.status == expected
    assert loser_message == (
        f"This application was {expected} already, by {winner.display_name}."
    ), results
    # One answer reaches the applicant; a membership only if the approval won.
    answers = Notification.objects.filter(recipient=applicant, kind=Kind.APPLICATION_DECIDED)
    assert answers.count() == 1
    assert Membership.objects.filter(user=applicant).count() == (
        1 if application.status == ApplicationStatus.APPROVED else 0
    )
