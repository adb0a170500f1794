"""Every program, invitation and pairing URL: 404 for those outside it, 403 for those who may
see it but not change it, 405 for the wrong method, a login redirect for the anonymous."""

import uuid

import pytest
from django.urls import reverse

from mentorship.models import Membership, PairingStatus, Role

pytestmark = pytest.mark.django_db

ALL = ["admin", "other_admin", "mentor", "other_mentor", "mentee", "other_mentee", "stranger"]
PROGRAM_MEMBERS = {"mentor", "other_mentor", "mentee", "other_mentee"}


@pytest.fixture
def world(
    program,
    admin,
    other_admin,
    mentor,
    other_mentor,
    mentee,
    other_mentee,
    stranger,
    agreement,
    other_pairing,
):
    """Everyone exists; Mia is paired with Maria (with an agreement); Noah with Otto."""
    return {
        "program": program,
        "pairing": agreement.pairing,
        "mentee_membership": Membership.objects.get(program=program, user=mentee),
    }


def program_urls(world):
    p = world["program"].uuid
    m = world["mentee_membership"].uuid
    return {
        "program_dashboard": ("get", reverse("mentorship:program_dashboard", args=[p])),
        "program_edit": ("get", reverse("mentorship:program_edit", args=[p])),
        "export": ("get", reverse("mentorship:program_export_pairings", args=[p])),
        "members": ("get", reverse("mentorship:member_list", args=[p])),
        "invite": ("get", reverse("mentorship:program_invite", args=[p])),
        "import_participants": (
            "get",
            reverse("mentorship:import_upload", args=[p, "participants"]),
        ),
        "import_pairings": ("get", reverse("mentorship:import_upload", args=[p, "pairings"])),
        "import_confirm": (
            "post",
            reverse("mentorship:import_confirm", args=[p, "participants"]),
        ),
        "match": ("get", reverse("mentorship:program_match", args=[p, m])),
        "pairing_new": ("get", reverse("mentorship:pairing_new", args=[p])),
    }


