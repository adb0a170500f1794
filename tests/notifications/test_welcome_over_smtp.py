"""An imported person's welcome, end to end over a real SMTP server: the program admin imports a
CSV file, the e-mail arrives, its one link lets the person choose a password through allauth's
sign-up and lands them in the program; the same link used again, or one the admin withdrew,
gives a page that says so."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from mentorship.models import Invitation, Membership, Role

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"
FILE = (
    "email,name,role,skills,interests,capacity\n"
    "imke.new@example.com,Imke Neu,mentee,,python,\n"
    "otto.late@example.com,Otto Spät,mentor,python,,2\n"
)


@pytest.fixture
def smtp_backend(settings, smtp_sink):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return smtp_sink


def parts_of(parsed) -> tuple[str, str]:
    text = html = ""
    for part in parsed.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode()
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode()
    return text, html


def import_file(client, program, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    preview = client.post(
        reverse("mentorship:import_upload", args=[program.uuid, "participants"]),
        {"file": SimpleUploadedFile("people.csv", FILE.encode(), content_type="text/csv")},
    )
    assert preview.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(
            reverse("mentorship:import_confirm", args=[program.uuid, "participants"]),
            {"token": preview.context["token"]},
        )
    assert confirm.status_code == 302
    client.logout()


def test_an_imported_person_follows_the_welcome_link_chooses_a_password_and_is_in_the_program(
    client, smtp_backend, program, admin, django_capture_on_commit_callbacks
):
    import_file(client, program, admin, django_capture_on_commit_callbacks)
    received = {m["to"][0]: m for m in smtp_backend.messages}
    assert set(received) == {"imke.new@example.com", "otto.late@example.com"}
    welcome = received["imke.new@example.com"]
    assert program.name in welcome["subject"]
    text, html = parts_of(welcome["message"])
    link = re.search(r"https?://\S+/invitations/[\w-]+/", text).group(0)
    assert link in html and "as Mentee" in text
    assert "You choose a password" in text and "You choose a password" in html
    path = "/" + link.split("/", 3)[3]

    # The link opens a page for a newcomer: create an account (choose a password) and join.
    page = client.get(path)
    assert page.status_code == 200
    assert "Create your account and join" in page.text
    signup = client.get(path + "?signup=1", follow=True)
    assert 'value="Imke Neu"' in signup.text  # allauth's sign-up form, filled in
    response = client.post(
        signup.request["PATH_INFO"] + "?" + signup.request["QUERY_STRING"],
        {
            "email": "imke.new@example.com",
            "name": "Imke Neu",
            "timezone": "Europe/Berlin",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": path,
        },
        follow=True,
    )
    assert response.status_code == 200
    user = User.objects.get(email="imke.new@example.com")
    assert user.check_password(PASSWORD)
    assert Membership.objects.filter(program=program, user=user, role=Role.MENTEE).exists()
    assert f"Welcome to {program.name}" in response.text
    # No second e-mail was needed: the invitation proved the address.
    assert len(smtp_backend.messages) == 2

    # The password works on its own from now on.
    client.logout()
    assert client.login(email="imke.new@example.com", password=PASSWORD)
    client.logout()

    # The same link again: used, and the page says so.
    reused = client.get(path)
    assert reused.status_code == 410
    assert "already been used" in reused.text


def test_a_withdrawn_welcome_link_gives_a_page_that_says_so(
    client, smtp_backend, program, admin, django_capture_on_commit_callbacks
):
    import_file(client, program, admin, django_capture_on_commit_callbacks)
    received = {m["to"][0]: m for m in smtp_backend.messages}
    text, _html = parts_of(received["otto.late@example.com"]["message"])
    path = "/" + re.search(r"https?://\S+/invitations/[\w-]+/", text).group(0).split("/", 3)[3]
    invitation = Invitation.objects.get(email="otto.late@example.com")
    client.force_login(admin)
    client.post(reverse("mentorship:invitation_revoke", args=[program.uuid, invitation.uuid]))
    client.logout()

    page = client.get(path)
    assert page.status_code == 410
    assert "withdrawn" in page.text
    assert client.get(path + "?signup=1").status_code == 410
    assert not User.objects.filter(email="otto.late@example.com").exists()
