"""Every e-mail the product sends, rendered in each language: a day of the dispatcher
(reminders, meetings, surveys, digests, nudges) and what people's acts send (a message,
feedback, an application's answer, a pairing proposal, a meeting invitation, an invitation
to a program, a password reset), all caused in English and read by people who chose another
language. In each message, subject, text and HTML, no English sentence of ours (nor of
allauth's) is left, and the HTML says which language it is in."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import allauth
import polib
import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import translation

from goals import services as goal_services
from mentorship import services
from mentorship.meetings import meeting_cancel, meeting_pick, meeting_propose
from mentorship.models import ActionItem, Meeting, MeetingStatus, Membership, Role
from notifications import dispatch
from notifications.email import TEMPLATES, build_notification_email, outbox_message
from notifications.models import Notification, OutboxEmail
from tests.factories import GoalFactory, MembershipFactory, MilestoneFactory, ProgramFactory

from .factories import pair, person

pytestmark = pytest.mark.django_db(transaction=False)

DAY0 = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
TODAY = DAY0.date()
LANGUAGES = [code for code, _name in settings.LANGUAGES]
LOCALE = Path(settings.BASE_DIR) / "locale"
ALLAUTH_LOCALE = Path(allauth.__file__).parent / "locale"
# What people typed: names, titles, messages. Not ours to translate.
ENTERED = re.compile(r"Maria|Mia|Ben|Ada|Nora|Run a 10k|Register|First 5k|Bring the CV")


def _catalogue_dir(language: str) -> str:
    return translation.to_locale(language)


def english_sentences(language: str) -> list[str]:
    """Our English texts (and allauth's e-mail texts) that the catalogue of `language`
    translates into something else: the pieces between placeholders and tags, long enough
    to be sentences rather than words that languages share."""
    pieces = set()
    catalogues = [LOCALE / _catalogue_dir(language) / "LC_MESSAGES" / "django.po"]
    allauth_po = ALLAUTH_LOCALE / _catalogue_dir(language) / "LC_MESSAGES" / "django.po"
    if allauth_po.exists():
        catalogues.append(allauth_po)
    for path in catalogues:
        for entry in polib.pofile(str(path)):
            if entry.obsolete or not entry.translated():
                continue
            if path.parts[-5:] != allauth_po.parts[-5:] or "email" in " ".join(
                f for f, _line in entry.occurrences
            ):
                translated = entry.msgstr or " ".join(entry.msgstr_plural.values())
                for english in filter(None, (entry.msgid, entry.msgid_plural)):
                    for piece in re.split(r"%\(\w+\)[sd]|%[sd]|<[^>]+>|\{[^}]*\}|\n", english):
                        piece = piece.strip(" .,:;!?()“”\"'—-")
                        if len(piece) >= 18 and piece not in translated:
                            pieces.add(piece)
    return sorted(pieces)


def a_day_of_mail(language: str) -> dict[str, list]:
    """Every kind of e-mail, for readers of `language`, caused in English. Returns template
    name -> the messages rendered with it."""
    reader = {"language": "" if language == "en" else language}
    prefs = {"digest_weekday": 0, "digest_hour": 9}
    ada = person("ada@example.com", "Ada", **prefs)
    maria = person("maria@example.com", "Maria", **prefs)
    mia = person("mia@example.com", "Mia", **prefs)
    ben = person("ben@example.com", "Ben", **prefs)
    nora = person("nora@example.com", "Nora", **prefs)
    for user in (ada, maria, mia, ben, nora):
        user.language = reader["language"]
        user.save(update_fields=["language"])
    program = ProgramFactory(name="Spring", starts_on=TODAY - timedelta(days=60))
    MembershipFactory(program=program, user=ada, role=Role.ADMIN)
    # Mia: a check-in due tomorrow, her first pulse survey today, no meeting for a month.
    first = pair(maria, mia, program=program, due=TODAY + timedelta(days=1))
    first.started_on = TODAY - timedelta(days=30)
    first.save(update_fields=["started_on"])
    # Ben: a check-in overdue since yesterday, an overdue action item, a meeting in an hour
    # and one tomorrow, one that ended this morning.
    second = pair(maria, ben, program=program, due=TODAY - timedelta(days=1))
    ActionItem.objects.create(
        pairing=second, owner=ben, title="Bring the CV", due_on=TODAY - timedelta(days=1)
    )
    for starts_at in (
        DAY0 + timedelta(hours=10),
        DAY0 + timedelta(hours=20),
        DAY0 + timedelta(days=1, hours=12),
    ):
        Meeting.objects.create(
            pairing=second,
            proposed_by=maria,
            status=MeetingStatus.CONFIRMED,
            starts_at=starts_at,
            duration=45,
            location="Room 2",
            uid=f"{starts_at.isoformat()}@example.com",
        )
    # Nora waits for a mentor since a week.
    MembershipFactory(program=program, user=nora, role=Role.MENTEE)
    Membership.objects.filter(user=nora).update(joined_at=DAY0 - timedelta(days=7, hours=12))
    with time_machine.travel(DAY0 - timedelta(days=3), tick=False):
        goal = GoalFactory(
            mentee=mia,
            program=program,
            title="Run a 10k",
            starts_on=TODAY - timedelta(days=60),
            target_date=TODAY + timedelta(days=20),
            baseline_value=0,
            target_value=10,
            current_value=0,
        )
        MilestoneFactory(goal=goal, title="Register", due_on=TODAY - timedelta(days=1))
        MilestoneFactory(goal=goal, title="First 5k", due_on=TODAY + timedelta(days=1))
    with time_machine.travel(DAY0, tick=False) as traveller:
        for hour in range(24):
            traveller.move_to(DAY0 + timedelta(hours=hour, minutes=5))
            dispatch.dispatch(enqueue=False)
        # What people do, in English: a message, an update and its feedback, a proposal, a
        # meeting, an application answered, an invitation, a close-out, a password reset.
        with translation.override("en"):
            services.message_post(pairing=first, author=mia, body="See you soon!")
            update = goal_services.progress_update_log(
                goal=goal, by=mia, value=3, note="3 km", confidence=4
            )
            goal_services.progress_update_acknowledge(update=update, by=maria, reply="Great")
            meeting = meeting_propose(
                pairing=first,
                by=mia,
                candidate_times=[DAY0 + timedelta(days=3, hours=9)],
                duration=30,
            )
            meeting_pick(meeting=meeting, by=maria, starts_at=DAY0 + timedelta(days=3, hours=9))
            meeting_cancel(meeting=meeting, by=mia)
            services.pairing_create(program=program, mentor=maria, mentee=nora, by=ada)
            other = ProgramFactory(name="Autumn", join_policy="approval")
            MembershipFactory(program=other, user=ada, role=Role.ADMIN)
            application = services.application_submit(
                program=other, user=ben, role=Role.MENTEE, message="Hello"
            )
            services.application_decide(application=application, by=ada, approve=True)
            services.invitation_create(
                program=other, email="nora@example.com", role=Role.MENTOR, invited_by=ada
            )
            services.pairing_end(pairing=second, by=ada, reason="Done")
        traveller.move_to(DAY0 + timedelta(hours=23, minutes=30))
        dispatch.dispatch(enqueue=False)
        Client(headers={"accept-language": "en"}).post(
            "/accounts/password/reset/", {"email": "mia@example.com"}
        )
    found: dict[str, list] = {}
    batches: dict[str, list] = {}
    for row in Notification.objects.filter(send_email=True).select_related("recipient"):
        batches.setdefault(row.batch_key or row.dedupe_key, []).append(row)
    for rows in batches.values():
        name = TEMPLATES.get(rows[0].kind, "notification")
        found.setdefault(name, []).append(build_notification_email(rows))
    for row in OutboxEmail.objects.all():
        if row.body:
            message = outbox_message(row)
        else:  # sent already (allauth's e-mails leave at once): the message as delivered
            [message] = [m for m in mail.outbox if m.to == row.to and m.subject == row.subject]
        found.setdefault(row.kind, []).append(message)
    mail.outbox.clear()
    return found


EVERY_EMAIL = {
    *TEMPLATES.values(),
    "notification",
    "invitation",
    "meeting_request",
    "meeting_cancel",
    "account/email/password_reset_key",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_email_reads_in_its_readers_language(language):
    found = a_day_of_mail(language)
    assert set(found) >= EVERY_EMAIL, f"not sent in this day: {EVERY_EMAIL - set(found)}"
    english = [] if language == "en" else english_sentences(language)
    problems = []
    for name, messages in sorted(found.items()):
        for message in messages:
            assert message.subject.strip() and message.body.strip(), name
            html = next((body for body, kind in message.alternatives if kind == "text/html"), None)
            if html is not None and f'<html lang="{language}"' not in html:
                problems.append(f"{name}: the HTML does not say lang={language}")
            for part, text in (("subject", message.subject), ("text", message.body)):
                text = ENTERED.sub("", text)
                problems += [f"{name} {part}: “{s}”" for s in english if s in text]
            if html is not None:
                text = ENTERED.sub("", re.sub(r"<[^>]+>", " ", html))
                text = re.sub(r"\s+", " ", text)
                problems += [f"{name} html: “{s}”" for s in english if s in text]
    assert not problems, "\n".join(sorted(set(problems)))
