"""Two tabs saving the same goal at the same moment, and two goals activated at once against
the focus limit: exactly one wins, the other gets the clear message.

Real concurrent transactions need PostgreSQL; SQLite serialises writes (there, the sequential
tests in test_goal_form.py and test_services.py cover the same rules).
"""

import threading
import time
from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from goals import services
from goals.models import Goal, GoalStatus
from tests.factories import GoalFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (SQLite serialises)"
    ),
]

real_event = services._event


def slow_event(*args, **kwargs):
    # Keep the first transaction open so the second request runs inside the window.
    time.sleep(0.4)
    return real_event(*args, **kwargs)


def race(user, requests: list[tuple[str, dict]]) -> list[int]:
    clients = []
    for _ in requests:
        client = Client()
        client.force_login(user)
        clients.append(client)
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index):
        try:
            barrier.wait(timeout=10)
            url, data = requests[index]
            results[index] = clients[index].post(url, data).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_tabs_saving_at_once_one_is_refused(program, mentee, pairing):
    goal = GoalFactory(mentee=mentee, program=program, pairing=pairing)
    url = reverse("goals:goal_edit", args=[goal.uuid])
    today = date.today()

    def data(title):
        return {
            "title": title,
            "category": "communication",
            "starts_on": today.isoformat(),
            "target_date": (today + timedelta(days=30)).isoformat(),
            "visibility": "mentor",
            "version": "1",
        }

    with mock.patch("goals.services._event", side_effect=slow_event):
        results = race(
            mentee, [(url, data("Tab one title here ok")), (url, data("Tab two title here ok"))]
        )
    assert sorted(results) == [302, 409]
    goal.refresh_from_db()
    assert goal.version == 2
    assert goal.title in ("Tab one title here ok", "Tab two title here ok")


def test_two_activations_at_once_respect_the_focus_limit(program, mentee, pairing):
    program.max_active_goals = 1
    program.save()
    drafts = [
        GoalFactory(mentee=mentee, program=program, status=GoalStatus.DRAFT) for _ in range(2)
    ]
    requests = [(reverse("goals:goal_status", args=[g.uuid]), {"status": "active"}) for g in drafts]
    with mock.patch("goals.services._event", side_effect=slow_event):
        results = race(mentee, requests)
    assert sorted(results) == [302, 409]
    assert Goal.objects.filter(mentee=mentee, status=GoalStatus.ACTIVE).count() == 1
