"""Feedback on a pairing becomes its surveys: each entry is kept, a final one as the
close-out survey, the others as pulse surveys numbered in the order they were given; the
rating becomes the match score."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def feedback_to_surveys(apps, schema_editor):
    """Number each author's entries on each pairing: the latest final one is the close-out
    (round 0); every other entry, oldest first, a pulse round 1, 2, ... (so that none is lost
    to the one-answer-per-round rule)."""
    SurveyResponse = apps.get_model("mentorship", "SurveyResponse")
    rounds: dict[tuple, int] = {}
    closed: set[tuple] = set()
    rows = list(
        SurveyResponse.objects.order_by("pairing_id", "author_id", "-is_final", "-created_at")
    )
    closing = {}
    for row in rows:
        key = (row.pairing_id, row.author_id)
        if row.is_final and key not in closed:
            closed.add(key)
            closing[row.pk] = True
    for row in sorted(rows, key=lambda r: (r.pairing_id, r.author_id or 0, r.created_at, r.pk)):
        key = (row.pairing_id, row.author_id)
        if closing.get(row.pk):
            row.kind, row.round = "close_out", 0
        else:
            rounds[key] = rounds.get(key, 0) + 1
            row.kind, row.round = "pulse", rounds[key]
        row.updated_at = row.created_at
        row.save(update_fields=["kind", "round", "updated_at"])


def surveys_to_feedback(apps, schema_editor):
    SurveyResponse = apps.get_model("mentorship", "SurveyResponse")
    SurveyResponse.objects.filter(kind="close_out").update(is_final=True)


class Migration(migrations.Migration):
    dependencies = [
        ("mentorship", "0013_cohorts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="mentorshipfeedback", name="feedback_rating_1_to_5"),
        migrations.RenameModel(old_name="MentorshipFeedback", new_name="SurveyResponse"),
        migrations.RenameField(
            model_name="surveyresponse", old_name="rating", new_name="match_score"
        ),
        migrations.RenameField(
            model_name="surveyresponse", old_name="shared_with_partner", new_name="shared"
        ),
        migrations.AlterField(
            model_name="surveyresponse",
            name="pairing",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="survey_responses",
                to="mentorship.pairing",
            ),
        ),
        migrations.AlterField(
            model_name="surveyresponse",
            name="match_score",
            field=models.PositiveSmallIntegerField(
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(5),
                ],
                verbose_name="How well is the match working for you?",
            ),
        ),
        migrations.AlterField(
            model_name="surveyresponse",
            name="shared",
            field=models.BooleanField(
                default=False, verbose_name="let the other side of the pair read this"
            ),
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="kind",
            field=models.CharField(
                choices=[("pulse", "Pulse survey"), ("close_out", "Close-out survey")],
                default="pulse",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="round",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="progress_score",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(5),
                ],
                verbose_name="How much is it helping you towards your goals?",
            ),
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="goals_met",
            field=models.CharField(
                blank=True,
                choices=[("yes", "Yes"), ("partly", "Partly"), ("no", "No")],
                max_length=6,
                verbose_name="Did you reach the goals you set out with?",
            ),
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="recommend",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(10),
                ],
                verbose_name="How likely are you to recommend this program to a friend?",
            ),
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(feedback_to_surveys, surveys_to_feedback),
        migrations.RemoveField(model_name="surveyresponse", name="is_final"),
        migrations.AddConstraint(
            model_name="surveyresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(("match_score__gte", 1), ("match_score__lte", 5)),
                name="survey_match_score_1_to_5",
            ),
        ),
        migrations.AddConstraint(
            model_name="surveyresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("progress_score__isnull", True),
                    models.Q(("progress_score__gte", 1), ("progress_score__lte", 5)),
                    _connector="OR",
                ),
                name="survey_progress_score_1_to_5",
            ),
        ),
        migrations.AddConstraint(
            model_name="surveyresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("recommend__isnull", True),
                    models.Q(("recommend__gte", 0), ("recommend__lte", 10)),
                    _connector="OR",
                ),
                name="survey_recommend_0_to_10",
            ),
        ),
        migrations.AddConstraint(
            model_name="surveyresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(("goals_met__in", ["", "yes", "partly", "no"])),
                name="survey_goals_met_choice",
            ),
        ),
        migrations.AddConstraint(
            model_name="surveyresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "pulse"), ("round__gte", 1)),
                    models.Q(("kind", "close_out"), ("round", 0)),
                    _connector="OR",
                ),
                name="survey_round_fits_kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="surveyresponse",
            constraint=models.UniqueConstraint(
                fields=("pairing", "author", "kind", "round"),
                name="survey_one_answer_per_round",
            ),
        ),
    ]
