"""Staleness sweep: no write leaves a cached page behind.

Every view decorated with `pagecache.per_viewer` (and every API list a viewset caches) is
found from the resolver, and every persona
that may read it (from the access matrix) reads it, so each page is in the cache. Then one
write is made through the apps' services (or as the Django admin makes it: `save()` and
`delete()`), and every page is read again. The suite runs with PAGE_CACHE_VERIFY on, so a
page served from the cache after a write that did not invalidate it is compared with a fresh
render and raises `StalePage`.

Each write must also change at least one of the pages (or say why it changes none), so a
scenario that writes nothing visible cannot pass for a test.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.services import user_update_profile
from api.services import account_delete
from goals import services as goals
from goals.models import GoalStatus, Visibility
from mentorship import services as mentorship
from mentorship.models import Membership, Role
from notifications import services as notifications
from notifications.kinds import Kind
from tests.factories import PASSWORD, UserFactory

from .access import all_views, url_for
from .conftest import PERSONAS
from .test_access_matrix import MATRIX


def cached_pages() -> list[str]:
    names = set()
    for name, _route, view in all_views():
        if getattr(view, "page_cached", False):
            names.add(name)
        # API viewsets: the list action of a viewset that caches it.
        viewset = getattr(view, "cls", None)
        if name.endswith("-list") and "list" in getattr(viewset, "page_cached_actions", ()):
            names.add(name)
    return sorted(names)


def readers(world) -> list[tuple[str, str, object]]:
    """(page, persona, client) for every persona the matrix lets read each cached page."""
    from .access import client_for

    clients = {}
    out = []
    for name in cached_pages():
        statuses = MATRIX[name][0].split()
        for persona, status in zip(PERSONAS, statuses, strict=True):
            if status == "200":
                if persona not in clients:
                    clients[persona] = client_for(world.users[persona])
                out.append((url_for(name, world), persona, clients[persona]))
    return out


TOKEN = re.compile(rb"[A-Za-z0-9]{64}")


def read_all(targets) -> dict:
    """Each page's status and content (CSRF tokens masked: they differ on every response).
    After a write a page may be gone (404): a deleted goal, an ended relationship."""
    return {
        (url, persona): (response.status_code, TOKEN.sub(b"<token>", response.content))
        for url, persona, client in targets
        for response in [client.get(url)]
    }


def _second_goal(w):
    return goals.goal_create(
        mentee=w.users["mentee"],
        data={
            "title": "Read one leadership book a month",
            "category": "leadership",
            "specific": "Finish and summarise one book each month.",
            "metric_name": "Books",
            "unit": "books",
            "baseline_value": Decimal("0"),
            "target_value": Decimal("6"),
            "starts_on": date.today(),
            "target_date": date.today() + timedelta(days=180),
            "visibility": Visibility.MENTOR,
            "status": GoalStatus.ACTIVE,
        },
        program=w.program,
        pairing=w.pairing,
    )


def _second_milestone(w):
    return goals.milestone_add(goal=w.goal, by=w.users["mentee"], title="Rehearse with Maria")


PARTICIPANTS_CSV = "email,name,role\nnew.mentee@example.com,Nia New,mentee\n"

# name: (setup before the pages are cached or None, the write, changes no page because ...).
SCENARIOS = {
    "goal edited": (
        None,
        lambda w: goals.goal_update(
            goal=w.goal,
            by=w.users["mentee"],
            changes={"title": "Give a 20-minute talk"},
            expected_version=w.goal.version,
        ),
        None,
    ),
    "goal paused": (
        None,
        lambda w: goals.goal_set_status(
            goal=w.goal, status=GoalStatus.ON_HOLD, by=w.users["mentee"]
        ),
        None,
    ),
    "goal created": (None, _second_goal, None),
    "goal moved": (
        _second_goal,
        lambda w: goals.goal_move(goal=w.goal, direction="down", by=w.users["mentee"]),
        None,
    ),
    "goal shared with the program": (
        None,
        lambda w: goals.goal_update(
            goal=w.goal,
            by=w.users["mentee"],
            changes={"visibility": Visibility.PROGRAM},
            expected_version=w.goal.version,
        ),
        None,
    ),
    "goal made private": (
        None,
        lambda w: goals.goal_update(
            goal=w.goal,
            by=w.users["mentee"],
            changes={"visibility": Visibility.PRIVATE},
            expected_version=w.goal.version,
        ),
        None,
    ),
    "milestone added": (None, _second_milestone, None),
    "milestone completed": (
        None,
        lambda w: goals.milestone_complete(milestone=w.milestone, by=w.users["mentee"]),
        None,
    ),
    "milestone reopened": (
        lambda w: goals.milestone_complete(milestone=w.milestone, by=w.users["mentee"]),
        lambda w: goals.milestone_reopen(milestone=w.milestone, by=w.users["mentee"]),
        None,
    ),
    "milestone moved": (
        _second_milestone,
        lambda w: goals.milestone_move(
            milestone=w.milestone, direction="down", by=w.users["mentee"]
        ),
        None,
    ),
    "progress logged": (
        None,
        lambda w: goals.progress_update_log(
            goal=w.goal, by=w.users["mentee"], value=Decimal("5"), note="Five runs.", confidence=5
        ),
        None,
    ),
    "note logged without a value": (
        None,
        lambda w: goals.progress_update_log(
            goal=w.goal, by=w.users["mentee"], value=None, note="Felt calmer.", confidence=3
        ),
        None,
    ),
    "update acknowledged": (
        None,
        lambda w: goals.progress_update_acknowledge(update=w.update, by=w.users["mentor"]),
        None,
    ),
    "update acknowledged with a reply": (
        None,
        lambda w: goals.progress_update_acknowledge(
            update=w.update, by=w.users["mentor"], reply="Well done."
        ),
        None,
    ),
    "comment": (
        None,
        lambda w: goals.comment_add(goal=w.goal, by=w.users["mentor"], body="Keep going."),
        None,
    ),
    "kudos": (
        None,
        lambda w: goals.comment_add(
            goal=w.goal, by=w.users["mentor"], body="Great run!", is_kudos=True
        ),
        None,
    ),
    "program renamed": (
        None,
        lambda w: mentorship.program_update(program=w.program, name="Northwind Mentoring"),
        None,
    ),
    "member added": (
        None,
        lambda w: mentorship.membership_add(
            program=w.program, user=UserFactory(name="Nia New"), role=Role.MENTEE
        ),
        None,
    ),
    "member removed (admin)": (
        None,
        lambda w: Membership.objects.get(
            program=w.program, user=w.users["other_mentee"], role=Role.MENTEE
        ).delete(),
        None,
    ),
    "invitation sent": (
        None,
        lambda w: mentorship.invitation_create(
            program=w.program, email="z@example.com", role=Role.MENTOR, invited_by=w.users["admin"]
        ),
        None,
    ),
    "invitation revoked": (
        None,
        lambda w: mentorship.invitation_revoke(invitation=w.invitation),
        None,
    ),
    "invitation accepted": (
        None,
        lambda w: mentorship.invitation_accept(
            invitation=w.invitation, user=UserFactory(email="new@example.com")
        ),
        None,
    ),
    "participants imported": (
        None,
        lambda w: mentorship.participants_import(
            program=w.program, text=PARTICIPANTS_CSV, by=w.users["admin"]
        ),
        None,
    ),
    "pairing paused": (
        None,
        lambda w: mentorship.pairing_pause(pairing=w.pairing, by=w.users["admin"], reason="Leave"),
        None,
    ),
    "pairing resumed": (
        lambda w: mentorship.pairing_pause(pairing=w.pairing, by=w.users["admin"]),
        lambda w: mentorship.pairing_resume(pairing=w.pairing, by=w.users["admin"]),
        None,
    ),
    "pairing completed": (
        None,
        lambda w: mentorship.pairing_complete(pairing=w.pairing, by=w.users["admin"]),
        None,
    ),
    "pairing ended": (
        None,
        lambda w: mentorship.pairing_end(pairing=w.pairing, by=w.users["admin"], reason="Moved"),
        None,
    ),
    "pairing reassigned": (
        None,
        lambda w: mentorship.pairing_reassign(
            pairing=w.pairing, new_mentor=w.users["other_mentor"], by=w.users["admin"]
        ),
        None,
    ),
    "pairing deleted (admin)": (None, lambda w: w.pairing.delete(), None),
    "agreement edited": (
        None,
        lambda w: mentorship.agreement_update(
            pairing=w.pairing,
            by=w.users["mentee"],
            meeting_frequency="Weekly",
            expectations="Bring one question.",
            boundaries="Weekdays only.",
        ),
        None,
    ),
    "check-in logged": (
        None,
        lambda w: mentorship.checkin_log(
            pairing=w.pairing,
            by=w.users["mentor"],
            occurred_on=date.today(),
            summary="Planned the next talk.",
        ),
        None,
    ),
    "feedback given": (
        None,
        lambda w: mentorship.feedback_give(
            pairing=w.pairing, author=w.users["mentee"], rating=5, shared=True
        ),
        None,
    ),
    "notification": (
        None,
        lambda w: notifications.notify(
            recipient=w.users["mentor"],
            kind=Kind.FEEDBACK,
            dedupe_key="sweep:pagecache:1",
            title="Mia logged progress",
            send_email=False,
        ),
        None,
    ),
    "notification read": (
        None,
        lambda w: notifications.notification_mark_read(notification=w.notification),
        None,
    ),
    "all notifications read": (
        None,
        lambda w: notifications.notification_mark_all_read(user=w.users["mentee"]),
        None,
    ),
    "name changed": (
        None,
        lambda w: user_update_profile(user=w.users["mentee"], name="Mia Moreau", timezone="UTC"),
        None,
    ),
    "mentor's name changed": (
        None,
        lambda w: user_update_profile(
            user=w.users["mentor"], name="Maria Moreno", timezone="Europe/Madrid"
        ),
        None,
    ),
    "goal edited in the Django admin": (
        None,
        lambda w: (setattr(w.goal, "title", "Edited by staff"), w.goal.save()),
        None,
    ),
    "goal deleted (admin)": (None, lambda w: w.goal.delete(), None),
    "milestone deleted (admin)": (None, lambda w: w.milestone.delete(), None),
    "update deleted (admin)": (None, lambda w: w.update.delete(), None),
    "comment deleted (admin)": (None, lambda w: w.comment.delete(), None),
    "check-in deleted (admin)": (
        None,
        lambda w: w.checkin.delete(),
        "check-ins are shown on the pairing page, which is not cached; the mentor dashboard "
        "shows the next one due, which deleting a past one does not move",
    ),
    "mentor deletes the account": (
        None,
        lambda w: account_delete(user=w.users["mentor"], password=PASSWORD),
        None,
    ),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_no_write_leaves_a_stale_page(world, scenario, quiet_request_log):
    setup, write, unchanged_because = SCENARIOS[scenario]
    if setup:
        setup(world)
    targets = readers(world)
    before = read_all(targets)
    assert {status for status, _content in before.values()} == {200}
    # Read twice: the second read is served from the cache (and verified).
    assert read_all(targets) == before
    write(world)
    after = read_all(
        [t for t in targets if not (scenario == "mentor deletes the account" and t[1] == "mentor")]
    )
    changed = [key for key in after if after[key] != before[key]]
    if unchanged_because:
        assert not changed, unchanged_because
    else:
        assert changed, f"{scenario!r} changed none of the cached pages"


def test_the_sweep_covers_the_cached_pages():
    assert set(cached_pages()) >= {
        "goals:goal_detail",
        "goals:mentee_dashboard",
        "goals:mentor_dashboard",
        "goals:review_queue",
        "mentorship:program_dashboard",
        "api:goal-list",
    }
