"""A program whose outcomes report was worked out by hand (see test_report.py): seven mentees,
five started pairings, one proposed, eight check-ins, seven goals (one private, one archived).

Today is 15 June 2026. Days between dates, for the record:
  A  joined 5 Jan, paired 15 Jan (10 days), started 20 Jan, active,   146 days so far
  B  joined 10 Jan, paired 30 Jan (20),     started 1 Feb,  ended 15 Mar (42 days)
  C  joined 1 Feb,  paired 1 Mar (28),      started 2 Mar,  completed 1 Jun (91 days)
  D  joined 1 Mar,  paired 11 Mar (10),     started 12 Mar, ended 1 Apr (20 days)
  E  joined 1 Apr,  paired 1 May (30),      started 5 May,  active,   41 days so far
  F  joined 1 May,  never paired
  G  joined 10 Apr, paired 1 Jun (52),      proposed (never started)
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from goals.models import GoalStatus, Visibility
from mentorship.models import CheckIn, Membership, PairingStatus, Role
from tests.factories import GoalFactory, MembershipFactory, PairingFactory, UserFactory

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


@dataclass
class World:
    program: object
    pairings: dict
    mentees: dict


def build(program, *, tag: str = "") -> World:
    """The hand-worked program's people, pairings, check-ins and goals in `program`."""
    mentor = UserFactory(email=f"report-mentor{tag}@example.com", name="Rita Mentor")
    MembershipFactory(program=program, user=mentor, role=Role.MENTOR, capacity=10)
    joined = {
        "A": date(2026, 1, 5),
        "B": date(2026, 1, 10),
        "C": date(2026, 2, 1),
        "D": date(2026, 3, 1),
        "E": date(2026, 4, 1),
        "F": date(2026, 5, 1),
        "G": date(2026, 4, 10),
    }
    mentees = {}
    for key, day in joined.items():
        user = UserFactory(email=f"report-{key.lower()}{tag}@example.com", name=f"Mentee {key}")
        membership = MembershipFactory(program=program, user=user, role=Role.MENTEE)
        Membership.objects.filter(pk=membership.pk).update(joined_at=at(day))
        mentees[key] = user
    plan = {
        # created, started, status, ended, reason, check-ins
        "A": (
            date(2026, 1, 15),
            date(2026, 1, 20),
            PairingStatus.ACTIVE,
            None,
            "",
            [date(2026, 1, 25), date(2026, 2, 5), date(2026, 5, 20), date(2026, 6, 10)],
        ),
        "B": (
            date(2026, 1, 30),
            date(2026, 2, 1),
            PairingStatus.ENDED,
            date(2026, 3, 15),
            "Mentor moved away",
            [date(2026, 2, 10)],
        ),
        "C": (
            date(2026, 3, 1),
            date(2026, 3, 2),
            PairingStatus.COMPLETED,
            date(2026, 6, 1),
            "",
            [date(2026, 3, 10), date(2026, 4, 10), date(2026, 5, 10)],
        ),
        "D": (
            date(2026, 3, 11),
            date(2026, 3, 12),
            PairingStatus.ENDED,
            date(2026, 4, 1),
            "Mentor moved away",
            [],
        ),
        "E": (date(2026, 5, 1), date(2026, 5, 5), PairingStatus.ACTIVE, None, "", []),
        "G": (date(2026, 6, 1), None, PairingStatus.PROPOSED, None, "", []),
    }
    pairings = {}
    for key, (created, started, status, ended, reason, checkins) in plan.items():
        pairing = PairingFactory(
            program=program,
            mentor=mentor,
            mentee=mentees[key],
            status=status,
            started_on=started,
            ended_on=ended,
            end_reason=reason,
            last_checkin_on=max(checkins) if checkins else None,
            created_at=at(created),
        )
        CheckIn.objects.bulk_create(
            CheckIn(pairing=pairing, occurred_on=day, summary="met", logged_by=mentor)
            for day in checkins
        )
        pairings[key] = pairing

    def goal(key, *, created, **fields):
        g = GoalFactory(
            mentee=mentees[key],
            program=program,
            pairing=pairings.get(key),
            **fields,
        )
        type(g).objects.filter(pk=g.pk).update(created_at=at(created))
        return g

    # g1: 5 of 10 since 1 Feb, target 1 Dec: 50 % against 134/303 of the time: on track.
    goal(
        "A",
        created=date(2026, 2, 10),
        current_value=5,
        starts_on=date(2026, 2, 1),
        target_date=date(2026, 12, 1),
    )
    # g2: completed on 10 March.
    goal(
        "B",
        created=date(2026, 2, 15),
        status=GoalStatus.COMPLETED,
        visibility=Visibility.PROGRAM,
        completed_at=at(date(2026, 3, 10)),
    )
    # g3: private: never counted.
    goal("A", created=date(2026, 3, 1), visibility=Visibility.PRIVATE, current_value=9)
    # g4: 1 of 10 since 1 Mar, target 1 Jul: 10 % against 106/122 of the time: off track.
    goal(
        "C",
        created=date(2026, 3, 5),
        current_value=1,
        starts_on=date(2026, 3, 1),
        target_date=date(2026, 7, 1),
    )
    # g5: 3 of 10 since 5 May, target 5 Sep: 30 % against 41/123 of the time: on track.
    goal(
        "E",
        created=date(2026, 5, 10),
        current_value=3,
        starts_on=date(2026, 5, 5),
        target_date=date(2026, 9, 5),
    )
    # g6: archived: left out, as on the program's goal list.
    goal("A", created=date(2026, 4, 1), archived_at=at(date(2026, 5, 1)))
    # g7: F's goal, no pairing: 0 % against 14/183 of the time: on track.
    goal(
        "F",
        created=date(2026, 6, 1),
        current_value=0,
        starts_on=date(2026, 6, 1),
        target_date=date(2026, 12, 1),
    )
    return World(program=program, pairings=pairings, mentees=mentees)


def grow(program, count: int) -> None:
    """`count` more started pairings with a check-in and a goal each (for query counts)."""
    mentor = UserFactory(email=f"grow-mentor{count}@example.com")
    for n in range(count):
        mentee = UserFactory(email=f"grow{count}-{n}@example.com")
        MembershipFactory(program=program, user=mentee, role=Role.MENTEE)
        pairing = PairingFactory(
            program=program,
            mentor=mentor,
            mentee=mentee,
            started_on=TODAY - timedelta(days=40 + n),
            status=[PairingStatus.ACTIVE, PairingStatus.ENDED][n % 2],
            ended_on=TODAY - timedelta(days=n) if n % 2 else None,
            end_reason=f"reason {n % 3}" if n % 2 else "",
        )
        CheckIn.objects.create(pairing=pairing, occurred_on=TODAY, summary="s", logged_by=mentor)
        GoalFactory(mentee=mentee, program=program, pairing=pairing)
