"""Notification settings offer only the kinds that can reach the person in their roles, and
the account settings lead to them and to "Your data" (download, deletion)."""

import pytest
from django.urls import reverse

from notifications.kinds import Kind
from notifications.models import Preferences

pytestmark = pytest.mark.django_db


def offered(client, user) -> set[str]:
    client.force_login(user)
    form = client.get(reverse("notifications:preferences")).context["form"]
    return {value for value, _label in form.fields["enabled_kinds"].choices}


def test_each_role_is_offered_only_what_can_reach_it(client, mentee, mentor, admin, stranger):
    assert offered(client, mentee) == {
        Kind.CHECKIN_DUE_SOON,
        Kind.CHECKIN_OVERDUE,
        Kind.MILESTONE_DUE_SOON,
        Kind.MILESTONE_OVERDUE,
        Kind.FEEDBACK,
        Kind.MEETING_REMINDER,
        Kind.ACTION_ITEM_OVERDUE,
        Kind.MESSAGE,
        Kind.PAIRING_CHANGED,
        Kind.APPLICATION_DECIDED,
        Kind.MENTOR_REQUEST_ANSWERED,
        Kind.DIGEST_MENTEE,
        Kind.SURVEY,
        Kind.NUDGE,
    }
    assert offered(client, mentor) == {
        Kind.CHECKIN_DUE_SOON,
        Kind.CHECKIN_OVERDUE,
        Kind.MILESTONE_COMPLETED,
        Kind.FEEDBACK,
        Kind.MEETING_REMINDER,
        Kind.ACTION_ITEM_OVERDUE,
        Kind.MESSAGE,
        Kind.PAIRING_CHANGED,
        Kind.APPLICATION_DECIDED,
        Kind.MENTOR_REQUEST_RECEIVED,
        Kind.DIGEST_MENTOR,
        Kind.SURVEY,
        Kind.NUDGE,
    }
    assert offered(client, admin) == {
        Kind.PAIRING_STALLED,
        Kind.PAIRING_CHANGED,
        Kind.APPLICATION_DECIDED,
        Kind.APPLICATION_RECEIVED,
        Kind.DIGEST_ADMIN,
        Kind.NEEDS_ATTENTION,
    }
    # Anyone signed in may apply to a program, and hears the answer.
    assert offered(client, stranger) == {Kind.PAIRING_CHANGED, Kind.APPLICATION_DECIDED}
    html = client.get(reverse("notifications:preferences")).content.decode()
    assert "Weekly digest for program admins" not in html


def test_saving_keeps_the_setting_of_a_kind_not_offered(client, mentee):
    Preferences.objects.create(user=mentee, muted_kinds=[Kind.DIGEST_ADMIN])
    client.force_login(mentee)
    response = client.post(
        reverse("notifications:preferences"),
        {
            "enabled_kinds": [Kind.FEEDBACK, Kind.PAIRING_CHANGED],
            "digest_weekday": 0,
            "digest_hour": 8,
            "feedback_mode": "instant",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    muted = set(Preferences.objects.get(user=mentee).muted_kinds)
    assert Kind.DIGEST_ADMIN in muted  # kept as it was
    assert Kind.DIGEST_MENTOR not in muted and Kind.PAIRING_STALLED not in muted
    assert {Kind.DIGEST_MENTEE, Kind.CHECKIN_OVERDUE} <= muted
    assert Kind.FEEDBACK not in muted


def test_the_settings_navigation_leads_to_notifications_and_your_data(client, mentee):
    client.force_login(mentee)
    profile = client.get(reverse("accounts:profile")).content.decode()
    nav = profile[profile.index('class="list-group settings-nav"') :]
    nav = nav[: nav.index("</nav>")]
    assert reverse("notifications:preferences") in nav
    assert reverse("api:your_data") in nav
    page = client.get(reverse("api:your_data"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("api:export") in html and reverse("api:account_delete") in html
