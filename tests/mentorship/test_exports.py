"""Every export of a program, linked from its pages: members, pairings, goals summary and
check-in dates; each keeps to what admins may see."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from goals.models import Visibility
from tests.factories import AgreementFactory, CheckInFactory, GoalFactory

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_dashboard_links_every_export(client, program, admin):
    client.force_login(admin)
    body = client.get(reverse("mentorship:program_dashboard", args=[program.uuid])).text
    for name in (
        "mentorship:program_export_members",
        "mentorship:program_export_pairings",
        "goals:program_goals_export",
        "mentorship:program_export_checkins",
    ):
        assert reverse(name, args=[program.uuid]) in body, name


def test_the_members_export_lists_each_membership(client, program, admin, mentor, mentee, pairing):
    client.force_login(admin)
    rows = rows_of(client.get(reverse("mentorship:program_export_members", args=[program.uuid])))
    by_email = {(r["email"], r["role"]): r for r in rows}
    assert set(by_email) == {
        (admin.email, "admin"),
        (mentor.email, "mentor"),
        (mentee.email, "mentee"),
    }
    assert by_email[(mentor.email, "mentor")]["open_pairings_as_mentor"] == "1"
    assert by_email[(mentor.email, "mentor")]["capacity"] == "3"
    assert by_email[(mentee.email, "mentee")]["paired_as_mentee"] == "yes"
    assert by_email[(mentee.email, "mentee")]["capacity"] == ""


def test_the_checkins_export_has_dates_but_not_what_was_said(client, program, admin, pairing):
    AgreementFactory(pairing=pairing)
    CheckInFactory(pairing=pairing, occurred_on=date(2026, 11, 2), summary="A private talk")
    client.force_login(admin)
    response = client.get(reverse("mentorship:program_export_checkins", args=[program.uuid]))
    assert "A private talk" not in response.content.decode()
    [row] = rows_of(response)
    assert row["date"] == "2026-11-02" and row["mentee_email"] == pairing.mentee.email


def test_the_goals_export_matches_the_summary_page_and_leaves_out_private_goals(
    client, program, admin, mentee, pairing
):
    GoalFactory(
        mentee=mentee,
        pairing=pairing,
        program=program,
        title="=Shared",
        visibility=Visibility.PROGRAM,
    )
    GoalFactory(
        mentee=mentee,
        pairing=pairing,
        program=program,
        title="Mentor only",
        visibility=Visibility.MENTOR,
    )
    GoalFactory(
        mentee=mentee,
        pairing=pairing,
        program=program,
        title="Secret",
        visibility=Visibility.PRIVATE,
    )
    client.force_login(admin)
    page = client.get(reverse("goals:program_goals", args=[program.uuid])).text
    assert reverse("goals:program_goals_export", args=[program.uuid]) in page
    response = client.get(reverse("goals:program_goals_export", args=[program.uuid]))
    assert "Secret" not in response.content.decode()
    rows = rows_of(response)
    assert sorted(r["goal"] for r in rows) == ["'=Shared", "Mentor only"]
    assert all(r["mentee_email"] == mentee.email and r["health"] for r in rows)
