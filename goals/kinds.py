"""The choices of the goals domain, apart from the models so that pure helpers
(goals.progress, goals.smart) can use them without importing the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GoalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    COMPLETED = "completed", _("Completed")
    ABANDONED = "abandoned", _("Abandoned")


OPEN_GOAL_STATUSES = (GoalStatus.DRAFT, GoalStatus.ACTIVE, GoalStatus.ON_HOLD)


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Only me")
    MENTOR = "mentor", _("Me and my mentor")
    PROGRAM = "program", _("Me, my mentor and the program admins")


# The visibilities that share a goal with the mentee's mentor (goals.policy).
SHARED_WITH_MENTOR = (Visibility.MENTOR, Visibility.PROGRAM)


class Category(models.TextChoices):
    CAREER_DEVELOPMENT = "career_development", _("Career development")
    SKILL_BUILDING = "skill_building", _("Skill building")
    LEADERSHIP = "leadership", _("Leadership")
    COMMUNICATION = "communication", _("Communication")
    NETWORKING = "networking", _("Networking")
    CAREER_TRANSITION = "career_transition", _("Career transition")
    EMOTIONAL_INTELLIGENCE = "emotional_intelligence", _("Emotional intelligence")
    LONG_TERM_ASPIRATION = "long_term_aspiration", _("Long-term aspiration")
    OTHER = "other", _("Other")


class MilestoneKind(models.TextChoices):
    MILESTONE = "milestone", _("Milestone")
    ACTION = "action", _("Weekly action step")
