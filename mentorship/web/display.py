"""The rows of the program dashboard's long lists, written in Python once per page.

Per-row `{% url %}`, `{% translate %}`, `|date` and `{% include %}` made the program dashboard
spend most of its time on ~100 rows, and even a loop printing ready strings costs the
template engine ~10 µs a value. Here a URL is reversed once with a placeholder and filled in
per row, labels and month names are translated once per language, and each row is one
format string (its markup below, the same as the template's before) with escaped values.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.dates import written

from ..models import PairingStatus

_PLACEHOLDER = str(uuid.UUID(int=0))

# The colours of templates/mentorship/_status_badge.html.
STATUS_BADGES = {
    PairingStatus.ACTIVE: "text-bg-success",
    PairingStatus.PROPOSED: "text-bg-info",
    PairingStatus.PAUSED: "text-bg-warning",
    PairingStatus.COMPLETED: "text-bg-primary",
}
OTHER_BADGE = "text-bg-secondary"


class UrlPattern:
    """`reverse(name, args=[*fixed, uuid])` for many uuids: reversed once, then filled in."""

    def __init__(self, name: str, *fixed):
        url = reverse(name, args=[*fixed, _PLACEHOLDER])
        self.prefix, _sep, self.suffix = url.rpartition(_PLACEHOLDER)

    def __call__(self, value) -> str:
        return f"{self.prefix}{value}{self.suffix}"


@lru_cache(maxsize=16)
def _labels(language: str | None) -> tuple[dict[str, str], tuple[str, ...], str, str]:
    """Status labels, month abbreviations (as the `M` date format writes them) and the
    stalled rows' phrases, in one language."""
    statuses = {value: str(label) for value, label in PairingStatus.choices}
    months = ("", *(str(MONTHS_3[m]).title() for m in range(1, 13)))
    return statuses, months, _("last met %(d)s"), _("never met")


def _labels_now():
    return _labels(get_language())


def _day(months, value) -> str:
    """A date in the reader's "date" style (core.dates), "—" for none."""
    return written(value) if value else "—"


def _local_day(moment):
    return timezone.localtime(moment).date() if moment else None


# The rows' markup. Every value is escaped as Django's templates do (django.utils.html.escape
# is html.escape, wrapped for lazy strings, which these are not).
OPEN_PAIRING_ROW = (
    '<tr><td><a href="{url}">{mentor}</a></td><td>{mentee}</td>'
    '<td><span class="badge rounded-pill {badge}">{label}</span></td>'
    "<td>{last_checkin}</td><td>{next_due}</td>"
    '<td data-messages="{message_count}">{message_count}</td><td>{last_message}</td></tr>'
)
STALLED_ROW = (
    '<li class="list-group-item d-flex justify-content-between align-items-center gap-2">'
    '<a href="{url}">{mentor} → {mentee}</a>'
    '<span class="small text-danger text-nowrap">{met}</span></li>'
)
UNPAIRED_ROW = (
    '<li class="list-group-item d-flex justify-content-between align-items-center gap-2">'
    '<span>{name} <span class="small text-body-secondary d-none d-sm-inline">{email}</span>'
    '</span><a class="btn btn-sm btn-outline-primary text-nowrap" href="{url}">{find}</a></li>'
)


def open_pairing_rows(pairings) -> SafeString:
    """The open pairings table's rows (selectors.OpenPairing): the link, both names, the
    status badge, the dates, and how much the pair writes to each other (never what)."""
    statuses, months, _met, _never = _labels_now()
    url = UrlPattern("mentorship:pairing_detail")
    return SafeString(
        "\n".join(
            OPEN_PAIRING_ROW.format(
                url=escape(url(p.uuid)),
                mentor=escape(p.mentor.display_name),
                mentee=escape(p.mentee.display_name),
                badge=STATUS_BADGES.get(p.status, OTHER_BADGE),
                label=escape(statuses.get(p.status, p.status)),
                last_checkin=_day(months, p.last_checkin_on),
                next_due=_day(months, p.next_checkin_due),
                message_count=p.message_count,
                last_message=_day(months, _local_day(p.last_message_at)),
            )
            for p in pairings
        )
    )


def stalled_rows(pairings) -> SafeString:
    """The stalled pairings list: the link, "mentor → mentee" and when they last met."""
    _statuses, months, last_met, never = _labels_now()
    url = UrlPattern("mentorship:pairing_detail")

    def met(day) -> str:
        return last_met % {"d": written(day, "day_month")} if day else never

    return SafeString(
        "\n".join(
            STALLED_ROW.format(
                url=escape(url(p.uuid)),
                mentor=escape(p.mentor.display_name),
                mentee=escape(p.mentee.display_name),
                met=escape(met(p.last_checkin_on)),
            )
            for p in pairings
        )
    )


def unpaired_rows(program, memberships) -> SafeString:
    """The unpaired mentees list: name, e-mail address and the link to their suggestions."""
    url = UrlPattern("mentorship:program_match", program.uuid)
    find = escape(_("Find a mentor"))
    return SafeString(
        "\n".join(
            UNPAIRED_ROW.format(
                name=escape(m.user.display_name),
                email=escape(m.user.email),
                url=escape(url(m.uuid)),
                find=find,
            )
            for m in memberships
        )
    )


MEETING_ROW = (
    '<tr{row_class}><td><a href="{url}">{mentor} → {mentee}</a></td>{months}<td>{flag}</td></tr>'
)


def meeting_rows(pairings, below, months_shown) -> SafeString:
    """The program dashboard's meetings table: each active pair's meetings in each of the
    last three months, and a flag for a pair below the program's rule."""
    _statuses, months, _met, _never = _labels_now()
    url = UrlPattern("mentorship:pairing_detail")
    below_ids = {p.pk for p in below}
    flag = escape(_("below the expected meetings"))
    rows = []
    for p in pairings:
        if p.status != PairingStatus.ACTIVE:
            continue
        flagged = p.pk in below_ids
        rows.append(
            MEETING_ROW.format(
                row_class=' class="table-warning"' if flagged else "",
                url=escape(url(p.uuid)),
                mentor=escape(p.mentor.display_name),
                mentee=escape(p.mentee.display_name),
                months="".join(f"<td>{n}</td>" for n in p.meetings_by_month),
                flag=f'<span class="badge text-bg-warning">{flag}</span>' if flagged else "",
            )
        )
    return SafeString("\n".join(rows))


def month_labels(starts) -> list[str]:
    _statuses, months, _met, _never = _labels_now()
    return [f"{months[d.month]} {d.year}" for d in starts]
