"""The needs-attention page, its count on the dashboard, the forms of a nudge by hand, a
snooze and the nudge rules, with bad input; queries pinned at two data sizes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship import occasions
from mentorship.models import (
    Agreement,
    Membership,
    Nudge,
    NudgeRuleName,
    Pairing,
    PairingStatus,
    Program,
    Role,
)
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import PairingFactory, UserFactory

pytestmark = pytest.mark.django_db

# The signed-in user, the program, the viewer's facts and the unread count, then the
# occasions (one UNION) and what was done about them.
ATTENTION_QUERIES = 6
RULES_QUERIES = 4


def grow(program, mentor, size: int, tag: str) -> None:
    """`size` waiting mentees, proposed pairings and pairs that have not met, all past their
    first step, and a nudge and a snooze on some."""
    long_ago = timezone.now() - timedelta(days=40)
    for i in range(size):
        waiting = UserFactory(email=f"w-{tag}{i}@example.com")
        Membership.objects.create(program=program, user=waiting, role=Role.MENTEE)
        proposed = PairingFactory(
            program=program,
            mentor=mentor,
            mentee=UserFactory(email=f"p-{tag}{i}@example.com"),
            status=PairingStatus.PROPOSED,
            started_on=None,
        )
        Agreement.objects.create(pairing=proposed)
        PairingFactory(
            program=program,
            mentor=mentor,
            mentee=UserFactory(email=f"q-{tag}{i}@example.com"),
            started_on=long_ago.date(),
        )
    Membership.objects.filter(program=program).update(joined_at=long_ago)
    Pairing.objects.filter(program=program).update(created_at=long_ago)
    listed = occasions.open_occasions(program)
    for o in listed[:2]:
        Nudge.objects.create(
            program=program,
            rule=o.rule,
            step=1,
            occasion_start=o.start,
            sent_at=timezone.now(),
            **{f"{o.subject_field}_id": o.subject_pk},
        )


@pytest.fixture
def url(program):
    return reverse("mentorship:program_attention", args=[program.uuid])


@pytest.mark.parametrize("size", [2, 12])
def test_the_page_makes_a_fixed_number_of_queries(
    client, program, admin, mentor, url, size, django_assert_num_queries
):
    grow(program, mentor, size, "a")
    client.force_login(admin)
    with django_assert_num_queries(ATTENTION_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["waiting"]) == 3 * size


@pytest.mark.parametrize("size", [2, 12])
def test_the_rules_page_makes_a_fixed_number_of_queries(
    client, program, admin, size, django_assert_num_queries
):
    client.force_login(admin)
    with django_assert_num_queries(RULES_QUERIES):
        response = client.get(reverse("mentorship:nudge_rules", args=[program.uuid]))
    assert response.status_code == 200


def test_the_dashboard_count_agrees_with_the_list(client, program, admin, mentor, url):
    grow(program, mentor, 3, "c")
    client.force_login(admin)
    [first, *_rest] = client.get(url).context["waiting"]
    client.post(
        reverse("mentorship:attention_snooze", args=[program.uuid]),
        {"occasion": first.key, "days": 5},
    )
    page = client.get(url)
    dashboard = client.get(reverse("mentorship:program_dashboard", args=[program.uuid]))
    assert dashboard.context["dashboard"].attention_count == len(page.context["waiting"]) == 8
    assert len(page.context["snoozed"]) == 1
    assert "8 need attention" in dashboard.content.decode()


def test_an_admin_sends_a_nudge_with_a_message_to_the_people_concerned(
    client, program, admin, mentor, url
):
    grow(program, mentor, 1, "n")
    client.force_login(admin)
    waiting = client.get(url).context["waiting"]
    proposal = next(o for o in waiting if o.rule == NudgeRuleName.UNACCEPTED)
    response = client.post(
        reverse("mentorship:attention_nudge", args=[program.uuid]),
        {"occasion": proposal.key, "message": "Please read the agreement this week."},
    )
    assert response.status_code == 302
    nudge = Nudge.objects.get(sent_by=admin)
    assert nudge.step == Nudge.BY_HAND and nudge.pairing_id == proposal.subject_pk
    got = Notification.objects.filter(kind=Kind.NUDGE)
    assert {n.recipient_id for n in got} == set(proposal.person_ids)
    assert all("Please read the agreement" in n.body for n in got)
    page = client.get(url).content.decode()
    assert "Please read the agreement" in page  # in the occasion's history


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"message": "Hi"}, "This field is required"),  # no occasion
        ({"occasion": "unpaired:nonsense:2020-01-01", "message": "Hi"}, "resolved"),
        ({"occasion": "KEY", "message": ""}, "This field is required"),
        ({"occasion": "KEY", "message": "x" * 1001}, "at most 1000"),
    ],
)
def test_bad_nudges_are_form_errors(client, program, admin, mentor, url, data, error):
    grow(program, mentor, 1, "b")
    client.force_login(admin)
    key = client.get(url).context["waiting"][0].key
    data = {k: (key if v == "KEY" else v) for k, v in data.items()}
    response = client.post(reverse("mentorship:attention_nudge", args=[program.uuid]), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Nudge.objects.filter(sent_by=admin).exists()
    assert not Notification.objects.filter(kind=Kind.NUDGE).exists()


@pytest.mark.parametrize(
    ("days", "error"),
    [
        ("", "required"),
        ("0", "greater than or equal to 1"),
        ("91", "less than or equal"),
        ("x", "whole number"),
    ],
)
def test_bad_snoozes_are_form_errors(client, program, admin, mentor, url, days, error):
    grow(program, mentor, 1, "s")
    client.force_login(admin)
    key = client.get(url).context["waiting"][0].key
    response = client.post(
        reverse("mentorship:attention_snooze", args=[program.uuid]),
        {"occasion": key, "days": days},
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Nudge.objects.filter(snoozed_until__isnull=False).exists()


def _rules_data(**changes):
    data = {}
    for rule, (first, second) in occasions.DEFAULT_RULES.items():
        data[f"{rule}_on"] = "on"
        data[f"{rule}_first"] = str(first)
        if second is not None:
            data[f"{rule}_second"] = str(second)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_rules_form_saves_numbers_and_switches_a_rule_off(client, program, admin):
    client.force_login(admin)
    rules_url = reverse("mentorship:nudge_rules", args=[program.uuid])
    response = client.post(
        rules_url, _rules_data(unpaired_first="3", unpaired_second="9", inactive_on=None)
    )
    assert response.status_code == 302
    rules = occasions.program_rules(Program.objects.get(pk=program.pk))
    assert (rules["unpaired"].first, rules["unpaired"].second) == (3, 9)
    assert rules["inactive"].is_on is False and rules["no_meeting"].is_on is True


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"unpaired_second": "7"}, "second step must come after the first"),
        ({"unaccepted_second": "2"}, "second step must come after the first"),
        ({"no_meeting_first": "0"}, "greater than or equal to 1"),
        ({"inactive_first": "-5"}, "greater than or equal to 1"),
        ({"action_overdue_first": ""}, "required"),
        ({"unpaired_first": "abc"}, "whole number"),
    ],
)
def test_bad_rules_are_form_errors_and_nothing_is_saved(client, program, admin, changes, error):
    client.force_login(admin)
    response = client.post(
        reverse("mentorship:nudge_rules", args=[program.uuid]), _rules_data(**changes)
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert Program.objects.get(pk=program.pk).nudge_rules == {}


def test_the_demo_leaves_occasions_on_the_list_and_seeding_again_adds_none():
    from mentorship import demo

    demo.seed(password="demo-mentoring-2026")
    program = Program.objects.get(slug="demo-2026")
    first = [o.key for o in occasions.open_occasions(program)]
    demo.seed(password="demo-mentoring-2026")
    again = occasions.open_occasions(program)
    assert [o.key for o in again] == first
    rules = {o.rule for o in again}
    assert {NudgeRuleName.UNPAIRED, NudgeRuleName.NO_MEETING} <= rules
    assert any("Ben" in o.names[0] for o in again if o.rule == NudgeRuleName.UNPAIRED)
