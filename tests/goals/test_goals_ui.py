"""The goal pages' Python-written dates and numbers read exactly as the template filters
they replace (`date`, `floatformat:"-2"`)."""

import zoneinfo
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils import timezone, translation

from core.dates import STYLES, style_format
from goals.templatetags.goals_ui import day, number, url_of

DATES = [date(2026, 1, 5), date(2026, 12, 31), date(2030, 5, 1)]
MOMENTS = [datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 23, 59, tzinfo=UTC)]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Asia/Kolkata"])
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("style", list(STYLES))
def test_day_writes_what_the_date_filter_writes(zone, language, style):
    """The fast path agrees with Django's own formatting of the style's format, in every
    language and zone."""
    values = MOMENTS if "H" in STYLES[style]["en"] else DATES + MOMENTS
    with timezone.override(zoneinfo.ZoneInfo(zone)), translation.override(language):
        for value in values:
            local = timezone.localtime(value) if isinstance(value, datetime) else value
            assert day(value, style) == date_filter(local, style_format(style))


def test_the_iso_form_for_attributes():
    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        assert day(MOMENTS[0], "c") == timezone.localtime(MOMENTS[0]).isoformat()


@pytest.mark.parametrize(
    "value",
    ["0", "12", "12.00", "10.8", "3.14159", "-0.001", "-2.5", "2.005", "1000000.75", "1e3"],
)
def test_number_writes_what_floatformat_writes(value):
    assert number(Decimal(value)) == floatformat(Decimal(value), "-2")
    assert number(None) == floatformat(None, "-2")


def test_url_of_is_reverse():
    from django.urls import reverse

    uuid = "6f1c2d3e-0000-4000-8000-000000000001"
    assert (
        url_of("goals:goal_detail", uuid, "#feedback")
        == reverse("goals:goal_detail", args=[uuid]) + "#feedback"
    )
