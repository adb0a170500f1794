"""Inbox, preferences and unsubscribe pages: personas, methods, query counts."""

import re

import pytest
from django.core import signing
from django.urls import reverse

from notifications.kinds import Kind, kinds_for_roles
from notifications.models import FeedbackMode, Notification, Preferences
from notifications.services import notify
from notifications.unsubscribe import SALT, make_token
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

# The session comes from the cache; the user is read once after logging in, then cached too.
INBOX_QUERIES = 5  # user, unread count, page count, page rows, roles for the nav
PREFERENCES_QUERIES = 4  # user, preferences, unread count, roles for the nav


def login(client, user):
    assert client.login(email=user.email, password=PASSWORD)


def fill_inbox(user, n: int, offset: int = 0):
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=Kind.FEEDBACK,
            dedupe_key=f"k:{user.pk}:{offset + i}",
            batch_key=f"k:{user.pk}:{offset + i}",
            title=f"Note {offset + i}",
            body="Body text",
            url="/goals/",
            send_email=False,
        )
        for i in range(n)
    )


def test_inbox_lists_own_notifications_with_unread_count_in_nav(client, mentee, mentor):
    fill_inbox(mentee, 3)
    fill_inbox(mentor, 2, offset=100)
    login(client, mentee)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('id="notification-') == 3
    assert 'data-unread-count="3"' in html
    assert "Note 100" not in html


def test_inbox_needs_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("size", [2, 40])
def test_inbox_query_count_is_fixed(client, mentee, size, django_assert_num_queries):
    fill_inbox(mentee, size)
    login(client, mentee)
    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200


@pytest.mark.parametrize("muted", [0, 5])
def test_preferences_query_count_is_fixed(client, mentee, muted, django_assert_num_queries):
    Preferences.objects.create(user=mentee, muted_kinds=Kind.values[:muted])
    login(client, mentee)
    with django_assert_num_queries(PREFERENCES_QUERIES):
        response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 200


def test_open_marks_read_and_follows_the_link(client, mentee):
    row = notify(
        recipient=mentee,
        kind=Kind.FEEDBACK,
        dedupe_key="a",
        title="A",
        url="/goals/",
        send_email=False,
    )
    login(client, mentee)
    response = client.get(reverse("notifications:open", args=[row.uuid]))
    assert response.status_code == 302 and response["Location"] == "/goals/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_open_refuses_to_redirect_off_site(client, mentee):
    row = notify(
        recipient=mentee,
        kind=Kind.FEEDBACK,
        dedupe_key="b",
        title="B",
        url="https://evil.example.com/",
        send_email=False,
    )
    login(client, mentee)
    response = client.get(reverse("notifications:open", args=[row.uuid]))
    assert response["Location"] == "/"


def test_a_stranger_gets_404_for_someone_elses_notification(client, mentee, stranger):
    row = notify(recipient=mentee, kind=Kind.FEEDBACK, dedupe_key="c", title="C", send_email=False)
    login(client, stranger)
    assert client.get(reverse("notifications:open", args=[row.uuid])).status_code == 404
    assert client.post(reverse("notifications:mark_read", args=[row.uuid])).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_read_needs_post_and_works_with_htmx(client, mentee):
    row = notify(recipient=mentee, kind=Kind.FEEDBACK, dedupe_key="d", title="D", send_email=False)
    login(client, mentee)
    url = reverse("notifications:mark_read", args=[row.uuid])
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "Mark read" not in html
    assert 'id="nav-inbox" hx-swap-oob="true"' in html and "data-unread-count" not in html
    row.refresh_from_db()
    assert row.read_at is not None


def test_mark_all_read(client, mentee, mentor):
    fill_inbox(mentee, 4)
    fill_inbox(mentor, 1, offset=50)
    login(client, mentee)
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=mentee, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=mentor, read_at__isnull=True).count() == 1


