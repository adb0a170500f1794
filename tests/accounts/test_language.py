"""The interface language: the browser's before sign-in, the person's own choice after it (the
switcher at the foot of every page, or the profile), and e-mails in the recipient's language
whoever caused them."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from notifications.kinds import Kind
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# A string of Django's own catalogue, so these tests check the mechanism, not our wording.
REQUIRED = "This field is required."
REQUIRED_IN = {
    "de": "Dieses Feld ist zwingend erforderlich.",
    "fr": "Ce champ est obligatoire.",
}


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.com", name="Ada", timezone="UTC")


def _lang(response) -> str:
    html = response.content.decode()
    start = html.index('<html lang="') + len('<html lang="')
    return html[start : html.index('"', start)]


def test_before_sign_in_the_browser_language_is_used(client):
    assert _lang(client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")) == "de"
    assert _lang(client.get("/", HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9")) == "pt-br"
    assert _lang(client.get("/", HTTP_ACCEPT_LANGUAGE="ja")) == "en"


def test_every_page_has_the_switcher_with_each_language_named_in_itself(client, ada):
    client.force_login(ada)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert f'action="{reverse("set_language")}"' in html
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in html
        assert name in html


def test_switching_keeps_the_page_and_saves_the_choice_for_a_signed_in_person(client, ada):
    client.force_login(ada)
    response = client.post(
        reverse("set_language"), {"language": "fr", "next": reverse("accounts:profile")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    ada.refresh_from_db()
    assert ada.language == "fr"
    # The account's choice wins over the browser, on another device too (no cookie).
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    page = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="de")
    assert _lang(page) == "fr"
    assert page["Content-Language"] == "fr"


def test_a_visitor_switches_with_the_cookie_only(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert _lang(client.get("/", HTTP_ACCEPT_LANGUAGE="de")) == "es"


def test_an_unknown_language_or_a_foreign_next_changes_nothing(client, ada):
    client.force_login(ada)
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/goals/"})
    assert response.status_code == 302
    assert response["Location"] == "/goals/"
    ada.refresh_from_db()
    assert ada.language == ""
    response = client.post(
        reverse("set_language"), {"language": "de", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get(reverse("set_language")).status_code == 405


def test_the_profile_sets_and_clears_the_language(client, ada):
    client.force_login(ada)
    data = {"name": "Ada", "timezone": "UTC", "language": "de"}
    assert client.post(reverse("accounts:profile"), data).status_code == 302
    ada.refresh_from_db()
    assert ada.language == "de"
    response = client.post(reverse("accounts:profile"), {**data, "language": "xx"})
    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    ada.refresh_from_db()
    assert ada.language == "de"
    assert client.post(reverse("accounts:profile"), {**data, "language": ""}).status_code == 302
    ada.refresh_from_db()
    assert ada.language == ""


@pytest.mark.parametrize("language", ["de", "fr"])
def test_a_notice_is_composed_and_mailed_in_the_recipients_language(
    language, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    recipient = UserFactory(email=f"reader-{language}@example.com", language=language)
    # Caused by someone reading English: the request's language is not the recipient's.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        row = notify(
            recipient=recipient,
            kind=Kind.PAIRING_CHANGED,
            dedupe_key=f"language-test:{language}",
            title=lambda: gettext(REQUIRED),
            body=lambda: gettext(REQUIRED),
        )
        assert gettext(REQUIRED) == REQUIRED  # the caller's language is untouched
    assert row is not None
    row.refresh_from_db()
    assert row.title == REQUIRED_IN[language]
    assert row.body == REQUIRED_IN[language]
    sent = [m for m in mail.outbox if recipient.email in m.to]
    assert sent, "the notice was mailed"
    assert REQUIRED_IN[language] in sent[0].body
