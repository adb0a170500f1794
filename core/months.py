"""Calendar months as the report filters and lists take them: "YYYY-MM" in a query string,
the first day of the month in code."""

import re
from datetime import date

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str) -> date | None:
    """The first day of the month "YYYY-MM"; None when `text` is not one."""
    match = _MONTH.fullmatch((text or "").strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 9999):
        return None
    return date(year, month, 1)


def next_month(first: date) -> date:
    """The first day of the month after the one `first` is in."""
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def last_months(today: date, count: int) -> list[date]:
    """The first days of the `count` months ending with today's, oldest first."""
    months = [today.replace(day=1)]
    while len(months) < count:
        previous = months[-1]
        months.append(date(previous.year - (previous.month == 1), (previous.month - 2) % 12 + 1, 1))
    return months[::-1]
