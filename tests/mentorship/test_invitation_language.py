"""An invitation is written in its reader's language: the language chosen on the account
the address belongs to; for an address without an account (or without a choice), the
language of the admin who invites, as their request is in."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from mentorship import services
from mentorship.csv_import import ParticipantRow
from notifications.models import OutboxEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def invite_through_the_page(client, admin, program, email, *, admin_language, capture):
    client.force_login(admin)
    with capture(execute=True):
        response = client.post(
            reverse("mentorship:program_invite", args=[program.uuid]),
            {"email": email, "name": "", "role": "mentee"},
            headers={"accept-language": admin_language},
        )
    assert response.status_code == 302
    [message] = [m for m in mail.outbox if m.to == [email]]
    return message


@pytest.mark.parametrize(
    ("account_language", "admin_language", "subject"),
    [
        ("fr", "en", "Invitation à rejoindre"),  # the reader chose French
        ("", "de", "Du bist zu"),  # an account without a choice: the admin's language
        (None, "es", "Te invitan a"),  # no account at all: the admin's language
        (None, "en", "You are invited"),
    ],
)
def test_the_invitation_is_in_the_readers_language(
    client,
    admin,
    program,
    django_capture_on_commit_callbacks,
    account_language,
    admin_language,
    subject,
):
    if account_language is not None:
        UserFactory(email="Reader@Example.com", language=account_language)
    message = invite_through_the_page(
        client,
        admin,
        program,
        "reader@example.com",
        admin_language=admin_language,
        capture=django_capture_on_commit_callbacks,
    )
    assert subject in message.subject
    html = message.alternatives[0][0]
    expected = account_language or admin_language
    assert f'<html lang="{expected}"' in html


def test_an_import_writes_each_invitation_in_its_readers_language(admin, program):
    UserFactory(email="dora@example.com", language="de")
    UserFactory(email="paulo@example.com", language="pt-br")
    rows = [
        ParticipantRow(
            line=n, email=email, name="", role="mentee", skills="", interests="", capacity=None
        )
        for n, email in enumerate(["dora@example.com", "paulo@example.com", "new@example.com"])
    ]
    with translation.override("en"):
        invited, _already, _renewed = services.invitations_create_many(
            program=program, rows=rows, by=admin
        )
    assert invited == 3
    subjects = {row.to[0]: row.subject for row in OutboxEmail.objects.filter(kind="invitation")}
    assert subjects["dora@example.com"].startswith("Du bist zu")
    assert subjects["paulo@example.com"].startswith("Você recebeu um convite")
    assert subjects["new@example.com"].startswith("You are invited")
