"""The kinds of notification, each of which a user can turn on or off."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CHECKIN_DUE_SOON = "checkin_due_soon", _("Check-in due tomorrow")
    CHECKIN_OVERDUE = "checkin_overdue", _("Check-in overdue")
    PAIRING_STALLED = "pairing_stalled", _("Pairing stalled (program admins)")
    MILESTONE_DUE_SOON = "milestone_due_soon", _("Milestone due soon")
    MILESTONE_OVERDUE = "milestone_overdue", _("Milestone overdue")
    MILESTONE_COMPLETED = "milestone_completed", _("A mentee completed a milestone")
    FEEDBACK = "feedback", _("New feedback, acknowledgements and updates")
    PAIRING_CHANGED = "pairing_changed", _("Changes to your pairings and agreements")
    DIGEST_MENTOR = "digest_mentor", _("Weekly digest for mentors")
    DIGEST_MENTEE = "digest_mentee", _("Weekly digest for mentees")
    DIGEST_ADMIN = "digest_admin", _("Weekly digest for program admins")
