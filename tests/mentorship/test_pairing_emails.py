"""What the pairing's e-mails say, read as rendered (text and HTML): a check-in notice carries
its summary and next steps; a new pairing tells each person who the other is and what to do
next."""

from datetime import date

import pytest
from django.core import mail

from mentorship import services
from notifications import delivery
from notifications.models import Notification
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db


def sent_to(user):
    ids = list(Notification.objects.filter(recipient=user).values_list("id", flat=True))
    delivery.deliver(ids)
    messages = [m for m in mail.outbox if user.email in m.to]
    assert len(messages) == 1, [m.subject for m in mail.outbox]
    message = messages[0]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return message.subject, message.body, html


def test_a_checkin_notice_carries_its_summary_and_next_steps(pairing, mentor, mentee):
    AgreementFactory(pairing=pairing)
    services.checkin_log(
        pairing=pairing,
        by=mentor,
        occurred_on=date(2026, 11, 30),
        summary="Walked through the talk's outline & the opening story.",
        next_steps="Record one practice run.\nSend the slides on Friday.",
    )
    subject, text, html = sent_to(mentee)
    assert "Maria Mentor logged your check-in of 2026-11-30" in subject
    for body in (text, html.replace("&amp;", "&")):
        assert "Walked through the talk's outline & the opening story." in body.replace(
            "&#x27;", "'"
        )
        assert "Next steps:" in body
        assert "Record one practice run." in body
        assert "Send the slides on Friday." in body
    assert "<br>Send the slides on Friday." in html  # the lines stay lines
    # The one who logged it is not told about it.
    assert not Notification.objects.filter(recipient=mentor).exists()


def test_a_checkin_without_next_steps_says_none(pairing, mentor, mentee):
    services.checkin_log(pairing=pairing, by=mentee, occurred_on=date.today(), summary="Met.")
    _subject, text, _html = sent_to(mentor)
    assert "Met." in text
    assert "Next steps" not in text


def test_a_new_pairing_says_who_the_other_is_and_what_to_do(
    program, admin, other_mentor, other_mentee
):
    services.pairing_create(program=program, mentor=other_mentor, mentee=other_mentee, by=admin)
    subject, text, html = sent_to(other_mentor)
    assert "Otto Othermentor mentors Noah Othermentee" in subject
    assert "Your mentee is Noah Othermentee (noah@example.com)." in text
    assert "Your mentee is Noah Othermentee (noah@example.com)." in html
    assert "accept it" in text and "accept it" in html
    subject, text, html = sent_to(other_mentee)
    assert "Your mentor is Otto Othermentor (otto@example.com)." in text
    assert "Your mentor is Otto Othermentor (otto@example.com)." in html
    assert "read the agreement" in text and "accept it" in text
    assert "/pairings/" in text  # the link to the pairing, where the agreement is accepted
