"""The API's goal serializer writes its fields directly (for speed): the output must be
exactly what its declared fields would write, for every access level and time zone."""

import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from api.serializers import GoalSerializer
from goals.models import Goal, GoalStatus, Visibility
from goals.policy import Level
from goals.selectors import with_progress
from tests.factories import GoalFactory

pytestmark = pytest.mark.django_db


class DeclaredFields(GoalSerializer):
    """GoalSerializer as DRF writes it from the declared fields."""

    def to_representation(self, instance):
        data = serializers.ModelSerializer.to_representation(self, instance)
        if instance.api_level < Level.READ:
            data = {k: v for k, v in data.items() if k in self.SUMMARY_FIELDS}
        return data


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Los_Angeles"])
def test_goal_output_equals_the_declared_fields(program, pairing, mentee, zone):
    GoalFactory(mentee=mentee, program=program, pairing=pairing, visibility=Visibility.PROGRAM)
    GoalFactory(
        mentee=mentee,
        baseline_value=None,
        target_value=None,
        current_value=None,
        target_date=None,
        status=GoalStatus.COMPLETED,
        completed_at=timezone.now() - timedelta(days=3),
        title="Ship <b>it</b> 🎉",
    )
    GoalFactory(mentee=mentee, baseline_value="2.5", target_value="1000000.75", current_value="3")
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for goal in with_progress(Goal.objects.select_related("mentee", "program", "pairing")):
            for level in (Level.SUMMARY, Level.READ, Level.FEEDBACK, Level.OWNER):
                goal.api_level = level
                assert GoalSerializer(goal).data == DeclaredFields(goal).data
                assert list(GoalSerializer(goal).data) == list(DeclaredFields(goal).data)
