"""The pair's conversation: who reads and writes it, corrections, read marks and unread
counts, e-mail notices (gathered, quiet hours, escaped), references to goals, and the
pages' fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.viewer import Viewer
from goals.models import Visibility
from mentorship import selectors, services
from mentorship.models import Message, MessageRead, PairingStatus
from notifications.email import build_notification_email
from notifications.kinds import Kind
from notifications.models import Notification, Preferences
from tests.factories import AgreementFactory, GoalFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _agreement(pairing):
    AgreementFactory(pairing=pairing)


def url(pairing, name="mentorship:pairing_conversation"):
    return reverse(name, args=[pairing.uuid])


def post(client, pairing, body, **extra):
    return client.post(url(pairing, "mentorship:pairing_message_post"), {"body": body, **extra})


def test_the_pair_write_and_read_each_other(client, pairing, mentee, mentor):
    client.force_login(mentee)
    response = post(client, pairing, "Shall we meet on Thursday?")
    assert response.status_code == 302
    message = Message.objects.get()
    assert response["Location"].endswith(f"#message-{message.uuid}")
    client.force_login(mentor)
    page = client.get(url(pairing))
    assert page.status_code == 200
    assert "Shall we meet on Thursday?" in page.content.decode()
    assert page.context["page"].rows[0].is_new


@pytest.mark.parametrize("who", ["admin", "other_mentor", "other_mentee", "other_admin"])
def test_everyone_outside_the_pair_gets_404(request, client, pairing, mentee, who):
    message = services.message_post(pairing=pairing, author=mentee, body="Private words")
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(pairing)).status_code == 404
    assert client.get(url(pairing, "mentorship:pairing_messages_new")).status_code == 404
    assert post(client, pairing, "hello").status_code == 404
    edit = reverse("mentorship:message_edit", args=[pairing.uuid, message.uuid])
    assert client.get(edit).status_code == 404
    assert Message.objects.count() == 1


def test_an_ended_pairing_is_read_only(client, pairing, mentee, mentor):
    message = services.message_post(pairing=pairing, author=mentee, body="Thank you for all!")
    pairing.status = PairingStatus.ENDED
    pairing.ended_on = date.today()
    pairing.save()
    client.force_login(mentee)
    page = client.get(url(pairing))
    assert page.status_code == 200
    assert "Thank you for all!" in page.content.decode()
    assert page.context["form"] is None
    refused = post(client, pairing, "One more thing")
    assert refused.status_code == 409
    assert "no new messages can be written" in refused.content.decode()
    assert Message.objects.count() == 1
    edit = reverse("mentorship:message_edit", args=[pairing.uuid, message.uuid])
    assert client.post(edit, {"body": "changed"}).status_code == 403
    with pytest.raises(services.MentorshipConflict):
        services.message_post(pairing=pairing, author=mentor, body="late")


def test_the_author_edits_and_deletes_her_message(client, pairing, mentee, mentor):
    message = services.message_post(pairing=pairing, author=mentee, body="See you Tursday")
    edit = reverse("mentorship:message_edit", args=[pairing.uuid, message.uuid])
    delete = reverse("mentorship:message_delete", args=[pairing.uuid, message.uuid])
    client.force_login(mentor)
    assert client.post(edit, {"body": "hijack"}).status_code == 403
    assert client.post(delete).status_code == 403
    client.force_login(mentee)
    assert client.post(edit, {"body": "See you Thursday"}).status_code == 302
    message.refresh_from_db()
    assert message.body == "See you Thursday" and message.edited_at is not None
    # The notice not yet sent carries the corrected text.
    assert Notification.objects.get(recipient=mentor).body == "See you Thursday"
    assert client.post(delete).status_code == 302
    message.refresh_from_db()
    assert message.deleted_at is not None and message.body == ""
    assert not Notification.objects.filter(recipient=mentor).exists()
    assert "Message deleted." in client.get(url(pairing)).content.decode()
    assert client.get(edit).status_code == 403


def test_a_message_points_only_at_goals_both_see(pairing, mentee, mentor, program):
    shared = GoalFactory(mentee=mentee, program=program, visibility=Visibility.MENTOR)
    private = GoalFactory(mentee=mentee, program=program, visibility=Visibility.PRIVATE)
    milestone = MilestoneFactory(goal=shared, title="Outline")
    references = selectors.conversation_references(pairing)
    assert [r.goal_uuid for r in references] == [shared.uuid]
    assert references[0].milestones == [(milestone.uuid, "Outline")]
    assert selectors.conversation_reference(pairing, f"goal:{private.uuid}") == (None, None, None)
    with pytest.raises(services.MentorshipError):
        services.message_post(pairing=pairing, author=mentor, body="x", goal=private)
    message = services.message_post(
        pairing=pairing, author=mentor, body="How is it going?", milestone=milestone
    )
    page = selectors.conversation_page(pairing, viewer_or_user=mentee)
    assert "Outline" in page.rows[0].reference.label
    # Made private later: the reference is no longer shown.
    shared.visibility = Visibility.PRIVATE
    shared.save()
    page = selectors.conversation_page(pairing, viewer_or_user=mentee)
    assert page.rows[0].message == message and page.rows[0].reference is None


def test_unread_counts_agree_in_nav_list_and_thread(client, pairing, mentee, mentor):
    for n in range(3):
        services.message_post(pairing=pairing, author=mentor, body=f"Note {n}")
    services.message_post(pairing=pairing, author=mentee, body="Mine")  # reads the thread
    for n in range(2):
        services.message_post(pairing=pairing, author=mentor, body=f"Later {n}")
    assert selectors.unread_message_count(Viewer(mentee)) == 2
    client.force_login(mentee)
    home = client.get(reverse("mentorship:my_pairings")).content.decode()
    assert 'data-unread-messages="2"' in home
    thread = client.get(url(pairing))
    assert sum(row.is_new for row in thread.context["page"].rows) == 2
    # Reading the thread clears the count, on that very page too.
    assert 'data-unread-messages="' not in thread.content.decode()
    assert selectors.unread_message_count(Viewer(mentee)) == 0
    assert selectors.unread_message_count(Viewer(mentor)) == 0


def test_the_viewer_still_costs_one_query(pairing, mentee, mentor):
    services.message_post(pairing=pairing, author=mentor, body="Hello")
    with CaptureQueriesContext(connection) as queries:
        viewer = Viewer(mentee)
        assert viewer.as_mentee[0].unread_messages == 1
        assert viewer.roles
    assert len(queries) == 1


def test_the_poll_returns_only_new_messages(client, pairing, mentee, mentor):
    first = services.message_post(pairing=pairing, author=mentee, body="First")
    client.force_login(mentor)
    poll = url(pairing, "mentorship:pairing_messages_new")
    assert client.get(f"{poll}?after={first.uuid}").status_code == 204
    services.message_post(pairing=pairing, author=mentee, body="Second <b>bold</b>")
    response = client.get(f"{poll}?after={first.uuid}", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Second &lt;b&gt;bold&lt;/b&gt;" in body and "First" not in body
    assert 'hx-swap-oob="true"' in body
    assert MessageRead.objects.get(user=mentor).last_read_message_id > first.pk


def test_notices_are_gathered_escaped_and_link_to_the_thread(pairing, mentee, mentor):
    services.message_post(pairing=pairing, author=mentee, body="<script>alert(1)</script> & hi")
    services.message_post(pairing=pairing, author=mentee, body="Second")
    rows = list(Notification.objects.filter(recipient=mentor, kind=Kind.MESSAGE))
    assert len(rows) == 2 and len({r.batch_key for r in rows}) == 1
    assert rows[0].scheduled_for > timezone.now() + timedelta(minutes=1)
    email = build_notification_email(rows)
    html = email.alternatives[0][0]
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; hi" in html
    assert "<script>alert(1)</script> & hi" in email.body  # plain text: shown as typed
    assert "2 new messages" in email.subject
    thread = url(pairing)
    assert thread in html and thread in email.body


def test_reading_the_thread_withdraws_the_notice_not_sent_yet(client, pairing, mentee, mentor):
    services.message_post(pairing=pairing, author=mentee, body="Hello")
    assert Notification.objects.filter(recipient=mentor).count() == 1
    client.force_login(mentor)
    client.get(url(pairing))
    assert not Notification.objects.filter(recipient=mentor).exists()


def test_quiet_hours_and_preferences_are_respected(pairing, mentee, mentor):
    hour = timezone.now().hour
    Preferences.objects.create(user=mentor, quiet_hours_start=hour, quiet_hours_end=(hour + 3) % 24)
    services.message_post(pairing=pairing, author=mentee, body="Late thought")
    notice = Notification.objects.get(recipient=mentor)
    assert notice.scheduled_for >= timezone.now() + timedelta(hours=1)
    Preferences.objects.create(user=mentee, muted_kinds=[Kind.MESSAGE])
    services.message_post(pairing=pairing, author=mentor, body="Answer")
    assert not Notification.objects.filter(recipient=mentee).exists()


def test_admins_see_counts_never_content(client, pairing, mentee, mentor, admin, program):
    services.message_post(pairing=pairing, author=mentee, body="Very private words")
    services.message_post(pairing=pairing, author=mentor, body="Equally private")
    client.force_login(admin)
    page = client.get(reverse("mentorship:program_dashboard", args=[program.uuid]))
    body = page.content.decode()
    assert 'data-messages="2"' in body
    assert "private words" not in body and "Equally private" not in body


def _grow(pairing, size):
    now = timezone.now()
    Message.objects.bulk_create(
        [
            Message(
                pairing=pairing,
                author=pairing.mentor if n % 2 else pairing.mentee,
                body=f"Message {n}",
                created_at=now - timedelta(minutes=size - n),
            )
            for n in range(size)
        ]
    )


# The signed-in user, the pairing, the viewer's facts (navigation: roles and unread counts),
# the inbox's unread count, the page of messages, the goals and the meetings a message may
# point at. The "show earlier" fragment is the rows only: the user, the pairing and the
# messages (no navigation, no form).
CONVERSATION_QUERIES = 7
EARLIER_QUERIES = 3
POLL_QUERIES = 4


@pytest.mark.parametrize("size", [10, 200])
def test_query_counts_are_pinned(client, pairing, mentee, mentor, program, size):
    GoalFactory(mentee=mentee, program=program, visibility=Visibility.MENTOR)
    _grow(pairing, size)
    client.force_login(mentee)
    client.get(url(pairing))  # reads the thread: the counts below are of a read thread
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url(pairing))
    assert page.status_code == 200
    assert len(page.context["page"].rows) == min(size, selectors.MESSAGES_PER_PAGE)
    assert len(queries) == CONVERSATION_QUERIES, [q["sql"] for q in queries]
    oldest = page.context["page"].rows[0].message
    with CaptureQueriesContext(connection) as queries:
        earlier = client.get(f"{url(pairing)}?before={oldest.uuid}", HTTP_HX_REQUEST="true")
    assert earlier.status_code == 200
    assert len(queries) == EARLIER_QUERIES, [q["sql"][:60] for q in queries]
    newest = page.context["page"].rows[-1].message
    with CaptureQueriesContext(connection) as queries:
        poll = client.get(f"{url(pairing, 'mentorship:pairing_messages_new')}?after={newest.uuid}")
    assert poll.status_code == 204
    assert len(queries) <= POLL_QUERIES


def test_demo_pairs_have_a_conversation_with_one_unread_for_the_mentee():
    from django.core import mail

    from accounts.models import User
    from mentorship import demo

    demo.seed(password="demo-mentoring-2026")
    demo.seed(password="demo-mentoring-2026")
    lena = User.objects.get(email="mentee.lena@example.com")
    ana = User.objects.get(email="mentor.ana@example.com")
    assert selectors.unread_message_count(Viewer(lena)) == 1
    assert selectors.unread_message_count(Viewer(ana)) == 0
    assert Message.objects.count() == 3 * len(demo.DEMO_CONVERSATION)
    assert not Notification.objects.filter(kind=Kind.MESSAGE).exists()
    assert not mail.outbox


def test_a_message_points_at_one_of_the_pairs_meetings(
    client, pairing, other_pairing, mentee, mentor, other_mentee
):
    """The form offers the pair's latest meetings; the message links to the meeting's page;
    another pair's meeting is refused, whatever the form says."""
    from mentorship import meetings

    soon = timezone.now() + timedelta(days=3)
    ours = meetings.meeting_propose(
        pairing=pairing, by=mentee, candidate_times=[soon], duration=45, location="Room 4"
    )
    AgreementFactory(pairing=other_pairing)
    theirs = meetings.meeting_propose(
        pairing=other_pairing, by=other_mentee, candidate_times=[soon], duration=30, location=""
    )
    client.force_login(mentee)
    form = client.get(url(pairing)).context["form"]
    offered = [
        value for _group, options in form.fields["about"].choices[1:2] for value, _ in options
    ]
    assert offered == [f"meeting:{ours.uuid}"]
    response = post(client, pairing, "Agenda for this one?", about=f"meeting:{ours.uuid}")
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.meeting == ours and message.goal is None and message.milestone is None
    html = client.get(url(pairing)).content.decode()
    assert reverse("mentorship:meeting_detail", args=[pairing.uuid, ours.uuid]) in html
    assert selectors.conversation_reference(pairing, f"meeting:{theirs.uuid}") == (None, None, None)
    with pytest.raises(services.MentorshipError):
        services.message_post(pairing=pairing, author=mentee, body="Hi", meeting=theirs)
    assert Message.objects.count() == 1