PROGRAM_URL_NAMES = [
    "program_dashboard",
    "program_edit",
    "export",
    "members",
    "invite",
    "import_participants",
    "import_pairings",
    "import_confirm",
    "match",
    "pairing_new",
]


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("name", PROGRAM_URL_NAMES)
def test_program_urls(client, request, world, persona, name):
    method, url = program_urls(world)[name]
    client.force_login(request.getfixturevalue(persona))
    response = getattr(client, method)(url)
    if persona == "admin":
        assert response.status_code in (200, 302)
    elif persona in PROGRAM_MEMBERS:
        assert response.status_code == 403
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("name", PROGRAM_URL_NAMES)
def test_program_urls_send_the_anonymous_to_log_in(client, world, name):
    method, url = program_urls(world)[name]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_unknown_program_is_404_even_for_an_admin(client, world, admin):
    client.force_login(admin)
    response = client.get(reverse("mentorship:program_dashboard", args=[uuid.uuid4()]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name,method",
    [
        ("program_dashboard", "post"),
        ("export", "post"),
        ("members", "post"),
        ("import_confirm", "get"),
        ("match", "post"),
        ("program_edit", "put"),
    ],
)
def test_program_urls_wrong_method(client, world, admin, name, method):
    _, url = program_urls(world)[name]
    client.force_login(admin)
    assert getattr(client, method)(url).status_code == 405


def test_program_list_and_create(client, world, admin, mentor, stranger):
    client.force_login(stranger)
    assert client.get(reverse("mentorship:program_list")).status_code == 200
    assert client.get(reverse("mentorship:program_create")).status_code == 403
    client.force_login(mentor)
    assert client.get(reverse("mentorship:program_create")).status_code == 403
    client.force_login(admin)
    assert client.get(reverse("mentorship:program_create")).status_code == 200
    assert client.post(reverse("mentorship:program_list")).status_code == 405
    assert client.delete(reverse("mentorship:program_create")).status_code == 405


@pytest.mark.parametrize("persona", ALL)
def test_invitation_revoke(client, request, world, persona, admin):
    from mentorship import services

    invitation, _token = services.invitation_create(
        program=world["program"], email="new@example.com", role=Role.MENTEE, invited_by=admin
    )
    url = reverse("mentorship:invitation_revoke", args=[world["program"].uuid, invitation.uuid])
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == 405
    response = client.post(url)
    invitation.refresh_from_db()
    if persona == "admin":
        assert response.status_code == 302
        assert invitation.revoked_at is not None
    else:
        assert response.status_code == (403 if persona in PROGRAM_MEMBERS else 404)
        assert invitation.revoked_at is None


def test_invitation_of_another_program_is_404(client, world, admin, other_admin, other_program):
    from mentorship import services

    invitation, _ = services.invitation_create(
        program=other_program, email="x@example.com", role=Role.MENTEE, invited_by=other_admin
    )
    client.force_login(admin)
    url = reverse("mentorship:invitation_revoke", args=[world["program"].uuid, invitation.uuid])
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("persona", ALL)
def test_invitation_link_that_does_not_exist_is_404(client, request, world, persona):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("mentorship:invitation_accept", args=["made-up-token"])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert client.put(url).status_code == 405


# --- Pairings -------------------------------------------------------------------------------

PARTICIPANTS = {"mentor", "mentee"}
OUTSIDERS = {"other_admin", "other_mentor", "other_mentee", "stranger"}


def pairing_urls(pairing):
    u = pairing.uuid
    return {
        "detail": ("get", reverse("mentorship:pairing_detail", args=[u]), {}),
        "agreement": ("get", reverse("mentorship:pairing_agreement", args=[u]), {}),
        "agreement_save": (
            "post",
            reverse("mentorship:pairing_agreement", args=[u]),
            {"meeting_frequency": "Weekly", "expectations": "x", "boundaries": "y"},
        ),
        "agreement_accept": ("post", reverse("mentorship:pairing_agreement_accept", args=[u]), {}),
        "checkin": (
            "post",
            reverse("mentorship:pairing_checkin", args=[u]),
            {"occurred_on": "2026-01-01", "summary": "Met."},
        ),
        "pause": ("post", reverse("mentorship:pairing_pause", args=[u]), {}),
        "resume": ("post", reverse("mentorship:pairing_resume", args=[u]), {}),
        "complete": ("post", reverse("mentorship:pairing_complete", args=[u]), {}),
        "end": ("post", reverse("mentorship:pairing_end", args=[u]), {"reason": "Moved on."}),
        "reassign": ("get", reverse("mentorship:pairing_reassign", args=[u]), {}),
    }


# Who may change what: the pair takes part, the admins manage.
PARTICIPANT_ACTIONS = {"agreement", "agreement_save", "agreement_accept", "checkin"}
ADMIN_ACTIONS = {"pause", "resume", "complete", "end", "reassign"}


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("name", ["detail", *sorted(PARTICIPANT_ACTIONS), *sorted(ADMIN_ACTIONS)])
def test_pairing_urls(client, request, world, persona, name):
    method, url, data = pairing_urls(world["pairing"])[name]
    client.force_login(request.getfixturevalue(persona))
    response = getattr(client, method)(url, data)
    if persona in OUTSIDERS:
        assert response.status_code == 404
    elif name == "detail":
        assert response.status_code == 200
    elif name in PARTICIPANT_ACTIONS:
        expected_ok = persona in PARTICIPANTS
        assert response.status_code in ((200, 302) if expected_ok else (403,))
    else:
        expected_ok = persona == "admin"
        assert response.status_code in ((200, 302) if expected_ok else (403,))


@pytest.mark.parametrize("name", ["detail", "agreement", "reassign"])
def test_pairing_urls_send_the_anonymous_to_log_in(client, world, name):
    method, url, data = pairing_urls(world["pairing"])[name]
    response = getattr(client, method)(url, data)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize(
    "name,method",
    [
        ("detail", "post"),
        ("agreement_accept", "get"),
        ("checkin", "get"),
        ("pause", "get"),
        ("end", "get"),
        ("agreement", "delete"),
    ],
)
def test_pairing_urls_wrong_method(client, world, mentor, admin, name, method):
    _, url, _ = pairing_urls(world["pairing"])[name]
    client.force_login(admin if name in ADMIN_ACTIONS else mentor)
    assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize("persona", ["mentor", "mentee"])
def test_past_pairing_is_read_only_for_the_pair(client, request, world, persona):
    pairing = world["pairing"]
    pairing.status = PairingStatus.ENDED
    pairing.ended_on = pairing.started_on
    pairing.save()
    client.force_login(request.getfixturevalue(persona))
    urls = pairing_urls(pairing)
    assert client.get(urls["detail"][1]).status_code == 200
    for name in ("agreement", "agreement_save", "agreement_accept", "checkin"):
        method, url, data = urls[name]
        assert getattr(client, method)(url, data).status_code == 403, name
    # The close-out survey opens at the end: each side answers its own.
    url = reverse("mentorship:survey_answer", args=[pairing.uuid, "close_out", 0])
    data = {"match_score": "4", "progress_score": "3", "goals_met": "partly", "recommend": "8"}
    assert client.post(url, data).status_code == 302
    assert pairing.survey_responses.get().kind == "close_out"


def test_unknown_pairing_is_404(client, world, admin):
    client.force_login(admin)
    assert client.get(reverse("mentorship:pairing_detail", args=[uuid.uuid4()])).status_code == 404


def test_my_mentorships(client, world, mentor, stranger):
    client.force_login(mentor)
    response = client.get(reverse("mentorship:my_pairings"))
    assert response.status_code == 200
    assert "Mia Mentee" in response.content.decode()
    client.force_login(stranger)
    response = client.get(reverse("mentorship:my_pairings"))
    assert "Mia Mentee" not in response.content.decode()
    assert client.post(reverse("mentorship:my_pairings")).status_code == 405


def test_policy_get_pairing_for_user(world, mentor, mentee, admin, other_admin, stranger):
    from django.http import Http404

    from mentorship import policy

    pairing = world["pairing"]
    assert policy.get_pairing_for_user(mentor, pairing.uuid) == (pairing, "mentor")
    assert policy.get_pairing_for_user(mentee, pairing.uuid)[1] == "mentee"
    assert policy.get_pairing_for_user(admin, pairing.uuid)[1] == "admin"
    for outsider in (other_admin, stranger):
        with pytest.raises(Http404):
            policy.get_pairing_for_user(outsider, pairing.uuid)
