"""Dates and times written the reader's way: a few named styles, each with its format per
language (Django's date-format characters; month and day names come from Django's own
translations). Pages, e-mails and exports ask for a style, never a format, so a language
orders and punctuates its dates itself ("2 Dec 2026", "2. Dez. 2026")."""

from datetime import date, datetime
from functools import cache

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language

# style -> {language: format}; a language missing from a style falls back to English. "M" is
# a month's abbreviation capitalised (German nouns), "b" in lower case (Spanish, French and
# Portuguese write months so).
STYLES = {
    # 2 Dec 2026
    "date": {"en": "j M Y", "de": "j. M Y", "es": "j b Y", "fr": "j b Y", "pt-br": "j b Y"},
    # 2 Dec
    "day_month": {"en": "j M", "de": "j. M", "es": "j b", "fr": "j b", "pt-br": "j b"},
    # 2 Dec 2026, 14:30
    "date_time": {
        "en": "j M Y, H:i",
        "de": "j. M Y, H:i",
        "es": "j b Y, H:i",
        "fr": "j b Y, H:i",
        "pt-br": "j b Y, H:i",
    },
    # Wednesday 2 Dec 2026
    "weekday_date": {
        "en": "l j M Y",
        "de": "l, j. M Y",
        "es": "l, j b Y",
        "fr": "l j b Y",
        "pt-br": "l, j b Y",
    },
    # Wednesday 2 Dec 2026, 14:30
    "weekday_date_time": {
        "en": "l j M Y, H:i",
        "de": "l, j. M Y, H:i",
        "es": "l, j b Y, H:i",
        "fr": "l j b Y, H:i",
        "pt-br": "l, j b Y, H:i",
    },
    # Wed 2 Dec, 14:30
    "short_weekday_time": {
        "en": "D j M, H:i",
        "de": "D, j. M, H:i",
        "es": "D j b, H:i",
        "fr": "D j b, H:i",
        "pt-br": "D, j b, H:i",
    },
    # Wed 2 Dec 2026, 14:30 (a meeting, in e-mails and calendar notices)
    "short_weekday_date_time": {
        "en": "D j M Y, H:i",
        "de": "D, j. M Y, H:i",
        "es": "D j b Y, H:i",
        "fr": "D j b Y, H:i",
        "pt-br": "D, j b Y, H:i",
    },
    # Wed 2 Dec
    "short_weekday": {
        "en": "D j M",
        "de": "D, j. M",
        "es": "D j b",
        "fr": "D j b",
        "pt-br": "D, j b",
    },
    # Wednesday 2 December
    "weekday_day_month": {
        "en": "l j F",
        "de": "l, j. F",
        "es": r"l j \d\e F",
        "fr": "l j F",
        "pt-br": r"l, j \d\e F",
    },
    # 2 December 2026
    "long_date": {
        "en": "j F Y",
        "de": "j. F Y",
        "es": r"j \d\e F \d\e Y",
        "fr": "j F Y",
        "pt-br": r"j \d\e F \d\e Y",
    },
    # December 2026
    "month_year": {
        "en": "F Y",
        "de": "F Y",
        "es": r"F \d\e Y",
        "fr": "F Y",
        "pt-br": r"F \d\e Y",
    },
}


def style_format(style: str, language: str | None = None) -> str:
    """The format of `style` in `language` (the active one by default)."""
    formats = STYLES[style]
    language = (language or get_language() or "en").lower()
    return formats.get(language) or formats.get(language.split("-")[0]) or formats["en"]


# The date-format characters the fast path writes itself (pages write many dates); a format
# using any other goes through django.utils.dateformat.
_FAST = frozenset("jMbYHi")


@cache
def _writer(style: str, language: str | None):
    """A function writing a date in `style` for `language`: the common formats ("2 Dec 2026",
    "2. Dez 2026, 14:30") assembled directly, with the month names translated once per
    language; any other through django.utils.dateformat (what Django writes, in both)."""
    fmt = style_format(style, language)
    if not {ch for ch in fmt if ch.isalpha()} <= _FAST or "\\" in fmt:
        return lambda value: date_format(value, fmt)
    titled = {month: str(name).title() for month, name in MONTHS_3.items()}
    lower = {month: str(name).lower() for month, name in MONTHS_3.items()}
    parts = {
        "j": lambda v: str(v.day),
        "M": lambda v: titled[v.month],
        "b": lambda v: lower[v.month],
        "Y": lambda v: str(v.year),
        "H": lambda v: f"{v.hour:02d}",
        "i": lambda v: f"{v.minute:02d}",
    }
    pieces = [parts.get(ch, ch) for ch in fmt]
    return lambda value: "".join(p(value) if callable(p) else p for p in pieces)


def written(value: date | datetime | None, style: str = "date") -> str:
    """`value` in `style`, in the active language; an aware datetime in the active time
    zone. "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return _writer(style, get_language())(value)
