"""Local times, quiet hours and backoff, as pure functions."""

from datetime import UTC, date, datetime

from django.test import override_settings

from notifications.delivery import backoff_seconds
from notifications.schedule import (
    Prefs,
    in_quiet_hours,
    latest_digest_day,
    local_send_time,
    quiet_hours_release,
    zone,
)


def test_nine_local_is_a_different_utc_hour_either_side_of_new_york_fall_back():
    tz = zone("America/New_York")
    before = local_send_time(tz, date(2026, 10, 31), 9, Prefs())
    after = local_send_time(tz, date(2026, 11, 1), 9, Prefs())
    assert before == datetime(2026, 10, 31, 13, 0, tzinfo=UTC)  # EDT, UTC-4
    assert after == datetime(2026, 11, 1, 14, 0, tzinfo=UTC)  # EST, UTC-5


def test_lord_howe_half_hour_shift_and_kolkata_half_hour_offset():
    lord_howe = zone("Australia/Lord_Howe")
    assert local_send_time(lord_howe, date(2026, 10, 3), 9, Prefs()) == datetime(
        2026, 10, 2, 22, 30, tzinfo=UTC
    )  # +10:30
    assert local_send_time(lord_howe, date(2026, 10, 4), 9, Prefs()) == datetime(
        2026, 10, 3, 22, 0, tzinfo=UTC
    )  # +11:00 after the 30-minute jump
    kolkata = zone("Asia/Kolkata")
    assert local_send_time(kolkata, date(2026, 11, 1), 9, Prefs()) == datetime(
        2026, 11, 1, 3, 30, tzinfo=UTC
    )


def test_a_time_in_the_spring_forward_gap_is_sent_after_the_jump():
    tz = zone("America/New_York")
    moment = local_send_time(tz, date(2026, 3, 8), 2, Prefs())  # 02:00 never happens
    assert moment.astimezone(tz).hour == 3


def test_quiet_hours_overnight_and_daytime():
    night = Prefs(quiet_hours_start=22, quiet_hours_end=7)
    assert in_quiet_hours(23, night) and in_quiet_hours(0, night) and in_quiet_hours(6, night)
    assert not in_quiet_hours(7, night) and not in_quiet_hours(21, night)
    day = Prefs(quiet_hours_start=9, quiet_hours_end=12)
    assert in_quiet_hours(9, day) and not in_quiet_hours(12, day)
    assert not in_quiet_hours(3, Prefs())


def test_a_send_time_inside_quiet_hours_moves_to_their_end():
    tz = zone("Asia/Kolkata")
    prefs = Prefs(quiet_hours_start=22, quiet_hours_end=10)
    moment = local_send_time(tz, date(2026, 11, 2), 9, prefs)
    assert moment.astimezone(tz) == datetime(2026, 11, 2, 10, 0, tzinfo=tz)
    late = local_send_time(tz, date(2026, 11, 2), 23, prefs)
    assert late.astimezone(tz) == datetime(2026, 11, 3, 10, 0, tzinfo=tz)


def test_quiet_hours_release_for_instant_messages():
    tz = zone("UTC")
    prefs = Prefs(quiet_hours_start=22, quiet_hours_end=7)
    now = datetime(2026, 11, 2, 23, 15, tzinfo=UTC)
    assert quiet_hours_release(now, tz, prefs) == datetime(2026, 11, 3, 7, 0, tzinfo=UTC)
    noon = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    assert quiet_hours_release(noon, tz, prefs) == noon


def test_latest_digest_day_is_today_or_before():
    tz = zone("UTC")
    monday = datetime(2026, 11, 2, 12, tzinfo=UTC)
    assert latest_digest_day(monday, tz, 0) == date(2026, 11, 2)
    assert latest_digest_day(monday, tz, 6) == date(2026, 11, 1)
    assert latest_digest_day(monday, tz, 1) == date(2026, 10, 27)


@override_settings(
    NOTIFICATIONS_RETRY_BACKOFF_BASE=30,
    NOTIFICATIONS_RETRY_BACKOFF_MAX=100000,
    CELERY_BROKER_TRANSPORT_OPTIONS={"visibility_timeout": 3600},
)
def test_backoff_grows_and_never_outlives_the_visibility_timeout():
    ceilings = [30 * 2 ** (n - 1) for n in range(1, 8)]
    for attempt, ceiling in enumerate(ceilings, start=1):
        for _ in range(20):
            delay = backoff_seconds(attempt)
            assert min(ceiling, 3540) / 2 <= delay <= min(ceiling, 3540)
    assert all(backoff_seconds(30) <= 3540 for _ in range(50))
