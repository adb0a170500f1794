"""The access matrix's rows for a mentor whose pairing is only proposed: until both sides
accept the agreement, mentee A's goals, milestones, updates and comments answer her proposed
mentor exactly as they answer another mentor of the program (404), by page and by API."""

import pytest

from mentorship.models import Pairing, PairingStatus

from .access import client_for, patterns_to_cover, status_of, url_for
from .conftest import PERSONAS
from .test_access_matrix import MATRIX, OWN_SCOPE_ROWS

GOAL_ROW_PREFIXES = (
    "goals:goal_detail",
    "goals:goal_edit",
    "goals:goal_status",
    "goals:goal_move",
    "goals:milestone_",
    "goals:update_",
    "goals:comment_",
    "api:goal-",
    "api:milestone-",
    "api:progressupdate-",
    "api:comment-",
)


def goal_rows() -> list[str]:
    return [
        name
        for name in patterns_to_cover()
        if name not in OWN_SCOPE_ROWS and name.startswith(GOAL_ROW_PREFIXES)
    ]


def test_there_are_goal_rows_to_check():
    assert {"goals:goal_detail", "api:goal-detail", "api:comment-detail"} <= set(goal_rows())


@pytest.mark.django_db
def test_a_proposed_pairings_mentor_is_an_outsider_to_her_goals(world, quiet_request_log):
    Pairing.objects.filter(pk=world.pairing.pk).update(status=PairingStatus.PROPOSED)
    mentor = client_for(world.users["mentor"])
    column = PERSONAS.index("other_mentor")
    mismatches = []
    for name in goal_rows():
        url = url_for(name, world)
        for method, row in zip(("GET", "POST"), MATRIX[name], strict=True):
            expected = row.split()[column]
            got = status_of(mentor, method, url)
            if got != expected:
                mismatches.append(f"{method} {name}: {got}, expected {expected}")
    assert not mismatches, "\n".join(mismatches)
