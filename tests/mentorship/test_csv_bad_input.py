"""CSV in and out with bad input: a NUL character is refused at the preview with its line,
and the pairings CSV neutralises every cell a spreadsheet would run as a formula."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from mentorship import csv_import, services
from mentorship.models import ImportRun, Invitation, Pairing
from tests.spreadsheets import read_csv

pytestmark = pytest.mark.django_db

HEADER = "email,name,role,skills,interests,capacity\n"


def errors_of(preview):
    return [(e.line, e.reason) for e in preview.errors]


@pytest.mark.parametrize(
    "row",
    [
        "nul@example.com,Nu\x00ll,mentee,,,",
        "nul\x00@example.com,Null,mentee,,,",
        'nul@example.com,"quoted \x00",mentee,,,',
        "nul@example.com,Null,mentee,,,\x00",
    ],
)
def test_participant_row_with_a_nul_is_refused_at_the_preview(program, row):
    text = HEADER + "ok@example.com,Ok,mentee,,,\n" + row + "\n"
    preview = csv_import.preview_participants(program, text)
    assert [line for line, _ in errors_of(preview)] == [3], errors_of(preview)
    assert "NUL character" in preview.errors[0].reason
    assert not preview.ok


def test_nul_in_the_header_is_refused(program):
    preview = csv_import.preview_participants(
        program, "email,name,role\x00\nok@example.com,Ok,mentee\n"
    )
    assert [line for line, _ in errors_of(preview)] == [1]
    assert "NUL character" in preview.errors[0].reason


def test_pairing_row_with_a_nul_is_refused_at_the_preview(program, mentor, mentee):
    text = f"mentor_email,mentee_email\n{mentor.email},{mentee.email}\x00\n"
    preview = csv_import.preview_pairings(program, text)
    assert [line for line, _ in errors_of(preview)] == [2], errors_of(preview)
    assert "NUL character" in preview.errors[0].reason


def test_the_import_service_refuses_a_nul_and_saves_nothing(program, admin):
    text = HEADER + "nul@example.com,Nu\x00ll,mentee,,,\n"
    with pytest.raises(services.ImportRejected):
        services.participants_import(program=program, text=text, by=admin)
    assert not User.objects.filter(email="nul@example.com").exists()


def test_the_import_page_names_the_line_and_imports_the_valid_rows_alone(client, program, admin):
    client.force_login(admin)
    content = (
        HEADER + "ok@example.com,Ok,mentee,,,\nnul@example.com,Nu\x00ll,mentee,,,\n"
    ).encode()
    response = client.post(
        reverse("mentorship:import_upload", args=[program.uuid, "participants"]),
        {"file": SimpleUploadedFile("people.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<td>3</td><td>This row contains a NUL character" in page
    assert not Invitation.objects.exists()
    # Importing the valid row alone works, and the skipped row's file holds no NUL.
    response = client.post(
        reverse("mentorship:import_confirm", args=[program.uuid, "participants"]),
        {"token": response.context["token"], "mode": "valid-rows"},
    )
    assert response.status_code == 302
    assert list(Invitation.objects.values_list("email", flat=True)) == ["ok@example.com"]
    run = ImportRun.objects.get()
    skipped = client.get(reverse("mentorship:import_run_skipped", args=[program.uuid, run.uuid]))
    assert "\x00" not in skipped.content.decode()
    assert "nul@example.com,Nu\ufffdll,mentee" in skipped.content.decode()


@pytest.mark.parametrize(
    "name",
    ["=HYPERLINK(1)", "+1+1", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1"],
)
def test_pairings_csv_neutralises_every_formula_start(client, program, admin, pairing, name):
    User.objects.filter(pk=pairing.mentee_id).update(name=name)
    client.force_login(admin)
    response = client.get(reverse("mentorship:program_export_pairings", args=[program.uuid]))
    rows = read_csv(response)
    assert [r["Mentee"] for r in rows] == ["'" + name]
    assert Pairing.objects.count() == 1
