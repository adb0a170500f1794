"""The program admin's weekly digest carries the outcomes report's headline figures, with a
link to the report (the figures of tests/mentorship/report_world.py, worked out by hand)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from notifications import digests, dispatch
from notifications.delivery import deliver, pending_ids
from tests.factories import MembershipFactory
from tests.mentorship.report_world import NOW, build

from .factories import person

pytestmark = pytest.mark.django_db

# report_world's "today" is Monday 15 June 2026; the digest goes out at 08:00.
SEND = datetime(2026, 6, 15, 8, 5, tzinfo=UTC)


def test_the_admin_digest_payload_has_the_report_headlines(program):
    build(program)
    admin = person("ada@example.com", "Ada")
    MembershipFactory(program=program, user=admin, role="admin")
    payloads = digests.compose_admin([admin.pk], now=NOW, since={admin.pk: NOW})
    [entry] = payloads[admin.pk]["programs"]
    outcomes = entry["outcomes"]
    assert (outcomes["match_rate"], outcomes["matched"], outcomes["mentees"]) == (86, 6, 7)
    assert outcomes["median_days_to_match"] == 24.0
    assert outcomes["meetings_per_pair_month"] == 0.71
    assert (outcomes["meeting_rule_share"], outcomes["meeting_rule_met"]) == (50, 1)
    assert (outcomes["goals"], outcomes["goals_completed"], outcomes["median_progress"]) == (
        5,
        1,
        20.0,
    )
    assert (outcomes["median_closed_days"], outcomes["premature"]) == (42.0, 2)
    assert entry["report_url"] == reverse("mentorship:program_report", args=[program.uuid])


def test_the_admin_digest_e_mail_says_the_figures_and_links_the_report(program):
    build(program)
    admin = person("ada@example.com", "Ada", digest_weekday=0, digest_hour=8)
    MembershipFactory(program=program, user=admin, role="admin")
    with time_machine.travel(SEND, tick=False):
        dispatch.dispatch(enqueue=False)
        deliver(pending_ids(now=SEND))
    [message] = [m for m in mail.outbox if m.to == [admin.email]]
    text, html = message.body, message.alternatives[0][0]
    report = reverse("mentorship:program_report", args=[program.uuid])
    for body in (text, html):
        assert "86% (6 of 7 mentees)" in body
        assert "median 24.0 days to a match" in body
        assert "0.71 meetings per pair per month" in body
        assert "50% of active pairs meet the meeting rule (1 of 2)" in body
        assert "Goals: 5 created, 1 completed" in body and "median progress 20.0%" in body
        assert "Closed pairings lasted 42.0 days (median)" in body
        assert "2 pairings ended within 3 months" in body
        assert report in body
