"""The API answers in its caller's language: the language chosen on the account (with a
token as with a session), else the Accept-Language of the call. Our own messages and
Django REST framework's are both translated, and Content-Language says which it is."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def refused(client, goal: dict, language: str) -> dict:
    response = client.post(
        reverse("api:goal-list"), goal, format="json", headers={"accept-language": language}
    )
    assert response.status_code == 400, response.content[:300]
    return response


@pytest.mark.parametrize(
    ("chosen", "asked", "answered", "ours", "frameworks"),
    [
        ("de", "fr", "de", "Wähle ein Datum zwischen", "Dieses Feld darf nicht leer sein."),
        ("", "fr", "fr", "Choisissez une date entre", "Ce champ ne peut être vide."),
        ("", "pt-br", "pt-br", "Escolha uma data entre", "Este campo pode não estar em branco."),
        ("es", "en", "es", "Elige una fecha entre", "Este campo no puede estar en blanco."),
        ("", "en", "en", "Choose a date between", "This field may not be blank."),
    ],
)
def test_errors_are_in_the_callers_language(
    mentee, as_user, chosen, asked, answered, ours, frameworks
):
    mentee.language = chosen
    mentee.save(update_fields=["language"])
    client = as_user(mentee)
    beyond = refused(client, {"title": "Run a 10k", "target_date": "9999-12-31"}, asked)
    assert beyond["Content-Language"] == answered
    assert beyond.json()["target_date"][0].startswith(ours)
    blank = refused(client, {"title": ""}, asked)
    assert blank.json()["title"] == [frameworks]
