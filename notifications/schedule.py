"""Local wall-clock times, quiet hours and daylight-saving changes, as pure functions.

Everything is computed from the recipient's IANA zone with zoneinfo: a reminder "at 09:00" is
09:00 on the recipient's clock whatever the UTC offset is that day.
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from .models import FeedbackMode


@dataclass(frozen=True)
class Prefs:
    """The few preference values scheduling needs; defaults when a person has no row."""

    muted_kinds: frozenset[str] = field(default_factory=frozenset)
    digest_weekday: int = 0
    digest_hour: int = 8
    feedback_mode: str = FeedbackMode.GATHERED
    quiet_hours_start: int | None = None
    quiet_hours_end: int | None = None

    def wants(self, kind: str) -> bool:
        return kind not in self.muted_kinds

    @classmethod
    def from_row(cls, row) -> "Prefs":
        if row is None:
            return cls()
        return cls(
            muted_kinds=frozenset(row.muted_kinds or ()),
            digest_weekday=row.digest_weekday,
            digest_hour=row.digest_hour,
            feedback_mode=row.feedback_mode,
            quiet_hours_start=row.quiet_hours_start,
            quiet_hours_end=row.quiet_hours_end,
        )


DEFAULT_PREFS = Prefs()


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def in_quiet_hours(hour: int, prefs: Prefs) -> bool:
    start, end = prefs.quiet_hours_start, prefs.quiet_hours_end
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end  # overnight, e.g. 22:00 to 07:00


def to_utc(tz: zoneinfo.ZoneInfo, day: date, at: time) -> datetime:
    """The UTC instant of a wall-clock time. In a spring-forward gap (02:30 that never
    happens) the instant is the one the clock shows after the jump; in a fall-back overlap
    the first occurrence is used, so the time is never used twice."""
    local = datetime.combine(day, at).replace(tzinfo=tz, fold=0)
    return local.astimezone(UTC)


def local_send_time(tz: zoneinfo.ZoneInfo, day: date, hour: int, prefs: Prefs) -> datetime:
    """UTC instant of `hour`:00 on `day` in `tz`, moved to the end of the quiet hours when it
    falls inside them."""
    moment = to_utc(tz, day, time(hour))
    local = moment.astimezone(tz)
    if in_quiet_hours(local.hour, prefs):
        end = prefs.quiet_hours_end
        end_day = local.date() if local.hour < end else local.date() + timedelta(days=1)
        moment = to_utc(tz, end_day, time(end))
    return moment


def quiet_hours_release(now: datetime, tz: zoneinfo.ZoneInfo, prefs: Prefs) -> datetime:
    """`now`, or the end of the quiet hours if `now` is inside them (for instant messages)."""
    local = now.astimezone(tz)
    if not in_quiet_hours(local.hour, prefs):
        return now
    end = prefs.quiet_hours_end
    end_day = local.date() if local.hour < end else local.date() + timedelta(days=1)
    return to_utc(tz, end_day, time(end))


def latest_digest_day(now: datetime, tz: zoneinfo.ZoneInfo, weekday: int) -> date:
    """The most recent local date (today included) that falls on `weekday`."""
    today = now.astimezone(tz).date()
    return today - timedelta(days=(today.weekday() - weekday) % 7)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
