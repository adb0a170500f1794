"""Migration 0014: the feedback entries given before surveys existed are kept as survey
answers: a final entry as the close-out, the others as pulse rounds in the order given, the
rating as the match score."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("mentorship", "0013_cohorts")]
AFTER = [("mentorship", "0014_surveys")]


@pytest.mark.django_db(transaction=True)
def test_feedback_rows_become_survey_answers():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("accounts", "User")
    Program = old.get_model("mentorship", "Program")
    Pairing = old.get_model("mentorship", "Pairing")
    Feedback = old.get_model("mentorship", "MentorshipFeedback")
    mentor = User.objects.create(email="maria@example.com", name="Maria")
    mentee = User.objects.create(email="mia@example.com", name="Mia")
    program = Program.objects.create(name="Northwind", slug="northwind")
    pairing = Pairing.objects.create(program=program, mentor=mentor, mentee=mentee, status="ended")
    now = timezone.now()
    for days, author, rating, final in [
        (30, mentee, 3, False),
        (20, mentee, 4, False),
        (10, mentee, 5, True),
        (12, mentor, 2, False),
        (5, None, 1, True),  # a deleted user's final entry
    ]:
        Feedback.objects.create(
            pairing=pairing,
            author=author,
            rating=rating,
            comment=f"{rating}",
            shared_with_partner=rating == 4,
            is_final=final,
            created_at=now - timedelta(days=days),
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Survey = new.get_model("mentorship", "SurveyResponse")
    rows = {
        (r.author_id, r.kind, r.round): (r.match_score, r.shared, r.progress_score)
        for r in Survey.objects.all()
    }
    assert rows == {
        (mentee.pk, "pulse", 1): (3, False, None),
        (mentee.pk, "pulse", 2): (4, True, None),
        (mentee.pk, "close_out", 0): (5, False, None),
        (mentor.pk, "pulse", 1): (2, False, None),
        (None, "close_out", 0): (1, False, None),
    }

    # Back to the latest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
