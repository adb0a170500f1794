"""A notice is written in its recipient's language, whoever caused it: the services give
notify() functions that compose the title and body, and notify calls them in the recipient's
language (accounts.User.language, else the site's)."""

import pytest
from django.utils import translation

from mentorship import services
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("author_language", "reader_language", "title"),
    [
        ("de", "", "Mia Mentee wrote to you"),
        ("", "de", "Mia Mentee hat dir geschrieben"),
        ("fr", "de", "Mia Mentee hat dir geschrieben"),
    ],
)
def test_a_message_notice_is_in_the_readers_language(
    pairing, mentee, mentor, author_language, reader_language, title
):
    mentee.name, mentee.language = "Mia Mentee", author_language
    mentee.save(update_fields=["name", "language"])
    mentor.language = reader_language
    mentor.save(update_fields=["language"])
    # The request of the one who writes is in her language.
    with translation.override(author_language or "en"):
        services.message_post(pairing=pairing, author=mentee, body="Danke für alles!")
    notice = Notification.objects.get(recipient=mentor)
    assert notice.title == title


def test_a_change_of_status_is_told_in_a_whole_sentence_per_status(pairing, mentee, mentor):
    mentee.name, mentor.name = "Mia", "Maria"
    mentee.language = "de"
    mentee.save(update_fields=["name", "language"])
    mentor.save(update_fields=["name"])
    with translation.override("en"):
        services.pairing_pause(pairing=pairing, by=mentor)
        services.pairing_resume(pairing=pairing, by=mentor)
        services.pairing_complete(pairing=pairing, by=mentor)
    titles = list(
        Notification.objects.filter(recipient=mentee).order_by("id").values_list("title", flat=True)
    )
    assert titles == [
        "Das Tandem aus Maria und Mia ist pausiert",
        "Das Tandem aus Maria und Mia ist wieder aktiv",
        "Das Tandem aus Maria und Mia ist abgeschlossen",
    ]