def test_preferences_save(client, mentee):
    login(client, mentee)
    response = client.post(
        reverse("notifications:preferences"),
        {
            "enabled_kinds": [Kind.FEEDBACK, Kind.DIGEST_MENTEE],
            "digest_weekday": "4",
            "digest_hour": "17",
            "feedback_mode": FeedbackMode.INSTANT,
            "quiet_hours_start": "22",
            "quiet_hours_end": "7",
        },
    )
    assert response.status_code == 302
    prefs = Preferences.objects.get(user=mentee)
    assert prefs.digest_weekday == 4 and prefs.digest_hour == 17
    assert prefs.feedback_mode == FeedbackMode.INSTANT
    assert (prefs.quiet_hours_start, prefs.quiet_hours_end) == (22, 7)
    # Of the kinds offered to a mentee; those that cannot reach her keep their setting.
    offered = set(kinds_for_roles({"mentee"}))
    assert set(prefs.muted_kinds) == offered - {Kind.FEEDBACK, Kind.DIGEST_MENTEE}
    # The page shows what was saved.
    html = client.get(reverse("notifications:preferences")).content.decode()
    boxes = dict(re.findall(r'name="enabled_kinds" value="(\w+)"([^>]*)>', html))
    assert "checked" in boxes["feedback"] and "checked" not in boxes["checkin_due_soon"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quiet_hours_start": "22", "quiet_hours_end": ""}, "both the start and the end"),
        ({"quiet_hours_start": "8", "quiet_hours_end": "8"}, "different time"),
        ({"digest_hour": "25"}, "Select a valid choice"),
        ({"digest_weekday": "nope"}, "Select a valid choice"),
    ],
)
def test_bad_preferences_show_a_message_and_save_nothing(client, mentee, data, message):
    login(client, mentee)
    form = {
        "digest_weekday": "0",
        "digest_hour": "8",
        "feedback_mode": "gathered",
        "quiet_hours_start": "",
        "quiet_hours_end": "",
        **data,
    }
    response = client.post(reverse("notifications:preferences"), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Preferences.objects.filter(user=mentee).exists()


def test_notify_respects_a_muted_kind(mentee):
    Preferences.objects.create(user=mentee, muted_kinds=[Kind.FEEDBACK])
    assert notify(recipient=mentee, kind=Kind.FEEDBACK, dedupe_key="x", title="X") is None
    assert not Notification.objects.exists()


# --- Unsubscribe -------------------------------------------------------------------------------


def test_unsubscribe_link_shows_a_confirmation_then_unsubscribes_logged_out(client, mentee):
    token = make_token(user=mentee, kind=Kind.DIGEST_MENTEE)
    url = reverse("notifications:unsubscribe", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "Unsubscribe?" in page.content.decode()
    assert not Preferences.objects.filter(user=mentee).exists()  # GET changes nothing
    response = client.post(url)  # what a mail provider's one-click does: no cookie, no CSRF
    assert response.status_code == 200
    assert Preferences.objects.get(user=mentee).muted_kinds == [Kind.DIGEST_MENTEE]


def test_one_click_post_without_csrf_token(mentee):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    token = make_token(user=mentee, kind=Kind.CHECKIN_OVERDUE)
    response = client.post(
        reverse("notifications:unsubscribe", args=[token]),
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    assert Kind.CHECKIN_OVERDUE in Preferences.objects.get(user=mentee).muted_kinds


def test_an_altered_token_is_refused(client, mentee, mentor):
    token = make_token(user=mentee, kind=Kind.DIGEST_MENTEE)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    # A validly signed token for another kind cannot be made without the key...
    forged = signing.dumps({"u": str(mentor.uuid), "k": Kind.FEEDBACK}, salt="other-salt")
    for bad in (tampered, forged, "nonsense"):
        url = reverse("notifications:unsubscribe", args=[bad])
        assert client.get(url).status_code == 400
        assert client.post(url).status_code == 400
    assert not Preferences.objects.exists()


def test_a_token_for_an_unknown_kind_is_refused(client, mentee):
    token = signing.dumps({"u": str(mentee.uuid), "k": "everything"}, salt=SALT, compress=True)
    assert client.post(reverse("notifications:unsubscribe", args=[token])).status_code == 400


def test_a_replayed_token_changes_nothing_more(client, mentee):
    token = make_token(user=mentee, kind=Kind.DIGEST_MENTEE)
    url = reverse("notifications:unsubscribe", args=[token])
    client.post(url)
    first = Preferences.objects.get(user=mentee)
    response = client.post(url)
    assert response.status_code == 200
    assert "already unsubscribed" in response.content.decode()
    second = Preferences.objects.get(user=mentee)
    assert second.muted_kinds == [Kind.DIGEST_MENTEE]
    assert second.updated_at == first.updated_at


def test_unsubscribing_stops_pending_emails_of_that_kind(client, mentee):
    row = Notification.objects.create(
        recipient=mentee, kind=Kind.DIGEST_MENTEE, dedupe_key="d1", batch_key="d1", title="D"
    )
    client.post(reverse("notifications:unsubscribe", args=[make_token(user=mentee, kind=row.kind)]))
    row.refresh_from_db()
    assert row.send_email is False and row.sent_at is None
