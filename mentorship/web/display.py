"""Rows of the program pages' long lists, prepared once per page in Python: a link, names, a
status label and dates per row, so the template loop only prints strings.

Per-row `{% url %}`, `{% translate %}`, `|date` and `{% include %}` made the program dashboard
spend most of its time on ~100 rows; here each is done once per page (a URL is reversed once
with a placeholder and filled in per row, labels and month names are translated once per
language).
"""

from __future__ import annotations

import uuid
from functools import lru_cache

from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language
from django.utils.translation import gettext as _

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


def pairing_rows(pairings) -> list[dict]:
    """The open pairings table: the link, both names, the status badge and the dates
    ("j M Y", "—" for none) of each selectors.OpenPairing."""
    statuses, months, _last_met, _never = _labels_now()
    url = UrlPattern("mentorship:pairing_detail")

    def day(value) -> str:
        return f"{value.day} {months[value.month]} {value.year}" if value else "—"

    return [
        {
            "url": url(p.uuid),
            "mentor": p.mentor.display_name,
            "mentee": p.mentee.display_name,
            "label": statuses.get(p.status, p.status),
            "badge": STATUS_BADGES.get(p.status, OTHER_BADGE),
            "last_checkin": day(p.last_checkin_on),
            "next_due": day(p.next_checkin_due),
        }
        for p in pairings
    ]


def stalled_rows(pairings) -> list[dict]:
    """The stalled pairings list: the link, "mentor → mentee" and when they last met."""
    _statuses, months, last_met, never = _labels_now()
    url = UrlPattern("mentorship:pairing_detail")
    return [
        {
            "url": url(p.uuid),
            "names": f"{p.mentor.display_name} → {p.mentee.display_name}",
            "met": (
                last_met % {"d": f"{p.last_checkin_on.day} {months[p.last_checkin_on.month]}"}
                if p.last_checkin_on
                else never
            ),
        }
        for p in pairings
    ]


def unpaired_rows(program, memberships) -> list[dict]:
    """The unpaired mentees list: name, e-mail address and the link to their suggestions."""
    url = UrlPattern("mentorship:program_match", program.uuid)
    return [
        {"name": m.user.display_name, "email": m.user.email, "url": url(m.uuid)}
        for m in memberships
    ]
