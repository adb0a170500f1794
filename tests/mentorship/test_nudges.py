"""Nudge rules: each step goes out once at its threshold, at 09:00 in each recipient's zone
(Berlin and Los Angeles here), not before, not twice, not after the occasion resolved or
while it is snoozed."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from mentorship import meetings, nudges, occasions, services
from mentorship.models import (
    ActionItem,
    Agreement,
    CheckIn,
    Membership,
    Nudge,
    NudgeRuleName,
    PairingStatus,
    Role,
)
from notifications import dispatch
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.schedule import zone
from tests.factories import MembershipFactory, PairingFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

# A Monday in May: no daylight-saving change in either zone during the runs.
DAY0 = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
BERLIN, LA = "Europe/Berlin", "America/Los_Angeles"


def day(n: int) -> date:
    return (DAY0 + timedelta(days=n)).date()


def at_nine(n: int, tz: str) -> datetime:
    return datetime.combine(day(n), datetime.min.time().replace(hour=9), zone(tz)).astimezone(UTC)


def run(traveller, start: datetime, end: datetime, step=timedelta(hours=1)) -> None:
    now = start
    while now < end:
        traveller.move_to(now)
        nudges.nudges_dispatch(now)
        now += step


def world(**rules):
    """A program with two admins (Berlin, Los Angeles), a mentor in Los Angeles, a mentee in
    Berlin; only the rules named on (each given as (first, second))."""
    program = ProgramFactory(name="Northwind", slug="northwind", checkin_cadence_days=14)
    settings = {
        rule: {"is_on": rule in rules, "first": first, "second": second}
        for rule, (first, second) in occasions.DEFAULT_RULES.items()
    }
    for rule, (first, second) in rules.items():
        settings[rule] = {"is_on": True, "first": first, "second": second}
    nudges.nudge_rules_update(program=program, settings=settings)
    people = {}
    for key, email, tz, role in (
        ("ada", "ada@example.com", BERLIN, Role.ADMIN),
        ("lee", "lee@example.com", LA, Role.ADMIN),
        ("maria", "maria@example.com", LA, Role.MENTOR),
        ("mia", "mia@example.com", BERLIN, Role.MENTEE),
    ):
        people[key] = UserFactory(email=email, name=key.title(), timezone=tz)
        MembershipFactory(program=program, user=people[key], role=role)
    program.refresh_from_db()
    return program, people


def rows(kind=None):
    qs = Notification.objects.filter(dedupe_key__startswith="nudge:")
    if kind:
        qs = qs.filter(kind=kind)
    return {(n.recipient.email.split("@")[0], n.payload["step"]): n for n in qs}


def sent_at(program, people, rule):
    return sorted(Nudge.objects.filter(program=program, rule=rule).values_list("step", flat=True))


def test_a_waiting_mentee_is_reported_to_both_admins_at_7_and_14_days_with_suggestions():
    with time_machine.travel(DAY0, tick=False) as traveller:
        program, p = world(**{NudgeRuleName.UNPAIRED: (7, 14)})
        # The mentor's membership makes him a suggestion for Mia.
        run(traveller, DAY0, datetime.combine(day(7), datetime.min.time(), UTC))
        assert rows() == {}  # not before
        run(traveller, datetime.combine(day(7), datetime.min.time(), UTC), DAY0 + timedelta(16))
    got = rows(Kind.NEEDS_ATTENTION)
    assert set(got) == {("ada", 1), ("lee", 1), ("ada", 2), ("lee", 2)}  # once each
    assert got[("ada", 1)].scheduled_for == at_nine(7, BERLIN)
    assert got[("lee", 1)].scheduled_for == at_nine(7, LA)
    assert got[("lee", 2)].scheduled_for == at_nine(14, LA)
    assert "Maria" in got[("ada", 2)].body and "Maria" not in got[("ada", 1)].body
    assert sent_at(program, p, NudgeRuleName.UNPAIRED) == [1, 2]


def test_a_mentee_paired_before_the_second_step_is_not_reported_again():
    with time_machine.travel(DAY0, tick=False) as traveller:
        program, p = world(**{NudgeRuleName.UNPAIRED: (7, 14)})
        run(traveller, DAY0 + timedelta(days=7), DAY0 + timedelta(days=8))
        services.pairing_create(program=program, mentor=p["maria"], mentee=p["mia"], by=p["ada"])
        run(traveller, DAY0 + timedelta(days=8), DAY0 + timedelta(days=16))
    assert set(rows(Kind.NEEDS_ATTENTION)) == {("ada", 1), ("lee", 1)}


def test_a_snooze_holds_the_step_until_it_ends():
    with time_machine.travel(DAY0, tick=False) as traveller:
        program, p = world(**{NudgeRuleName.UNPAIRED: (7, 14)})
        # 01:00 UTC on day 7: on the list, before anyone's 09:00.
        traveller.move_to(DAY0 + timedelta(days=7, hours=-11))
        [occasion] = occasions.open_occasions(program)
        nudges.nudge_snooze(program=program, occasion_key=occasion.key, by=p["ada"], days=3)
        run(traveller, DAY0 + timedelta(days=7, hours=-11), DAY0 + timedelta(days=10, hours=-12))
        assert rows() == {}
        run(traveller, DAY0 + timedelta(days=10, hours=-12), DAY0 + timedelta(days=11))
    got = rows(Kind.NEEDS_ATTENTION)
    assert set(got) == {("ada", 1), ("lee", 1)}
    assert got[("ada", 1)].scheduled_for == at_nine(10, BERLIN)


def test_a_proposed_pairing_reminds_who_has_not_accepted_then_the_admins():
    with time_machine.travel(DAY0, tick=False) as traveller:
        program, p = world(**{NudgeRuleName.UNACCEPTED: (5, 10)})
        pairing = services.pairing_create(
            program=program, mentor=p["maria"], mentee=p["mia"], by=p["ada"]
        )
        services.pairing_accept_agreement(pairing=pairing, user=p["maria"])
        run(traveller, DAY0, DAY0 + timedelta(days=12))
    got = rows()
    assert set(got) == {("mia", 1), ("ada", 2), ("lee", 2)}
    assert got[("mia", 1)].kind == Kind.NUDGE
    assert got[("mia", 1)].scheduled_for == at_nine(5, BERLIN)
    assert got[("ada", 2)].kind == Kind.NEEDS_ATTENTION


def test_an_accepted_pairing_hears_nothing_more():
    with time_machine.travel(DAY0, tick=False) as traveller:
        program, p = world(**{NudgeRuleName.UNACCEPTED: (5, 10)})
        pairing = services.pairing_create(
            program=program, mentor=p["maria"], mentee=p["mia"], by=p["ada"]
        )
        run(traveller, DAY0, DAY0 + timedelta(days=6))
        services.pairing_accept_agreement(pairing=pairing, user=p["maria"])
        services.pairing_accept_agreement(pairing=pairing, user=p["mia"])
        run(traveller, DAY0 + timedelta(days=6), DAY0 + timedelta(days=11))
    assert set(rows()) == {("mia", 1), ("maria", 1)}


def test_no_meeting_tells_the_pair_after_cadence_plus_2_then_the_admins_after_plus_7():
    with time_machine.travel(DAY0, tick=False) as traveller:
        program, p = world(**{NudgeRuleName.NO_MEETING: (2, 7)})
        PairingFactory(program=program, mentor=p["maria"], mentee=p["mia"], started_on=day(0))
        run(traveller, DAY0 + timedelta(days=15), DAY0 + timedelta(days=23))
    got = rows()
    assert set(got) == {("maria", 1), ("mia", 1), ("ada", 2), ("lee", 2)}
    assert got[("maria", 1)].scheduled_for == at_nine(16, LA)
    assert got[("mia", 1)].scheduled_for == at_nine(16, BERLIN)
    assert got[("ada", 2)].kind == Kind.PAIRING_STALLED
    assert got[("lee", 2)].scheduled_for == at_nine(21, LA)


def test_a_meeting_logged_resolves_the_drift_and_a_new_one_is_a_new_occasion():
    with time_machine.travel(DAY0, tick=False) as traveller:
        program, p = world(**{NudgeRuleName.NO_MEETING: (2, 7)})
        pairing = PairingFactory(
            program=program, mentor=p["maria"], mentee=p["mia"], started_on=day(0)
        )
        run(traveller, DAY0 + timedelta(days=16), DAY0 + timedelta(days=17))
        assert set(rows()) == {("maria", 1), ("mia", 1)}
        services.checkin_log(pairing=pairing, by=p["maria"], occurred_on=day(17), summary="Met")
        run(traveller, DAY0 + timedelta(days=17), DAY0 + timedelta(days=33, hours=-12))
        assert len(rows()) == 2  # the admins' step of the first drift never came
        # The new drift's first step: 16 days after the meeting.
        run(traveller, DAY0 + timedelta(days=33, hours=-12), DAY0 + timedelta(days=34))
    starts = set(Nudge.objects.values_list("occasion_start", flat=True))
    assert starts == {day(0), day(17)}
    assert Notification.objects.filter(kind=Kind.NUDGE).count() == 4


def test_a_quiet_pair_is_warned_then_the_admins_asked_to_close_or_renew():
    with time_machine.travel(DAY0, tick=False) as traveller:
        program, p = world(**{NudgeRuleName.INACTIVE: (3, 6)})
        pairing = PairingFactory(
            program=program, mentor=p["maria"], mentee=p["mia"], started_on=day(0)
        )
        run(traveller, DAY0, DAY0 + timedelta(days=8))
    got = rows()
    assert set(got) == {("maria", 1), ("mia", 1), ("ada", 2), ("lee", 2)}
    assert "Close or renew" in got[("ada", 2)].title
    assert got[("ada", 2)].url.endswith(f"/pairings/{pairing.uuid}/")


def test_a_message_is_activity():
    with time_machine.travel(DAY0, tick=False) as traveller:
        program, p = world(**{NudgeRuleName.INACTIVE: (3, 6)})
        pairing = PairingFactory(
            program=program, mentor=p["maria"], mentee=p["mia"], started_on=day(0)
        )
        traveller.move_to(DAY0 + timedelta(days=2))
        services.message_post(pairing=pairing, author=p["mia"], body="Hello!")
        # Without it, the first step was due on day 3; now it is on day 5.
        run(traveller, DAY0 + timedelta(days=2), DAY0 + timedelta(days=5, hours=-12))
        assert rows() == {}
        run(traveller, DAY0 + timedelta(days=5, hours=-12), DAY0 + timedelta(days=5))
    assert rows()[("mia", 1)].scheduled_for == at_nine(5, BERLIN)


def test_an_overdue_action_item_reminds_its_owner_once_unless_done():
    with time_machine.travel(DAY0, tick=False) as traveller:
        program, p = world(**{NudgeRuleName.ACTION_OVERDUE: (1, None)})
        pairing = PairingFactory(
            program=program, mentor=p["maria"], mentee=p["mia"], started_on=day(0)
        )
        ActionItem.objects.create(pairing=pairing, owner=p["mia"], title="Slides", due_on=day(1))
        done = ActionItem.objects.create(
            pairing=pairing, owner=p["maria"], title="Done", due_on=day(1)
        )
        meetings.action_item_set_done(item=done, by=p["maria"])
        run(traveller, DAY0, DAY0 + timedelta(days=4))
    got = rows(Kind.ACTION_ITEM_OVERDUE)
    assert set(got) == {("mia", 1)}
    assert got[("mia", 1)].scheduled_for == at_nine(2, BERLIN)


def test_a_rule_switched_off_sends_nothing_and_a_second_pass_creates_nothing():
    with time_machine.travel(DAY0, tick=False) as traveller:
        program, p = world()
        PairingFactory(program=program, mentor=p["maria"], mentee=p["mia"], started_on=day(0))
        run(traveller, DAY0, DAY0 + timedelta(days=22), step=timedelta(hours=6))
        assert rows() == {}
        nudges.nudge_rules_update(
            program=program,
            settings={NudgeRuleName.NO_MEETING: {"is_on": True, "first": 2, "second": 7}},
        )
        now = at_nine(22, LA)
        traveller.move_to(now)
        first = nudges.nudges_dispatch(now)
        second = nudges.nudges_dispatch(now)
    # Found late: only the highest step (the admins', both still in their day's window),
    # not the pair's first one after it.
    assert first == {Kind.PAIRING_STALLED: 2} and second == {}
    assert Nudge.objects.count() == 1


def test_the_dispatcher_pass_sends_nudges_and_delivers_them():
    from django.core import mail

    from notifications.delivery import deliver, pending_ids

    with time_machine.travel(DAY0, tick=False) as traveller:
        program, p = world(**{NudgeRuleName.UNPAIRED: (7, 14)})
        now = at_nine(7, BERLIN)
        traveller.move_to(now)
        dispatch.dispatch(now, enqueue=False)
        deliver(pending_ids(now=now))
    [message] = [m for m in mail.outbox if "waiting for a mentor" in m.subject]
    assert message.to == ["ada@example.com"]
    assert "List-Unsubscribe" in message.extra_headers
    assert message.alternatives  # HTML part
    assert Notification.objects.filter(recipient=p["ada"], kind=Kind.NEEDS_ATTENTION).count() == 1


def test_open_occasions_and_the_count_agree():
    with time_machine.travel(DAY0 + timedelta(days=40), tick=False):
        program, p = world(**occasions.DEFAULT_RULES)
        Membership.objects.filter(program=program).update(joined_at=DAY0)
        extra = UserFactory(email="x@example.com")
        MembershipFactory(program=program, user=extra, role=Role.MENTEE)
        proposed = PairingFactory(
            program=program, mentor=p["maria"], mentee=extra, status=PairingStatus.PROPOSED
        )
        Agreement.objects.create(pairing=proposed)
        proposed.__class__.objects.filter(pk=proposed.pk).update(created_at=DAY0)
        CheckIn.objects.create(
            pairing=PairingFactory(
                program=program,
                mentor=p["maria"],
                mentee=UserFactory(email="y@example.com"),
                started_on=day(0),
            ),
            occurred_on=day(1),
            summary="s",
        )
        listed = occasions.open_occasions(program)
        from mentorship.selectors import program_dashboard

        count = program_dashboard(program).attention_count
        assert {o.rule for o in listed} == {
            NudgeRuleName.UNPAIRED,
            NudgeRuleName.UNACCEPTED,
            NudgeRuleName.NO_MEETING,
        }
        assert count == len(listed) == occasions.attention_count(program)
        nudges.nudge_snooze(program=program, occasion_key=listed[0].key, by=p["ada"], days=5)
        assert program_dashboard(program).attention_count == count - 1
        assert occasions.attention_count(program) == count - 1
