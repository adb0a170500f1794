"""Every export of a program, linked from its pages: members, pairings, goals summary and
check-in dates; each keeps to what admins may see."""

from datetime import date

import pytest
from django.urls import reverse

from goals.models import Visibility
from tests.factories import AgreementFactory, CheckInFactory, GoalFactory
from tests.spreadsheets import read_csv

pytestmark = pytest.mark.django_db


rows_of = read_csv


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
    by_email = {(r["E-mail"], r["Role"]): r for r in rows}
    assert set(by_email) == {
        (admin.email, "Program admin"),
        (mentor.email, "Mentor"),
        (mentee.email, "Mentee"),
    }
    assert by_email[(mentor.email, "Mentor")]["Open pairings as mentor"] == "1"
    assert by_email[(mentor.email, "Mentor")]["Capacity"] == "3"
    assert by_email[(mentee.email, "Mentee")]["Paired as mentee"] == "yes"
    assert by_email[(mentee.email, "Mentee")]["Capacity"] == ""


def test_the_checkins_export_has_dates_but_not_what_was_said(client, program, admin, pairing):
    AgreementFactory(pairing=pairing)
    CheckInFactory(pairing=pairing, occurred_on=date(2026, 11, 2), summary="A private talk")
    client.force_login(admin)
    response = client.get(reverse("mentorship:program_export_checkins", args=[program.uuid]))
    assert "A private talk" not in response.content.decode()
    [row] = rows_of(response)
    assert row["Date"] == "2026-11-02" and row["Mentee's e-mail"] == pairing.mentee.email


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
    assert sorted(r["Goal"] for r in rows) == ["'=Shared", "Mentor only"]
    assert all(r["Mentee's e-mail"] == mentee.email and r["Health"] for r in rows)
