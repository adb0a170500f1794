"""The page cache (mentorship/pagecache.py) and the cached signed-in user (accounts/backends.py).

The staleness sweep in tests/sweeps/test_page_cache.py makes every kind of write against
every cached page; these tests pin the rest of the contract: hits, keys, CSRF tokens, flash
messages, the day boundary, the verify mode, and who counts as a page's audience.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib import messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goals.models import Goal
from mentorship import pagecache
from mentorship.policy import audience
from tests.factories import GoalFactory, MilestoneFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(mentee, program, pairing):
    return GoalFactory(mentee=mentee, program=program, pairing=pairing, title="Run a 10k race")


def get(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_a_second_read_is_served_from_the_cache(client, mentee, goal, settings):
    settings.PAGE_CACHE_VERIFY = False  # verify renders every hit again
    client.force_login(mentee)
    url = reverse("goals:goal_detail", args=[goal.uuid])
    first, rendered = get(client, url)
    second, cached = get(client, url)
    assert goal.title in second.content.decode()
    # The session at most: no page data is read.
    assert cached <= 1 < rendered
    token = re.compile(rb"[A-Za-z0-9]{64}")
    assert token.sub(b"", first.content) == token.sub(b"", second.content)


def test_off_when_page_cache_seconds_is_zero(client, mentee, goal, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.force_login(mentee)
    client.get(reverse("accounts:profile"))  # the signed-in user is cached from here on
    url = reverse("goals:goal_detail", args=[goal.uuid])
    _first, rendered = get(client, url)
    _second, again = get(client, url)
    assert again == rendered


def test_each_viewer_has_their_own_copy(client, mentee, mentor, goal):
    url = reverse("goals:goal_detail", args=[goal.uuid])
    client.force_login(mentee)
    as_mentee = client.get(url).content.decode()
    client.force_login(mentor)
    as_mentor = client.get(url).content.decode()
    # The goal page offers the owner its edit form and the mentor the comment form.
    assert "Log progress" in as_mentee and "Log progress" not in as_mentor
    # The navigation names the viewer.
    signed_in_as = 'aria-expanded="false">{}</a>'
    assert signed_in_as.format(mentor.name) in as_mentor
    assert signed_in_as.format(mentee.name) in as_mentee
    assert signed_in_as.format(mentor.name) not in as_mentee


def test_the_csrf_token_of_a_cached_page_is_the_viewers_own(mentee, goal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentee)
    url = reverse("goals:goal_detail", args=[goal.uuid])
    client.get(url)
    cached = client.get(url).content.decode()
    assert pagecache.CSRF_PLACEHOLDER not in cached
    header = re.search(r'"X-CSRFToken": "([A-Za-z0-9]{64})"', cached).group(1)
    form = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', cached).group(1)
    # Both work for a form posted from the cached page.
    for token in (header, form):
        response = client.post(
            reverse("goals:comment_add", args=[goal.uuid]),
            {"body": "Posted from a cached page.", "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302


def test_a_new_login_gets_a_working_token_from_the_cached_page(mentee, goal):
    url = reverse("goals:goal_detail", args=[goal.uuid])
    first = Client(enforce_csrf_checks=True)
    first.force_login(mentee)
    first.get(url)
    # Another browser (another CSRF secret) is served the page cached for the first one.
    second = Client(enforce_csrf_checks=True)
    second.force_login(mentee)
    page = second.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', page).group(1)
    response = second.post(
        reverse("goals:comment_add", args=[goal.uuid]),
        {"body": "From the second browser.", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_flash_messages_are_shown_once_and_never_cached(client, mentee, goal, rf):
    client.force_login(mentee)
    url = reverse("goals:mentee_dashboard")
    client.get(url)
    client.get(url)  # cached now
    response = client.post(
        reverse("goals:goal_status", args=[goal.uuid]), {"status": "on_hold"}, follow=True
    )
    notice = [str(m) for m in messages.get_messages(response.wsgi_request)] or [
        m.message for m in response.context["messages"]
    ]
    assert notice
    again = client.get(url).content.decode()
    assert notice[0] not in again


def test_a_page_is_rendered_again_on_the_viewers_next_day(client, mentee, goal, settings):
    settings.PAGE_CACHE_VERIFY = False
    due = timezone.localdate() + timedelta(days=1)
    MilestoneFactory(goal=goal, title="Book the race", due_on=due)
    client.force_login(mentee)
    url = reverse("goals:mentee_dashboard")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.get(url)
        _page, cached = get(client, url)
        clock.shift(timedelta(days=2))
        page, rendered = get(client, url)
    assert rendered > cached
    # The milestone due yesterday is now overdue: the page says so.
    assert "overdue" in page.content.decode().lower()


def test_verify_mode_catches_a_write_that_forgets_to_invalidate(client, mentee, goal):
    client.force_login(mentee)
    url = reverse("goals:goal_detail", args=[goal.uuid])
    client.get(url)
    Goal.objects.filter(pk=goal.pk).update(title="Changed behind the cache's back")
    with pytest.raises(pagecache.StalePage, match="Changed behind"):
        client.get(url)
    # touch() is what such code calls.
    pagecache.touch_goal(goal)
    assert "Changed behind" in client.get(url).content.decode()


def test_touch_everything_invalidates_every_page(client, mentee, goal):
    client.force_login(mentee)
    url = reverse("goals:goal_detail", args=[goal.uuid])
    client.get(url)
    Goal.objects.filter(pk=goal.pk).update(title="Loaded in bulk")
    pagecache.touch_everything()
    assert "Loaded in bulk" in client.get(url).content.decode()


def test_every_model_is_watched_or_says_why_not():
    ours = {
        model._meta.label
        for app in ("accounts", "mentorship", "goals", "notifications", "api")
        for model in apps.get_app_config(app).get_models()
    }
    assert ours - set(pagecache.WATCHED) - set(pagecache.UNWATCHED) == set()
    assert set(pagecache.WATCHED) & set(pagecache.UNWATCHED) == set()


def test_audience(
    program,
    mentee,
    other_mentee,
    mentor,
    other_mentor,
    admin,
    other_admin,
    stranger,
    pairing,
    other_pairing,
):
    assert audience(people=[mentee.pk]) == {mentee.pk, mentor.pk, admin.pk}
    assert audience(people=[mentor.pk]) == {mentor.pk, mentee.pk, admin.pk}
    assert audience(programs=[program.pk]) == {
        mentee.pk,
        other_mentee.pk,
        mentor.pk,
        other_mentor.pk,
        admin.pk,
    }
    assert audience(program_admins=[program.pk]) == {admin.pk}
    assert audience() == set()


# --- The signed-in user from the cache ---------------------------------------------------------


def user_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return sum('FROM "accounts_user"' in q["sql"] for q in ctx.captured_queries)


def test_the_signed_in_user_is_read_once_then_from_the_cache(client, mentee):
    client.force_login(mentee)
    url = reverse("accounts:profile")
    assert user_queries(client, url) == 1
    assert user_queries(client, url) == 0


def test_a_new_password_still_ends_other_sessions_at_once(mentee):
    url = reverse("accounts:profile")
    elsewhere = Client()
    elsewhere.force_login(mentee)
    assert elsewhere.get(url).status_code == 200  # its user is cached now
    mentee.set_password("an entirely new passphrase 42")
    mentee.save()
    response = elsewhere.get(url)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_deactivated_user_is_signed_out_at_once(mentee):
    url = reverse("accounts:profile")
    client = Client()
    client.force_login(mentee)
    assert client.get(url).status_code == 200
    mentee.is_active = False
    mentee.save()
    assert client.get(url).status_code == 302


def test_a_deleted_user_is_signed_out(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:profile")
    assert client.get(url).status_code == 200
    user.delete()
    assert client.get(url).status_code == 302
