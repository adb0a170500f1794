"""CSV import of participants and pairings: every bad row named with its line and reason;
all rows or none."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentorship import csv_import, services
from mentorship.models import ImportRun, Invitation, Membership, Pairing, PairingStatus, Role
from mentorship.web.imports import _participants_message
from tests.factories import MembershipFactory, PairingFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "email,name,role,skills,interests,capacity\n"


def errors_of(preview):
    return [(e.line, e.reason) for e in preview.errors]


def only_error(preview):
    assert len(preview.errors) == 1, errors_of(preview)
    return preview.errors[0].line, preview.errors[0].reason


def test_good_participants_file(program):
    text = HEADER + (
        'ana@example.com,Ana,mentor,"leadership; speaking",communication,2\n'
        "lena@example.com,Lena,Mentee,,leadership,\n"
        "\n"
        "lena@example.com,Lena,mentor,,,\n"
    )
    preview = csv_import.preview_participants(program, text)
    assert preview.ok, errors_of(preview)
    assert [r.line for r in preview.rows] == [2, 3, 5]
    assert preview.rows[0].capacity == 2 and preview.rows[1].role == "mentee"


@pytest.mark.parametrize(
    "row,reason",
    [
        ("x@example.com,X,boss,,,", "Unknown role “boss”"),
        ("not-an-email,X,mentee,,,", "Bad e-mail address “not-an-email”"),
        ("x@example.com,X,mentor,,,lots", "Capacity “lots” is not a whole number"),
        ("x@example.com,X", "Missing column: the row has 2 values, the header names 6."),
    ],
)
def test_participant_bad_rows(program, row, reason):
    text = HEADER + "ok@example.com,Ok,mentee,,,\n" + row + "\n"
    line, message = only_error(csv_import.preview_participants(program, text))
    assert line == 3
    assert reason in message


def test_participant_duplicate_in_file(program):
    text = (
        HEADER + "a@example.com,A,mentee,,,\nb@example.com,B,mentee,,,\nA@example.com,A,mentee,,,\n"
    )
    line, message = only_error(csv_import.preview_participants(program, text))
    assert line == 4
    assert "Duplicate" in message and "line 2" in message


def test_participant_duplicate_of_an_existing_member(program, mentee):
    text = HEADER + f"{mentee.email},Mia,mentee,,,\n"
    line, message = only_error(csv_import.preview_participants(program, text))
    assert (line, "Duplicate") == (2, message[:9])


def test_missing_column_in_header(program):
    text = "email,name,skills\na@example.com,A,x\n"
    line, message = only_error(csv_import.preview_participants(program, text))
    assert line == 1
    assert "Missing column: role" in message


def test_wrong_encoding_names_the_lines():
    data = (
        HEADER.encode()
        + "a@example.com,Zoë,mentee,,,\n".encode("latin-1")
        + b"b@example.com,B,mentee,,,\n"
    )
    text, errors = csv_import.decode_upload(data)
    assert text is None
    assert [(e.line, e.reason[:14]) for e in errors] == [(2, "Wrong encoding")]
    text, errors = csv_import.decode_upload("email\n".encode("utf-16"))
    assert text is None and "UTF-16" in errors[0].reason


def test_utf8_with_bom_is_fine(program):
    text, errors = csv_import.decode_upload(
        ("\ufeff" + HEADER + "z@example.com,Zoë,mentee,,,\n").encode()
    )
    assert not errors
    assert csv_import.preview_participants(program, text).ok


def test_import_invites_every_row_with_its_details(program, admin, stranger):
    text = (
        HEADER
        + f"{stranger.email},Sam,mentor,python,,4\nnew@example.com,New Person,mentee,,speaking,\n"
    )
    result = services.participants_import(program=program, text=text, by=admin)
    assert result == {"invitations": 2}
    # Nobody is a member before accepting, and no account is made for the new address.
    assert not Membership.objects.filter(program=program, role__in=["mentor", "mentee"]).exists()
    assert not User.objects.filter(email="new@example.com").exists()
    sam = Invitation.objects.get(email=stranger.email, program=program)
    assert (sam.role, sam.capacity, sam.skills, sam.name) == ("mentor", 4, "python", "Sam")
    new = Invitation.objects.get(email="new@example.com", program=program)
    assert (new.role, new.interests, new.name) == ("mentee", "speaking", "New Person")


def test_importing_the_same_file_again_sends_no_second_invitation(program, admin):
    text = HEADER + "again@example.com,A,mentee,,,\n"
    assert services.participants_import(program=program, text=text, by=admin) == {"invitations": 1}
    assert services.participants_import(program=program, text=text, by=admin) == {
        "invitations": 0,
        "already_invited": 1,
    }
    assert Invitation.objects.filter(email="again@example.com").count() == 1


def test_an_expired_invitation_imported_again_is_sent_again_not_doubled(
    program, admin, mailoutbox, django_capture_on_commit_callbacks
):
    text = HEADER + "late@example.com,L,mentee,,,\nfresh@example.com,F,mentor,,,\n"
    services.participants_import(program=program, text=text, by=admin)
    late = Invitation.objects.get(email="late@example.com")
    old_hash = late.token_hash
    Invitation.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(days=1))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.participants_import(program=program, text=text, by=admin)
    assert result == {"invitations": 0, "already_invited": 1, "sent_again": 1}
    assert Invitation.objects.filter(email="late@example.com").count() == 1
    late.refresh_from_db()
    assert late.token_hash != old_hash and not late.is_expired and late.sent_count == 2
    # Only the expired one hears again, and its new link opens it.
    assert [m.to for m in mailoutbox] == [["late@example.com"]]
    link = re.search(r"/invitations/([\w-]+)/", mailoutbox[0].body).group(1)
    assert services.invitation_find(token=link) == late
    assert "their links had expired" not in _participants_message(result)
    assert "its link had expired; it was sent again" in _participants_message(result)


def test_file_with_one_bad_row_imports_nothing(program, admin):
    rows = "".join(f"p{n}@example.com,P{n},mentee,,,\n" for n in range(50))
    text = HEADER + rows + "bad@example.com,Bad,wizard,,,\n"
    before = (User.objects.count(), Membership.objects.count())
    with pytest.raises(services.ImportRejected) as rejected:
        services.participants_import(program=program, text=text, by=admin)
    assert errors_of(rejected.value.preview)[0][0] == 52
    assert (User.objects.count(), Membership.objects.count()) == before


# --- Pairings -------------------------------------------------------------------------------

PHEADER = "mentor_email,mentee_email\n"


@pytest.fixture
def people(program):
    def person(email, role, capacity=3):
        user = UserFactory(email=email)
        MembershipFactory(program=program, user=user, role=role, capacity=capacity)
        return user

    return {
        "m1": person("m1@example.com", Role.MENTOR, capacity=1),
        "m2": person("m2@example.com", Role.MENTOR),
        "e1": person("e1@example.com", Role.MENTEE),
        "e2": person("e2@example.com", Role.MENTEE),
        "e3": person("e3@example.com", Role.MENTEE),
    }


def test_good_pairings_file_imports_as_proposed(
    program, admin, people, django_capture_on_commit_callbacks
):
    text = PHEADER + "m1@example.com,e1@example.com\nm2@example.com,e2@example.com\n"
    preview = csv_import.preview_pairings(program, text)
    assert preview.ok, errors_of(preview)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.pairings_import(program=program, text=text, by=admin) == {"pairings": 2}
    pairing = Pairing.objects.get(mentee=people["e1"])
    assert pairing.status == PairingStatus.PROPOSED
    assert pairing.agreement.mentor_accepted_at is None
    assert pairing.events.get().action == "created"
    # Each person hears of it once, in the inbox (no e-mail per row).
    from notifications.models import Notification

    notices = Notification.objects.filter(recipient=people["e1"])
    assert [(n.send_email, "proposed mentor" in n.title) for n in notices] == [(False, True)]
    assert Notification.objects.filter(recipient=people["m1"]).count() == 1
    # The task is idempotent: a redelivered task sends nothing new.
    from mentorship.tasks import notify_imported_pairings

    batch = notices.get().dedupe_key.split(":")[1]
    notify_imported_pairings(batch, list(Pairing.objects.values_list("pk", flat=True)))
    assert Notification.objects.filter(recipient__in=people.values()).count() == 4


@pytest.mark.parametrize(
    "rows,line,reason",
    [
        (
            "m2@example.com,nobody@example.com",
            2,
            "Unknown person: nobody@example.com is not a mentee",
        ),
        ("e1@example.com,e2@example.com", 2, "Unknown person: e1@example.com is not a mentor"),
        ("m2@example.com,not-an-email", 2, "Bad e-mail address"),
        (
            "m2@example.com,e1@example.com\nm2@example.com,e1@example.com",
            3,
            "Duplicate: e1@example.com is already paired on line 2",
        ),
        (
            "m1@example.com,e1@example.com\nm1@example.com,e2@example.com",
            3,
            "Mentor over capacity: m1@example.com takes at most 1",
        ),
        ("m2@example.com", 2, "Missing column"),
    ],
)
def test_pairing_bad_rows(program, people, rows, line, reason):
    got_line, message = only_error(csv_import.preview_pairings(program, PHEADER + rows + "\n"))
    assert got_line == line
    assert reason in message


def test_pairing_with_an_existing_open_pairing(program, people):
    PairingFactory(program=program, mentor=people["m2"], mentee=people["e3"])
    line, message = only_error(
        csv_import.preview_pairings(program, PHEADER + "m2@example.com,e3@example.com\n")
    )
    assert "already has an open pairing" in message


def test_existing_load_counts_toward_capacity(program, people):
    PairingFactory(program=program, mentor=people["m1"], mentee=people["e3"])
    line, message = only_error(
        csv_import.preview_pairings(program, PHEADER + "m1@example.com,e1@example.com\n")
    )
    assert "over capacity" in message


def test_pairings_file_with_one_bad_row_imports_nothing(program, admin, people):
    text = PHEADER + "m2@example.com,e1@example.com\nm2@example.com,ghost@example.com\n"
    with pytest.raises(services.ImportRejected):
        services.pairings_import(program=program, text=text, by=admin)
    assert not Pairing.objects.exists()


# --- Pages ----------------------------------------------------------------------------------


def upload(client, program, kind, content: bytes):
    return client.post(
        reverse("mentorship:import_upload", args=[program.uuid, kind]),
        {"file": SimpleUploadedFile("people.csv", content, content_type="text/csv")},
    )


def test_upload_preview_confirm(client, program, admin):
    client.force_login(admin)
    response = upload(
        client, program, "participants", (HEADER + "q@example.com,Q,mentor,,,\n").encode()
    )
    assert response.status_code == 200
    assert "1 row is ready to import" in response.content.decode()
    assert 'id="import-background"' not in response.content.decode()  # imported at once
    token = response.context["token"]
    assert not User.objects.filter(email="q@example.com").exists()
    response = client.post(
        reverse("mentorship:import_confirm", args=[program.uuid, "participants"]), {"token": token}
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="q@example.com", role="mentor").count() == 1
    # The preview is used up: confirming twice does not import twice.
    response = client.post(
        reverse("mentorship:import_confirm", args=[program.uuid, "participants"]),
        {"token": token},
        follow=True,
    )
    assert "no longer available" in response.content.decode()
    assert Invitation.objects.filter(email="q@example.com").count() == 1


def test_preview_lists_every_bad_row_and_offers_the_valid_rows_alone(client, program, admin):
    client.force_login(admin)
    content = (
        HEADER
        + "ok@example.com,Ok,mentee,,,\n"
        + "bad,B,mentee,,,\n"
        + "c@example.com,C,chief,,,\n"
        + "ok@example.com,Ok,mentee,,,\n"
    ).encode()
    response = upload(client, program, "participants", content)
    body = response.content.decode()
    assert "3 problems found. Nothing was imported" in body
    for line in ("<td>3</td>", "<td>4</td>", "<td>5</td>"):
        assert line in body
    # Nothing is imported as it stands; importing the valid row alone is offered.
    assert 'name="mode" value="valid-rows"' in body
    assert "Import the 1 valid row, skip 3" in body
    assert ">Import 1 row<" not in body


def test_preview_shows_encoding_errors(client, program, admin):
    client.force_login(admin)
    response = upload(
        client, program, "participants", HEADER.encode() + "é@x.com,É,mentee,,,\n".encode("latin-1")
    )
    assert "Wrong encoding" in response.content.decode()


def test_confirm_rechecks_against_the_database(client, program, admin):
    client.force_login(admin)
    response = upload(
        client, program, "participants", (HEADER + "late@example.com,L,mentee,,,\n").encode()
    )
    token = response.context["token"]
    # Between the preview and the confirmation, late@ joined the program as a mentee.
    MembershipFactory(program=program, user=UserFactory(email="late@example.com"), role=Role.MENTEE)
    response = client.post(
        reverse("mentorship:import_confirm", args=[program.uuid, "participants"]), {"token": token}
    )
    assert "Duplicate" in response.content.decode()
    assert not Invitation.objects.filter(email="late@example.com").exists()


def test_unknown_kind_is_404(client, program, admin):
    client.force_login(admin)
    assert (
        client.get(reverse("mentorship:import_upload", args=[program.uuid, "goals"])).status_code
        == 404
    )


def test_each_imported_person_gets_an_email_whose_link_opens_their_own_invitation(
    client, program, admin, mailoutbox, django_capture_on_commit_callbacks
):
    """The e-mails of an import are rendered once per role and copied with each link: every
    copy carries its own person's link and role, in the text and in the HTML."""
    text = HEADER + "".join(
        f"p{n}@example.com,P{n},{'mentor' if n % 2 else 'mentee'},,,\n" for n in range(4)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.participants_import(program=program, text=text, by=admin)
    assert sorted(m.to[0] for m in mailoutbox) == [f"p{n}@example.com" for n in range(4)]
    links = set()
    for message in mailoutbox:
        html = message.alternatives[0][0]
        link = re.search(r"/invitations/([\w-]+)/", message.body).group(0)
        assert link in html and services.TOKEN_SLOT not in message.body + html
        links.add(link)
        invitation = services.invitation_find(token=link.split("/")[2])
        assert invitation.email == message.to[0]
        assert str(Role(invitation.role).label) in message.body
        page = client.get(link)
        assert page.status_code == 200 and message.to[0] in page.content.decode()
    assert len(links) == 4


def test_importing_the_valid_rows_skips_the_others_and_offers_them_as_a_file(
    client, program, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    content = (
        HEADER
        + "ok@example.com,Ok,mentee,,,\n"
        + ",No Address,mentee,,,\n"
        + "c@example.com,C,chief,,,\n"
        + "d@example.com,=HYPERLINK(1),wizard,,,\n"
        + "two@example.com,Two,mentor,,,5\n"
    ).encode()
    preview = upload(client, program, "participants", content)
    body = preview.content.decode()
    assert "Missing e-mail address." in body  # not "bad e-mail"
    assert "Import the 2 valid rows, skip 3" in body
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(
            reverse("mentorship:import_confirm", args=[program.uuid, "participants"]),
            {"token": preview.context["token"], "mode": "valid-rows"},
        )
    run = ImportRun.objects.get()
    assert confirm["Location"] == reverse(
        "mentorship:import_run_detail", args=[program.uuid, run.uuid]
    )
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "ok@example.com",
        "two@example.com",
    ]
    assert run.result["invitations"] == 2 and run.result["skipped_count"] == 3
    page = client.get(confirm["Location"]).content.decode()
    assert "3 rows were skipped" in page and "Sent 2 invitations" in page
    download = reverse("mentorship:import_run_skipped", args=[program.uuid, run.uuid])
    assert download in page
    response = client.get(download)
    assert response["Content-Type"].startswith("text/csv")
    assert "people-skipped-rows.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["email", "name", "role", "skills", "interests", "capacity", "reason"]
    assert [r[:3] for r in rows[1:]] == [
        ["", "No Address", "mentee"],
        ["c@example.com", "C", "chief"],
        ["d@example.com", "'=HYPERLINK(1)", "wizard"],  # made safe for spreadsheets
    ]
    assert rows[1][-1] == "Missing e-mail address."
    assert rows[2][-1].startswith("Unknown role")


def test_the_valid_rows_alone_is_an_explicit_choice(client, program, admin):
    """Confirming without choosing it stays all or nothing."""
    client.force_login(admin)
    preview = upload(
        client,
        program,
        "participants",
        (HEADER + "ok@example.com,Ok,mentee,,,\nbad,B,x,,,\n").encode(),
    )
    response = client.post(
        reverse("mentorship:import_confirm", args=[program.uuid, "participants"]),
        {"token": preview.context["token"]},
    )
    assert "problems found. Nothing was imported" in response.content.decode()
    assert not Invitation.objects.exists() and not ImportRun.objects.exists()


def test_a_missing_pairing_address_is_called_missing(program):
    preview = csv_import.preview_pairings(program, PHEADER + ",mentee@example.com\n")
    assert [e.reason for e in preview.errors] == ["Missing mentor e-mail address."]


def test_a_file_with_other_column_names_is_mapped_to_ours(
    client, program, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    content = (
        b"Full Name,Email Address,Participant Type,Notes\n"
        b"Ana Okafor,ana@example.com,mentor,likes tea\n"
        b"Lena Fischer,lena@example.com,mentee,\n"
    )
    page = upload(client, program, "participants", content)
    body = page.content.decode()
    assert page.status_code == 200 and "Match the file" in body
    # The guesses are chosen already: Email Address for email, Full Name for name, ...
    assert re.search(r'name="map_email"[^>]*>.*?<option value="1" selected>', body, re.S)
    assert re.search(r'name="map_name"[^>]*>.*?<option value="0" selected>', body, re.S)
    assert re.search(r'name="map_role"[^>]*>.*?<option value="2" selected>', body, re.S)
    token = page.context["token"]
    url = reverse("mentorship:import_map", args=[program.uuid, "participants"])
    preview = client.post(url, {"token": token, "map_email": "1", "map_name": "0", "map_role": "2"})
    text = preview.content.decode()
    assert "2 rows are ready to import" in text and "ana@example.com" in text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("mentorship:import_confirm", args=[program.uuid, "participants"]),
            {"token": preview.context["token"]},
        )
    ana = Invitation.objects.get(email="ana@example.com")
    assert (ana.name, ana.role) == ("Ana Okafor", "mentor")


def test_skipped_rows_of_a_mapped_file_keep_the_files_own_column_names(client, program, admin):
    client.force_login(admin)
    page = upload(
        client,
        program,
        "participants",
        b"Full Name,Email Address,Type,Notes\nAna,ana@example.com,mentor,x\nBo,,mentee,y\n",
    )
    preview = client.post(
        reverse("mentorship:import_map", args=[program.uuid, "participants"]),
        {"token": page.context["token"], "map_email": "1", "map_name": "0", "map_role": "2"},
    )
    client.post(
        reverse("mentorship:import_confirm", args=[program.uuid, "participants"]),
        {"token": preview.context["token"], "mode": "valid-rows"},
    )
    run = ImportRun.objects.get()
    rows = list(csv.reader(io.StringIO(run.skipped_csv)))
    assert rows == [
        ["Full Name", "Email Address", "Type", "Notes", "reason"],
        ["Bo", "", "mentee", "y", "Missing e-mail address."],
    ]


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ({"map_email": "1", "map_name": "0"}, "Choose a column of the file for role."),
        ({"map_email": "1", "map_name": "1", "map_role": "2"}, "one of ours only"),
        ({"map_email": "99", "map_name": "0", "map_role": "2"}, "for email"),
        ({"map_email": "x", "map_name": "-1", "map_role": "2"}, "for email, name"),
    ],
)
def test_a_bad_choice_of_columns_says_what_is_wrong(client, program, admin, choice, message):
    client.force_login(admin)
    page = upload(
        client,
        program,
        "participants",
        b"Full Name,Email Address,Type\nAna,ana@example.com,mentor\n",
    )
    response = client.post(
        reverse("mentorship:import_map", args=[program.uuid, "participants"]),
        {"token": page.context["token"], **choice},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


def test_mapping_without_the_uploads_token_starts_again(client, program, admin):
    client.force_login(admin)
    response = client.post(
        reverse("mentorship:import_map", args=[program.uuid, "participants"]),
        {"token": "made-up", "map_email": "0"},
        follow=True,
    )
    assert "no longer available" in response.content.decode()
