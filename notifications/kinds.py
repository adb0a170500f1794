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
    APPLICATION_DECIDED = "application_decided", _("Answers to your applications to programs")
    APPLICATION_RECEIVED = (
        "application_received",
        _("New applications to your programs (program admins)"),
    )
    MENTOR_REQUEST_RECEIVED = (
        "mentor_request_received",
        _("Mentees asking you to mentor them (mentors)"),
    )
    MENTOR_REQUEST_ANSWERED = (
        "mentor_request_answered",
        _("Answers to your requests for a mentor (mentees)"),
    )
    MEETING_REMINDER = "meeting_reminder", _("Meeting reminders (a day and an hour before)")
    ACTION_ITEM_OVERDUE = "action_item_overdue", _("Your action items past their due date")
    MESSAGE = "message", _("New messages from your mentor or mentee")
    DIGEST_MENTOR = "digest_mentor", _("Weekly digest for mentors")
    DIGEST_MENTEE = "digest_mentee", _("Weekly digest for mentees")
    DIGEST_ADMIN = "digest_admin", _("Weekly digest for program admins")
    SURVEY = "survey", _("Surveys on your mentorship (day 30, every 60 days, at the end)")
    NUDGE = "nudge", _("Nudges when your pairing needs a next step")
    NEEDS_ATTENTION = (
        "needs_attention",
        _("Mentees waiting for a mentor and pairings not accepted (program admins)"),
    )


# Which kinds can reach someone in each role (the programs' roles, mentorship.Role's values).
# Changes to pairings and agreements reach everyone: invitations and answers to them too; so
# does the answer to an application, which anyone signed in may make.
EVERYONE_KINDS = frozenset({Kind.PAIRING_CHANGED, Kind.APPLICATION_DECIDED})
KINDS_BY_ROLE = {
    "mentee": frozenset(
        {
            Kind.CHECKIN_DUE_SOON,
            Kind.CHECKIN_OVERDUE,
            Kind.MILESTONE_DUE_SOON,
            Kind.MILESTONE_OVERDUE,
            Kind.FEEDBACK,
            Kind.MENTOR_REQUEST_ANSWERED,
            Kind.MEETING_REMINDER,
            Kind.ACTION_ITEM_OVERDUE,
            Kind.MESSAGE,
            Kind.DIGEST_MENTEE,
            Kind.SURVEY,
            Kind.NUDGE,
        }
    ),
    "mentor": frozenset(
        {
            Kind.CHECKIN_DUE_SOON,
            Kind.CHECKIN_OVERDUE,
            Kind.MILESTONE_COMPLETED,
            Kind.FEEDBACK,
            Kind.MENTOR_REQUEST_RECEIVED,
            Kind.MEETING_REMINDER,
            Kind.ACTION_ITEM_OVERDUE,
            Kind.MESSAGE,
            Kind.DIGEST_MENTOR,
            Kind.SURVEY,
            Kind.NUDGE,
        }
    ),
    "admin": frozenset(
        {Kind.PAIRING_STALLED, Kind.APPLICATION_RECEIVED, Kind.DIGEST_ADMIN, Kind.NEEDS_ATTENTION}
    ),
}


def kinds_for_roles(roles) -> list[str]:
    """The kinds that can reach someone holding `roles`, in the order of Kind."""
    reach = set(EVERYONE_KINDS).union(*(KINDS_BY_ROLE.get(role, ()) for role in roles))
    return [kind for kind in Kind.values if kind in reach]
