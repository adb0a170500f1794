"""The profile page: name and time zone."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.com", name="Ada", timezone="UTC")


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_shows_searchable_timezone_list(client, ada):
    client.force_login(ada)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<datalist id="timezone-list">' in html
    assert '<option value="Asia/Kolkata">' in html
    assert 'list="timezone-list"' in html


def test_set_name_and_timezone(client, ada):
    client.force_login(ada)
    response = client.post(
        reverse("accounts:profile"),
        {"name": "Ada Lovelace", "timezone": "Asia/Kolkata"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Your profile has been saved." in response.content.decode()
    ada.refresh_from_db()
    assert ada.name == "Ada Lovelace"
    assert ada.timezone == "Asia/Kolkata"
    # Times on every page are now shown in that zone.
    assert "Times shown in Asia/Kolkata" in response.content.decode()


@pytest.mark.parametrize("bad", ["Mars/Olympus_Mons", "Europe/Berlin; DROP TABLE", ""])
def test_invalid_timezone_gives_a_clear_error_and_saves_nothing(client, ada, bad):
    client.force_login(ada)
    response = client.post(reverse("accounts:profile"), {"name": "Changed", "timezone": bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html
    assert ("is not a time zone we know" in html) or ("This field is required." in html)
    # The navigation still shows the saved name, not the rejected one.
    assert ">Changed</a>" not in html
    ada.refresh_from_db()
    assert ada.name == "Ada"
    assert ada.timezone == "UTC"


def test_profile_rejects_other_methods(client, ada):
    client.force_login(ada)
    assert client.put(reverse("accounts:profile")).status_code == 405


def test_profile_page_query_count_is_fixed(client, ada):
    """The same number of queries however many people and zones there are (the zone list is
    built in memory, not queried)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ada)
    client.get(reverse("accounts:profile"))
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("accounts:profile")).status_code == 200
    for n in range(10):
        UserFactory(email=f"extra{n}@example.com")
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("accounts:profile")).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(small.captured_queries) <= 8


def test_user_update_profile_service_refuses_unknown_zone(ada):
    from django.core.exceptions import ValidationError

    from accounts.services import user_update_profile

    with pytest.raises(ValidationError):
        user_update_profile(user=ada, name="New", timezone="Nowhere/Special")
    ada.refresh_from_db()
    assert (ada.name, ada.timezone) == ("Ada", "UTC")
    user_update_profile(user=ada, name="  Ada L.  ", timezone="America/Sao_Paulo")
    ada.refresh_from_db()
    assert (ada.name, ada.timezone) == ("Ada L.", "America/Sao_Paulo")
