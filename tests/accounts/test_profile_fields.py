"""The profile's own fields (accounts.Profile): the page's form with good and bad input, the
service's all-or-nothing save, the suggestions drawn from the person's programs, and the
"Use <zone>?" offer's endpoint."""

import re

import pytest
from django.urls import reverse

from accounts.models import PROFILE_FIELDS, Profile, profile_of
from accounts.services import update_profile
from core.errors import InvalidInput
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.com", name="Ada", timezone="UTC")


GOOD = {
    "name": "Ada Lovelace",
    "timezone": "Europe/London",
    "headline": "Analyst, learning to lead",
    "bio": "Ten years of numbers.",
    "offers": "Python; SQL , python",
    "wants": "Public speaking",
    "languages": ["fr", "en"],
    "hours_per_month": "4",
    "meeting_times": ["evening", "morning"],
    "link": "https://www.linkedin.com/in/ada",
    "pronouns": "she/her",
}


def test_a_person_without_a_profile_gets_a_blank_one_and_no_row(ada, django_assert_num_queries):
    with django_assert_num_queries(1):
        profile = profile_of(ada)
    assert profile.pk is None and not profile.is_filled
    with django_assert_num_queries(0):
        profile_of(ada)  # the miss is remembered
    assert not Profile.objects.exists()


def test_the_page_saves_every_field_normalised(client, ada):
    client.force_login(ada)
    assert client.get(reverse("accounts:profile")).status_code == 200
    response = client.post(reverse("accounts:profile"), GOOD)
    assert response.status_code == 302
    profile = Profile.objects.get(user=ada)
    assert profile.offers == "python, sql"
    assert profile.wants == "public speaking"
    assert profile.languages == ["en", "fr"]  # the list's order
    assert profile.meeting_times == ["morning", "evening"]
    assert profile.hours_per_month == 4
    assert profile.link == "https://www.linkedin.com/in/ada"
    assert profile.is_filled
    ada.refresh_from_db()
    assert (ada.name, ada.timezone) == ("Ada Lovelace", "Europe/London")
    # Shown again as saved.
    html = client.get(reverse("accounts:profile")).content.decode()
    assert 'value="Analyst, learning to lead"' in html
    assert re.search(r'name="languages" value="fr"[^>]* checked', html)


def test_every_field_is_optional(client, ada):
    client.force_login(ada)
    response = client.post(reverse("accounts:profile"), {"timezone": "UTC"})
    assert response.status_code == 302
    profile = Profile.objects.get(user=ada)
    assert all(not getattr(profile, name) for name in PROFILE_FIELDS)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("languages", ["xx"], "Select a valid choice"),
        ("meeting_times", ["midnight"], "Select a valid choice"),
        ("hours_per_month", "201", "less than or equal to 200"),
        ("hours_per_month", "-1", "greater than or equal to 0"),
        ("hours_per_month", "many", "Enter a whole number"),
        ("link", "javascript:alert(1)", "Enter a valid URL"),
        ("link", "not a link", "Enter a valid URL"),
        ("headline", "x" * 121, "at most 120 characters"),
        ("bio", "x" * 1001, "at most 1000 characters"),
        ("offers", "x" * 501, "at most 500 characters"),
        ("pronouns", "x" * 41, "at most 40 characters"),
        ("timezone", "Mars/Olympus_Mons", "is not a time zone we know"),
    ],
)
def test_bad_input_is_refused_on_the_page_and_saves_nothing(client, ada, field, value, message):
    client.force_login(ada)
    response = client.post(reverse("accounts:profile"), {**GOOD, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Profile.objects.exists()
    ada.refresh_from_db()
    assert (ada.name, ada.timezone) == ("Ada", "UTC")


def test_the_service_saves_all_or_nothing(ada):
    update_profile(user=ada, name="Ada L.", headline="First", languages=["en"])
    with pytest.raises(InvalidInput) as caught:
        update_profile(
            user=ada, name="Changed", headline="Second", languages=["en", "xx"], hours_per_month=7
        )
    assert "languages" in caught.value.errors
    ada.refresh_from_db()
    profile = Profile.objects.get(user=ada)
    assert (ada.name, profile.headline, profile.languages) == ("Ada L.", "First", ["en"])
    assert profile.hours_per_month is None
    # A bad zone refuses the profile's fields with it, on a first save too.
    newcomer = UserFactory()
    with pytest.raises(InvalidInput):
        update_profile(user=newcomer, timezone="Nowhere/Special", headline="Hello")
    assert not Profile.objects.filter(user=newcomer).exists()
    with pytest.raises(TypeError):
        update_profile(user=ada, email="other@example.com")


def test_suggestions_are_the_tags_of_the_persons_programs(client, ada, program, other_program):
    MembershipFactory(program=program, user=ada, skills="Python, leadership")
    MembershipFactory(program=program, skills="python", interests="Public speaking")
    MembershipFactory(program=other_program, skills="secret tag")  # not Ada's program
    client.force_login(ada)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert '<datalist id="offers-suggestions"><option value="python"></option>' in html
    assert '<option value="public speaking">' in html
    assert "secret tag" not in html
    # Free entry: a tag no program has yet is kept.
    response = client.post(reverse("accounts:profile"), {**GOOD, "offers": "knitting"})
    assert response.status_code == 302
    assert Profile.objects.get(user=ada).offers == "knitting"


def test_the_page_offers_the_browsers_zone(client, ada):
    client.force_login(ada)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="timezone-offer"' in html and 'data-saved-timezone="UTC"' in html
    assert f'action="{reverse("accounts:use_timezone")}"' in html


def test_use_timezone_sets_a_known_zone_and_refuses_others(client, ada):
    url = reverse("accounts:use_timezone")
    assert client.post(url, {"timezone": "Asia/Tokyo"}).status_code == 302  # to log in
    client.force_login(ada)
    assert client.get(url).status_code == 405
    response = client.post(url, {"timezone": "Asia/Tokyo"})
    assert response["Location"] == reverse("accounts:profile")
    ada.refresh_from_db()
    assert ada.timezone == "Asia/Tokyo"
    for bad in ("", "Mars/Olympus_Mons", "x" * 500):
        response = client.post(url, {"timezone": bad})
        assert response.status_code == 400
        assert "not a time zone we know" in response.content.decode()
    ada.refresh_from_db()
    assert ada.timezone == "Asia/Tokyo"


def test_the_personal_export_has_the_profile(client, ada):
    import io
    import json
    import zipfile

    update_profile(user=ada, headline="Analyst", languages=["en"], meeting_times=["morning"])
    client.force_login(ada)
    response = client.get(reverse("api:export"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    [row] = json.loads(archive.read("profile.json"))["profile"]
    assert row["headline"] == "Analyst" and row["languages"] == ["en"]
    assert set(PROFILE_FIELDS) <= set(row)


def test_staff_see_the_profile_in_the_admin(admin_client, ada):
    update_profile(user=ada, headline="Analyst")
    response = admin_client.get(reverse("admin:accounts_user_change", args=[ada.pk]))
    assert response.status_code == 200
    assert 'value="Analyst"' in response.content.decode()
