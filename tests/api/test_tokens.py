"""Personal API tokens: the page that makes and revokes them, and Bearer authentication."""

import hashlib

import pytest
from django.urls import reverse

from api.models import ApiToken
from api.services import api_token_create
from tests.two_factor import sign_in_with_totp

pytestmark = pytest.mark.django_db


def test_tokens_page_needs_login(client):
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_create_token_shows_secret_once_and_stores_only_a_hash(client, mentee):
    client.force_login(mentee)
    response = client.post(reverse("api:tokens"), {"name": "my calendar script"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=mentee)
    secret = response.context["new_token"].secret
    assert secret.startswith(f"mgt_{token.prefix}_")
    assert secret in response.content.decode()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    # Never shown again.
    page = client.get(reverse("api:tokens")).content.decode()
    assert secret not in page
    assert "my calendar script" in page


def test_create_token_without_name_shows_message(client, mentee):
    client.force_login(mentee)
    response = client.post(reverse("api:tokens"), {"name": "  "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_token(client, mentee, token_for, api):
    secret = token_for(mentee)
    token = ApiToken.objects.get(user=mentee)
    client.force_login(mentee)
    assert client.get(reverse("api:token_revoke", args=[token.uuid])).status_code == 405
    response = client.post(reverse("api:token_revoke", args=[token.uuid]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get(reverse("api:me")).status_code == 401


def test_cannot_revoke_someone_elses_token(client, mentee, stranger, token_for):
    token_for(mentee)
    token = ApiToken.objects.get(user=mentee)
    client.force_login(stranger)
    assert client.post(reverse("api:token_revoke", args=[token.uuid])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_authenticates_as_its_user_only(as_user, mentee, stranger):
    response = as_user(mentee).get(reverse("api:me"))
    assert response.status_code == 200
    assert response.json()["email"] == mentee.email
    assert as_user(stranger).get(reverse("api:me")).json()["email"] == stranger.email
    token = ApiToken.objects.get(user=mentee)
    assert token.last_used_at is not None


def test_token_of_one_user_cannot_reach_another_users_goal(as_user, world, stranger):
    url = reverse("api:goal-detail", args=[world.goal.uuid])
    assert as_user(stranger).get(url).status_code == 404


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # last character changed
        lambda t: t + "x",  # extended
        lambda t: t.replace("mgt_", "xyz_", 1),  # wrong scheme
        lambda t: t.split("_", 2)[0] + "_" + "0" * 12 + "_" + t.split("_", 2)[2],  # other prefix
        lambda t: "",  # empty
    ],
)
def test_altered_token_is_refused(api, mentee, token_for, mangle):
    secret = token_for(mentee)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {mangle(secret)}".strip())
    response = api.get(reverse("api:me"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "detail" in response.json()


def test_no_credentials_is_401_json(api):
    response = api.get(reverse("api:goal-list"))
    assert response.status_code == 401
    assert response.json()["detail"]


def test_inactive_users_token_is_refused(api, mentee, token_for):
    secret = token_for(mentee)
    mentee.is_active = False
    mentee.save()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get(reverse("api:me")).status_code == 401


def test_session_auth_works_for_the_browser(client, mentee):
    client.force_login(mentee)
    assert client.get(reverse("api:me")).json()["email"] == mentee.email


def test_session_writes_need_csrf(mentee, world):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(mentee)
    response = browser.post(
        reverse("api:comment-list"),
        {"goal": str(world.goal.uuid), "body": "hi"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_tokens_page_makes_a_fixed_number_of_queries(client, mentee, django_assert_num_queries):
    from api.services import api_token_revoke, calendar_feed_rotate

    client.force_login(mentee)
    calendar_feed_rotate(user=mentee)
    client.get(reverse("api:tokens"))  # the user is now cached
    for n in (1, 5):
        for i in range(n):
            made = api_token_create(user=mentee, name=f"token {n}-{i}")
            if i % 2:
                api_token_revoke(token=made.obj, by=mentee)
        # the signed-in user's row; tokens, calendar feed; the layout: the viewer's roles for
        # the menu, unread count (the session comes from the cache)
        with django_assert_num_queries(5):
            assert client.get(reverse("api:tokens")).status_code == 200


def test_staff_see_and_revoke_tokens_in_the_admin_without_the_hash(client, mentee):
    from accounts.models import User

    made = api_token_create(user=mentee, name="laptop")
    staff = User.objects.create_superuser(email="root@example.com", password="x-long-password-1")
    sign_in_with_totp(client, staff, password="x-long-password-1")  # the admin needs 2FA
    page = client.get(reverse("admin:api_apitoken_change", args=[made.obj.pk])).content.decode()
    assert "laptop" in page and made.obj.token_hash not in page and made.secret not in page
    response = client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [made.obj.pk]},
    )
    assert response.status_code == 302
    made.obj.refresh_from_db()
    assert made.obj.revoked_at is not None
