"""Query budget: every page and API list answered with 200 in the access matrix makes, for
that persona, the same number of queries with 2 and with 12 of everything (goals, milestones,
updates, comments, pairings, check-ins, members, invitations, notifications), and at most 12.

Each request starts from an empty cache, so cached fragments do not hide a page's reads."""

import os
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import Comment, Milestone, ProgressUpdate, Visibility
from mentorship.models import CheckIn, Invitation, Membership, Role
from notifications.models import Notification
from tests.factories import AgreementFactory, GoalFactory, PairingFactory, UserFactory

from .access import client_for, url_for
from .conftest import PERSONAS
from .test_access_matrix import MATRIX

BUDGET = 12
# Downloads that read one data set per query, fixed however much data there is: the
# personal export reads the user's profile and ten data sets after the session and user.
OVER_BUDGET = {"api:export": 13, "api:me-export": 13}


def budget_of(name: str) -> int:
    return OVER_BUDGET.get(name, BUDGET)


pytestmark = pytest.mark.django_db


def grow(world, count: int, tag: str) -> None:
    """Add `count` of everything each persona sees on their pages."""
    users = world.users
    program = world.program
    today = date.today()
    for i in range(count):
        owners = [(users["mentee"], world.pairing), (users["other_mentee"], world.other_pairing)]
        # Maria and Otto each get one more mentee, with a check-in and goals to review.
        for mentor in (users["mentor"], users["other_mentor"]):
            mentee = UserFactory(email=f"grow-{tag}-{i}-{mentor.pk}@example.com")
            Membership.objects.create(program=program, user=mentee, role=Role.MENTEE)
            pairing = PairingFactory(program=program, mentor=mentor, mentee=mentee)
            AgreementFactory(pairing=pairing)
            CheckIn.objects.create(
                pairing=pairing, occurred_on=today, summary="s", logged_by=mentor
            )
            owners.append((mentee, pairing))
        for owner, pairing in owners:
            goal = GoalFactory(
                mentee=owner,
                program=program,
                pairing=pairing,
                visibility=Visibility.MENTOR if i % 2 else Visibility.PROGRAM,
                priority=100 + i,
            )
            milestone = Milestone.objects.create(
                goal=goal, title=f"m{i}", position=i, due_on=today + timedelta(days=i)
            )
            update = ProgressUpdate.objects.create(
                goal=goal, author=owner, value=1, note="n", confidence=3
            )
            Comment.objects.create(goal=goal, author=owner, body="c", update=update)
            Comment.objects.create(goal=goal, author=owner, body="c", milestone=milestone)
        # More on the persona goal page itself.
        Milestone.objects.create(goal=world.goal, title=f"g{i}", position=50 + i)
        update = ProgressUpdate.objects.create(
            goal=world.goal, author=users["mentee"], value=1, note="n", confidence=3
        )
        Comment.objects.create(goal=world.goal, author=users["mentor"], body="c", update=update)
        CheckIn.objects.create(
            pairing=world.pairing, occurred_on=today, summary="s", logged_by=users["mentor"]
        )
        Invitation.objects.create(
            program=program,
            email=f"inv-{tag}-{i}@example.com",
            role=Role.MENTEE,
            token_hash=f"{tag}{i}".ljust(64, "0"),
            invited_by=users["admin"],
            expires_at=world.invitation.expires_at,
        )
        for user in users.values():
            if user is not None:
                Notification.objects.create(
                    recipient=user,
                    kind="feedback",
                    dedupe_key=f"grow:{tag}:{i}:{user.pk}",
                    title="t",
                    url="/goals/",
                )


def pages(world):
    """(row, persona, url) of every GET that answers 200 in the access matrix."""
    out = []
    for name, (get, _post) in MATRIX.items():
        for persona, status in zip(PERSONAS, get.split(), strict=True):
            if status == "200":
                out.append((name, persona, url_for(name, world)))
    return out


def count_all(world, clients, targets, *, warm: bool = False) -> dict:
    counts = {}
    for name, persona, url in targets:
        if warm:
            # A page's first use may write once (a feed's last use, a session): not its reads.
            (clients[persona] if persona != "anonymous" else client_for(None)).get(url)
        cache.clear()
        # A fresh anonymous client each time: a session cookie picked up on one page would
        # add the session's read to the next.
        client = clients[persona] if persona != "anonymous" else client_for(None)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (name, persona, response.status_code)
        counts[(name, persona)] = (len(ctx.captured_queries), ctx.captured_queries)
    return counts


def test_every_page_has_a_fixed_query_count_within_budget(world, quiet_request_log):
    clients = {persona: client_for(world.users[persona]) for persona in PERSONAS}
    targets = pages(world)
    grow(world, 1, "a")
    small = count_all(world, clients, targets, warm=True)
    grow(world, 10, "b")
    large = count_all(world, clients, targets)
    problems = []
    for key in small:
        n_small, n_large = small[key][0], large[key][0]
        if n_small != n_large or n_large > budget_of(key[0]):
            problems.append(f"{key[0]} as {key[1]}: {n_small} queries at 2, {n_large} at 12")
    if problems and os.environ.get("SWEEP_SHOW_SQL"):
        for key in small:
            if small[key][0] != large[key][0] or large[key][0] > budget_of(key[0]):
                print(f"--- {key}")
                for q in large[key][1]:
                    print(q["sql"][:300])
    assert not problems, "\n".join(problems)
