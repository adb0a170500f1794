"""The CSV downloads and the charts in the reader's language: translated headings and labels,
decimals with the language's separator (and then cells separated by semicolons, as a
spreadsheet set to that language expects), dates in the ISO form in every language."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from core.csvsafe import csv_cell, spreadsheet_value
from goals.charts import bar_chart
from tests.factories import CheckInFactory, GoalFactory
from tests.spreadsheets import read_csv

from .report_world import NOW, build

pytestmark = pytest.mark.django_db


def reading_in(client, person, language):
    person.language = language
    person.save(update_fields=["language"])
    client.force_login(person)
    return client


def test_the_pairings_csv_in_german(client, program, admin, pairing):
    pairing.last_checkin_on = date(2026, 1, 5)
    pairing.save()
    CheckInFactory(pairing=pairing, occurred_on=date(2026, 1, 5))
    response = reading_in(client, admin, "de").get(
        reverse("mentorship:program_export_pairings", args=[program.uuid])
    )
    [row] = read_csv(response, delimiter=";")
    assert list(row)[:4] == ["Mentor:in", "E-Mail der Mentor:in", "Mentee", "E-Mail der Mentee"]
    assert row["Status"] == "Aktiv"
    assert row["Letztes Treffen"] == "2026-01-05"  # a date a spreadsheet reads in any language
    assert row["E-Mail der Mentee"] == pairing.mentee.email


@pytest.mark.parametrize(
    "language,delimiter,yes,role",
    [("en", ",", "yes", "Mentee"), ("de", ";", "ja", "Mentee"), ("fr", ";", "oui", "Mentoré")],
)
def test_the_members_csv_speaks_the_readers_language(
    client, program, admin, pairing, language, delimiter, yes, role
):
    response = reading_in(client, admin, language).get(
        reverse("mentorship:program_export_members", args=[program.uuid])
    )
    rows = read_csv(response, delimiter=delimiter)
    with translation.override(language):
        role_heading, paired = translation.gettext("Role"), translation.gettext("Paired as mentee")
    [mentee] = [r for r in rows if r[role_heading] == role]
    assert mentee[paired] == yes


def test_the_report_csv_in_german_writes_decimal_commas_and_iso_dates(client, program, admin):
    world = build(program)
    with time_machine.travel(NOW, tick=False):
        response = reading_in(client, admin, "de").get(
            reverse("mentorship:program_report_csv", args=[world.program.uuid]),
            {"started_from": "2026-02", "started_to": "2026-03"},
        )
    rows = read_csv(response, delimiter=";")
    assert list(rows[0]) == ["Stand", "Gestartet ab", "Gestartet vor", "Monat", "Kennzahl", "Wert"]
    assert {r["Stand"] for r in rows} == {"2026-06-15"}
    totals = {r["Kennzahl"]: r["Wert"] for r in rows if not r["Monat"]}
    assert totals["median_days_to_match"] == "19,0"
    assert totals["meetings_per_pair_month"] == "0,78"
    assert totals["match_rate"] == "100"


def test_a_negative_decimal_with_a_comma_stays_a_number():
    with translation.override("de"):
        assert spreadsheet_value(Decimal("-2.5")) == "-2,5"
        assert csv_cell(spreadsheet_value(Decimal("-2.5"))) == "-2,5"
        assert spreadsheet_value(True) == "ja"
    assert csv_cell("-2,5+A1") == "'-2,5+A1"
    assert csv_cell("=1,5") == "'=1,5"


def test_the_goal_chart_writes_its_axis_in_the_readers_language(client, mentee):
    goal = GoalFactory(mentee=mentee, baseline_value=Decimal("2.5"), target_value=Decimal("10"))
    url = reverse("goals:goal_detail", args=[goal.uuid])
    german = reading_in(client, mentee, "de").get(url).text
    assert ">2,5</text>" in german and ">2.5</text>" not in german
    english = reading_in(client, mentee, "en").get(url).text
    assert ">2.5</text>" in english


def test_the_report_charts_ticks_follow_the_language():
    with translation.override("pt-br"):
        chart = bar_chart(["jan"], [[0.5]])
    assert [label for _y, label in chart.y_ticks] == ["0", "0,25", "0,5"]
    with translation.override("en"):
        chart = bar_chart(["Jan"], [[0.5]])
    assert [label for _y, label in chart.y_ticks] == ["0", "0.25", "0.5"]
