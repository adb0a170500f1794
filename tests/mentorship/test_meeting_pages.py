"""The meeting pages: the pair proposes, picks, adds to the agenda, logs and ticks; everyone
else gets 404 (the program's admins included), a paused pairing reads only; the pairing
page shows the next meeting, its agenda, the last notes and the open action items; query
counts pinned at two sizes."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from mentorship import meetings
from mentorship.models import (
    ActionItem,
    AgendaItem,
    CheckIn,
    Meeting,
    MeetingStatus,
    PairingStatus,
)
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

# The user's row, the pairing's, the viewer's facts, the unread count, then the page's own:
# the meeting (with its proposer and check-in), its agenda, the open action items and the
# goals behind the suggestions.
MEETING_PAGE_QUERIES = 8
# As tests/mentorship/test_query_counts.py: the meetings, their agendas, the action items and
# the mentee's other pairings come in one query.
PAIRING_PAGE_QUERIES = 8


def local_input(moment: datetime, tz: str = "UTC") -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


def test_the_whole_round_through_the_pages(client, pairing, mentor, mentee):
    mentee.timezone = "America/New_York"
    mentee.save(update_fields=["timezone"])
    start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    client.force_login(mentor)
    new = reverse("mentorship:meeting_new", args=[pairing.uuid])
    page = client.get(new)
    assert page.status_code == 200 and "cadence" in page.content.decode()
    response = client.post(
        new,
        {
            "time_1": local_input(start),
            "time_2": local_input(start + timedelta(days=1)),
            "duration": 30,
            "location": "https://meet.example.org/x",
        },
    )
    meeting = Meeting.objects.get(pairing=pairing)
    detail = reverse("mentorship:meeting_detail", args=[pairing.uuid, meeting.uuid])
    assert response.status_code == 302 and response["Location"] == detail
    # The proposer cannot pick; the other side sees each time in both zones.
    assert "Pick this time" not in client.get(detail).content.decode()
    client.force_login(mentee)
    body = client.get(detail).content.decode()
    assert "Pick this time" in body and "(America/New_York)" in body and "(UTC)" in body
    pick = reverse("mentorship:meeting_pick", args=[pairing.uuid, meeting.uuid])
    assert client.post(pick, {"starts_at": start.isoformat()}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONFIRMED and meeting.starts_at == start
    add = reverse("mentorship:agenda_add", args=[pairing.uuid, meeting.uuid])
    client.post(add, {"text": "Talk outline"})
    client.force_login(mentor)
    client.post(add, {"text": "Feedback on the demo"})
    assert list(AgendaItem.objects.values_list("text", flat=True)) == [
        "Talk outline",
        "Feedback on the demo",
    ]
    pairing_page = client.get(reverse("mentorship:pairing_detail", args=[pairing.uuid]))
    html = pairing_page.content.decode()
    assert "Next meeting" in html and "Talk outline" in html and "Feedback on the demo" in html
    # After the meeting: the log form starts from the agenda.
    log = reverse("mentorship:meeting_log", args=[pairing.uuid, meeting.uuid])
    assert client.get(log).status_code == 403  # not yet
    with time_machine.travel(start + timedelta(hours=1)):
        client.force_login(mentor)
        form = client.get(log)
        assert form.status_code == 200
        assert "- Talk outline\n- Feedback on the demo" in form.context["form"].initial["summary"]
        response = client.post(
            log,
            {
                "occurred_on": start.date().isoformat(),
                "summary": "Went through the outline.",
                "action_1_title": "Draft the slides",
                "action_1_owner": mentee.pk,
                "action_1_due": (start.date() + timedelta(days=5)).isoformat(),
                "action_2_title": "Send two example talks",
                "action_2_owner": mentor.pk,
            },
        )
        assert response.status_code == 302
        assert response["Location"].endswith("?after=log")
        offer = client.get(response["Location"])
        assert "Schedule the next meeting" in offer.content.decode()
    assert CheckIn.objects.get(pairing=pairing).summary == "Went through the outline."
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.DONE
    slides = ActionItem.objects.get(title="Draft the slides")
    tick = reverse("mentorship:action_item_tick", args=[pairing.uuid, slides.uuid])
    assert client.post(tick).status_code == 403  # Maria does not own it
    client.force_login(mentee)
    assert client.post(tick).status_code == 302
    slides.refresh_from_db()
    assert slides.done_at is not None
    html = client.get(reverse("mentorship:pairing_detail", args=[pairing.uuid])).content.decode()
    assert "Send two example talks" in html and "Went through the outline." in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_strangers_and_admins_get_404(
    client, pairing, mentor, admin, stranger, other_mentor, method
):
    meeting = meetings.meeting_propose(
        pairing=pairing,
        by=mentor,
        candidate_times=[timezone.now() + timedelta(days=2)],
        duration=30,
    )
    urls = [
        reverse("mentorship:meeting_new", args=[pairing.uuid]),
        reverse("mentorship:meeting_counter", args=[pairing.uuid, meeting.uuid]),
    ]
    if method == "get":
        urls.append(reverse("mentorship:meeting_detail", args=[pairing.uuid, meeting.uuid]))
    else:
        urls.append(reverse("mentorship:meeting_cancel", args=[pairing.uuid, meeting.uuid]))
    for person in (admin, stranger, other_mentor):
        client.force_login(person)
        for url in urls:
            assert getattr(client, method)(url).status_code == 404, (person, url)


def test_a_paused_pairing_reads_only(client, pairing, mentor, mentee):
    meeting = meetings.meeting_propose(
        pairing=pairing,
        by=mentor,
        candidate_times=[timezone.now() + timedelta(days=2)],
        duration=30,
    )
    pairing.status = PairingStatus.PAUSED
    pairing.save(update_fields=["status"])
    client.force_login(mentee)
    detail = reverse("mentorship:meeting_detail", args=[pairing.uuid, meeting.uuid])
    assert client.get(detail).status_code == 200
    assert client.get(reverse("mentorship:meeting_new", args=[pairing.uuid])).status_code == 403
    cancel = reverse("mentorship:meeting_cancel", args=[pairing.uuid, meeting.uuid])
    assert client.post(cancel).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PROPOSED


def test_wrong_methods(client, pairing, mentor):
    meeting = meetings.meeting_propose(
        pairing=pairing,
        by=mentor,
        candidate_times=[timezone.now() + timedelta(days=2)],
        duration=30,
    )
    client.force_login(mentor)
    for name in ("meeting_pick", "meeting_cancel", "agenda_add"):
        assert (
            client.get(reverse(f"mentorship:{name}", args=[pairing.uuid, meeting.uuid])).status_code
            == 405
        )
    assert (
        client.post(
            reverse("mentorship:meeting_detail", args=[pairing.uuid, meeting.uuid])
        ).status_code
        == 405
    )


def grow(pairing, mentor, mentee, size: int) -> Meeting:
    """`size` meetings done with two action items each (one open), `size` agenda points on
    the next confirmed meeting, and `size` proposals waiting."""
    now = timezone.now().replace(microsecond=0)
    done = Meeting.objects.bulk_create(
        [
            Meeting(
                pairing=pairing,
                proposed_by=mentor,
                status=MeetingStatus.DONE,
                starts_at=now - timedelta(days=n + 1),
                uid=f"done-{n}@example.org",
            )
            for n in range(size)
        ]
    )
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                pairing=pairing,
                meeting=m,
                owner=mentee if n % 2 else mentor,
                title=f"Step {n}",
                due_on=date.today() + timedelta(days=n % 5),
                done_at=now if n % 2 else None,
            )
            for m in done
            for n in range(2)
        ]
    )
    upcoming = Meeting.objects.create(
        pairing=pairing,
        proposed_by=mentor,
        status=MeetingStatus.CONFIRMED,
        starts_at=now + timedelta(days=2),
        uid="next@example.org",
    )
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=upcoming, author=mentee, text=f"Point {n}") for n in range(size)]
    )
    Meeting.objects.bulk_create(
        [
            Meeting(
                pairing=pairing,
                proposed_by=mentee,
                candidate_times=[(now + timedelta(days=5, hours=n)).isoformat()],
                uid=f"proposed-{n}@example.org",
            )
            for n in range(size)
        ]
    )
    CheckIn.objects.bulk_create(
        [
            CheckIn(pairing=pairing, occurred_on=date.today(), summary=f"n{n}", logged_by=mentor)
            for n in range(size)
        ]
    )
    return upcoming


@pytest.mark.parametrize("size", [10, 100])
@pytest.mark.parametrize("viewer", ["mentor", "mentee", "admin"])
def test_pairing_page_queries(
    client, request, pairing, mentor, mentee, admin, size, viewer, django_assert_num_queries
):
    AgreementFactory(pairing=pairing)
    grow(pairing, mentor, mentee, size)
    client.force_login(request.getfixturevalue(viewer))
    url = reverse("mentorship:pairing_detail", args=[pairing.uuid])
    # The program's admins read no survey answer: one query fewer.
    expected = PAIRING_PAGE_QUERIES - 1 if viewer == "admin" else PAIRING_PAGE_QUERIES
    with django_assert_num_queries(expected):
        response = client.get(url)
    block = response.context["page"].meetings
    assert block.next_meeting is not None and len(block.next_meeting.agenda) == size
    assert len(block.open_actions) == size and len(block.proposed) == size


@pytest.mark.parametrize("size", [10, 100])
@pytest.mark.parametrize("viewer", ["mentor", "mentee"])
def test_meeting_page_queries(
    client, request, program, pairing, mentor, mentee, size, viewer, django_assert_num_queries
):
    from goals.kinds import Visibility
    from tests.factories import GoalFactory, ProgressUpdateFactory

    upcoming = grow(pairing, mentor, mentee, size)
    for _n in range(size // 10):
        goal = GoalFactory(
            mentee=mentee,
            program=program,
            pairing=pairing,
            visibility=Visibility.MENTOR,
            status="active",
        )
        ProgressUpdateFactory(goal=goal)
    client.force_login(request.getfixturevalue(viewer))
    url = reverse("mentorship:meeting_detail", args=[pairing.uuid, upcoming.uuid])
    with django_assert_num_queries(MEETING_PAGE_QUERIES):
        response = client.get(url)
    assert len(response.context["page"].agenda) == size
    assert response.context["page"].suggestions


def test_dashboard_counts_meetings_per_month_and_flags_pairs_below_the_rule(
    client, program, pairing, other_pairing, admin, mentor
):
    """MENTOR's rule (new programs' default): two meetings in the first month, then monthly."""
    from mentorship.models import MeetingRule, Program

    assert Program().meeting_rule == MeetingRule.MENTOR
    today = date(2026, 3, 20)
    # Mia's pairing started 40 days ago and met twice in its first month: fine.
    pairing.started_on = today - timedelta(days=40)
    pairing.last_checkin_on = today - timedelta(days=15)
    pairing.save()
    for days in (35, 15):
        CheckIn.objects.create(
            pairing=pairing, occurred_on=today - timedelta(days=days), summary="s", logged_by=mentor
        )
    # Noah's started 40 days ago and met once: below the rule.
    other_pairing.started_on = today - timedelta(days=40)
    other_pairing.last_checkin_on = today - timedelta(days=20)
    other_pairing.save()
    CheckIn.objects.create(
        pairing=other_pairing, occurred_on=today - timedelta(days=20), summary="s", logged_by=mentor
    )
    with time_machine.travel(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        client.force_login(admin)
        response = client.get(reverse("mentorship:program_dashboard", args=[program.uuid]))
    dashboard = response.context["dashboard"]
    assert [p.pk for p in dashboard.below_meeting_rule] == [other_pairing.pk]
    rows = {p.pk: p.meetings_by_month for p in dashboard.active_pairings}
    # January, February, March: 13 Feb and 5 Mar for Mia; 28 Feb for Noah.
    assert rows[pairing.pk] == (0, 1, 1) and rows[other_pairing.pk] == (0, 1, 0)
    assert "below the expected meetings" in response.content.decode()
    program.meeting_rule = MeetingRule.NONE
    program.save()
    with time_machine.travel(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        response = client.get(reverse("mentorship:program_dashboard", args=[program.uuid]))
    assert response.context["dashboard"].below_meeting_rule == []


def test_admin_pages_render(client, pairing, mentor, mentee):
    from tests.factories import UserFactory
    from tests.two_factor import sign_in_with_totp

    upcoming = grow(pairing, mentor, mentee, 2)
    item = ActionItem.objects.filter(pairing=pairing).first()
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in_with_totp(client, staff)
    for model, obj in [("meeting", upcoming), ("actionitem", item)]:
        assert client.get(reverse(f"admin:mentorship_{model}_changelist")).status_code == 200
        change = reverse(f"admin:mentorship_{model}_change", args=[obj.pk])
        assert client.get(change).status_code == 200


def test_the_rule_is_a_setting_of_the_program_page(program):
    from mentorship.forms import ProgramForm
    from mentorship.models import MeetingRule

    form = ProgramForm(instance=program)
    assert "meeting_rule" in form.fields
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["meeting_rule"] = MeetingRule.CADENCE
    bound = ProgramForm(data, instance=program)
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["meeting_rule"] == MeetingRule.CADENCE
    del data["meeting_rule"]  # left out: the program keeps its rule
    kept = ProgramForm(data, instance=program)
    assert kept.is_valid() and kept.cleaned_data["meeting_rule"] == program.meeting_rule


def test_a_logged_meeting_lists_its_own_action_items(client, pairing, mentor, mentee):
    start = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    meeting = meetings.meeting_propose(
        pairing=pairing, by=mentor, candidate_times=[start], duration=30
    )
    meetings.meeting_pick(meeting=meeting, by=mentee, starts_at=start)
    earlier = ActionItem.objects.create(pairing=pairing, owner=mentee, title="From before")
    with time_machine.travel(start + timedelta(hours=1)):
        meetings.meeting_log(
            meeting=meeting,
            by=mentor,
            occurred_on=start.date(),
            summary="Notes",
            action_items=[
                {"title": "Open one", "owner": mentee.pk, "due_on": None},
                {"title": "Done one", "owner": mentor.pk, "due_on": None},
            ],
        )
    done = ActionItem.objects.get(title="Done one")
    meetings.action_item_set_done(item=done, by=mentor)
    client.force_login(mentee)
    page = client.get(reverse("mentorship:meeting_detail", args=[pairing.uuid, meeting.uuid]))
    titles = {a.title for a in page.context["page"].open_actions}
    assert titles == {"Open one", "Done one"}
    assert earlier.title not in titles
