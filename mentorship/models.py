"""The mentoring domain: programs, who is in them, who mentors whom, and their meetings.

Writes go through services.py; the constraints below guard what must never be false even if
a service has a bug or two requests race.
"""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import HistoryEvent
from goals.templates_catalog import TEMPLATES_BY_KEY, templates_offered

# How a person whose account was deleted appears in what outlives it.
DELETED_USER = _("a deleted user")

# One list of the fields a person writes, per entity: the page's form, the service, the API's
# serializer and the exports all take theirs from here.
PROGRAM_FIELDS = (
    "name",
    "slug",
    "description",
    "join_policy",
    "checkin_cadence_days",
    "stall_after_days",
    "max_active_goals",
    "starts_on",
    "ends_on",
    "is_active",
    "mentees_choose",
    "request_expires_days",
)
# The agreement every new pairing of the program starts from, and the goal templates its
# mentees are offered (empty: all of them).
PROGRAM_TEMPLATE_FIELDS = (
    "agreement_meeting_frequency",
    "agreement_expectations",
    "agreement_boundaries",
    "goal_template_keys",
)
# Settings of the program's pages only (not in the API yet): the rule of the dashboard's
# meeting flag, and the templates above.
PROGRAM_PAGE_FIELDS = (*PROGRAM_FIELDS, "meeting_rule", *PROGRAM_TEMPLATE_FIELDS)
# Numbers of days and goals that must be at least 1.
PROGRAM_POSITIVE_FIELDS = ("checkin_cadence_days", "stall_after_days", "max_active_goals")


class JoinPolicy(models.TextChoices):
    INVITE_ONLY = "invite_only", _("Invite only")
    APPROVAL = "approval", _("Open, with approval")
    OPEN = "open", _("Open")


# Programs people may find and apply to on their own (never an invite-only one).
JOINABLE_POLICIES = (JoinPolicy.APPROVAL, JoinPolicy.OPEN)


class MeetingRule(models.TextChoices):
    """How often a pair is expected to meet, for the program dashboard's flag."""

    MENTOR = "mentor", _("Twice in the first month, then monthly (MENTOR's guidance)")
    CADENCE = "cadence", _("Once every check-in cadence")
    NONE = "none", _("No rule: do not flag pairs")


class Program(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    join_policy = models.CharField(
        _("who may join"),
        max_length=12,
        choices=JoinPolicy.choices,
        default=JoinPolicy.INVITE_ONLY,
        help_text=_(
            "Invite only: people join through your invitations. Open with approval: anyone "
            "signed in may apply and you approve or decline. Open: anyone may join at once."
        ),
    )
    checkin_cadence_days = models.PositiveSmallIntegerField(
        _("check-in cadence (days)"),
        default=14,
        help_text=_("How often each pair is expected to meet."),
    )
    stall_after_days = models.PositiveSmallIntegerField(
        _("stalled after (days)"),
        default=30,
        help_text=_("A pairing with no check-in for this long is shown as stalled."),
    )
    max_active_goals = models.PositiveSmallIntegerField(
        _("focus limit"),
        default=3,
        help_text=_("How many goals a mentee may have active at once."),
    )
    starts_on = models.DateField(_("starts on"), default=date.today)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Mentee choice (MentorRequest): unpaired mentees ask one of their top suggestions, who
    # accepts or declines within `request_expires_days`.
    mentees_choose = models.BooleanField(
        _("mentees choose their mentor"),
        default=False,
        help_text=_(
            "Unpaired mentees see their best-matched mentors and ask one; the mentor accepts "
            "or declines. You can still pair people by hand."
        ),
    )
    request_expires_days = models.PositiveSmallIntegerField(
        _("days a mentor has to answer"),
        default=7,
        validators=[
            MinValueValidator(1, _("Give mentors from 1 to 30 days to answer a request.")),
            MaxValueValidator(30, _("Give mentors from 1 to 30 days to answer a request.")),
        ],
        help_text=_("A request not answered in time lapses and the mentee may ask another."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The admin closed the setup checklist of the program dashboard.
    setup_dismissed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # How often pairs should meet, for the dashboard's flag.
    meeting_rule = models.CharField(
        _("expected meetings"),
        max_length=10,
        choices=MeetingRule.choices,
        default=MeetingRule.MENTOR,
        help_text=_("The program dashboard flags pairs that meet less often than this."),
    )
    # The cohort's lifecycle: ended by an admin (every open pairing closed, nothing new
    # accepted since; its pages stay readable), and the cohort it follows.
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    previous_cohort = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="next_cohorts",
        verbose_name=_("previous cohort"),
    )
    # The agreement template: what a new pairing's agreement says before the pair changes it.
    agreement_meeting_frequency = models.CharField(
        _("agreement: meeting frequency"),
        max_length=200,
        blank=True,
        help_text=_("Left empty: “Every N days”, from the check-in cadence."),
    )
    agreement_expectations = models.TextField(
        _("agreement: expectations"), max_length=4000, blank=True
    )
    agreement_boundaries = models.TextField(_("agreement: boundaries"), max_length=4000, blank=True)
    # Keys of goals/goal_templates.json offered to the mentees; empty: every template.
    goal_template_keys = models.JSONField(_("goal templates offered"), default=list, blank=True)
    # The program's own numbers for its nudge rules, by rule: {"is_on", "first", "second"};
    # a rule missing here runs with its defaults (mentorship.occasions.DEFAULT_RULES).
    nudge_rules = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            # One next cohort per cohort: "Next cohort" is one link, and a form sent twice
            # cannot start two.
            models.UniqueConstraint(fields=["previous_cohort"], name="program_one_next_cohort"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="program_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(checkin_cadence_days__gte=1), name="program_cadence_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_active_goals__gte=1), name="program_focus_limit_positive"
            ),
            models.CheckConstraint(
                condition=Q(request_expires_days__gte=1) & Q(request_expires_days__lte=30),
                name="program_request_expiry_1_to_30",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None

    @property
    def offered_goal_templates(self) -> list:
        """The goal templates the program's mentees start from (all when none was chosen)."""
        return templates_offered(self.goal_template_keys)

    def clean(self):
        """The rules of a program's settings, for the page's form and the API alike."""
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The program cannot end before it starts.")
        for name in PROGRAM_POSITIVE_FIELDS:
            value = getattr(self, name)
            if value is not None and value < 1:
                errors[name] = _("Use a number of at least 1.")
        cadence, stall = self.checkin_cadence_days, self.stall_after_days
        if (
            "stall_after_days" not in errors
            and "checkin_cadence_days" not in errors
            and cadence is not None
            and stall is not None
            and stall < cadence
        ):
            # A pair that keeps to the cadence would be shown as stalled between meetings.
            errors["stall_after_days"] = _(
                "A pairing cannot stall before its next check-in is due: use at least the "
                "check-in cadence (%(days)s days)."
            ) % {"days": cadence}
        keys = self.goal_template_keys
        if not isinstance(keys, list) or any(key not in TEMPLATES_BY_KEY for key in keys):
            errors["goal_template_keys"] = _("Choose goal templates from the list.")
        if errors:
            raise ValidationError(errors)


class Role(models.TextChoices):
    ADMIN = "admin", _("Program admin")
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")


# A role named inside a sentence ("joined as a mentor"): words of their own, so that each
# language writes them as it does (German capitalises its nouns) rather than lower-casing the
# label.
ROLE_IN_SENTENCE = {
    Role.ADMIN: _("program admin"),
    Role.MENTOR: _("mentor"),
    Role.MENTEE: _("mentee"),
}


def role_in_sentence(role: str) -> str:
    return str(ROLE_IN_SENTENCE.get(role, role))


MEMBERSHIP_FIELDS = ("role", "capacity", "skills", "interests")


class Membership(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=3, help_text=_("Mentors: the most mentees at once.")
    )
    skills = models.CharField(_("skills"), max_length=500, blank=True)
    interests = models.CharField(_("interests"), max_length=500, blank=True)
    joined_at = models.DateTimeField(default=timezone.now, editable=False)
    # The first-steps checklist of the member's dashboard: closed by the member; and when a
    # mentor's capacity was last chosen (by the mentor, an admin or an import).
    checklist_dismissed_at = models.DateTimeField(null=True, blank=True, editable=False)
    capacity_set_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["program", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user", "role"], name="membership_unique_role_per_program"
            ),
        ]
        indexes = [models.Index(fields=["program", "role"], name="membership_program_role")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.program})"

    @property
    def skill_list(self) -> list[str]:
        return split_tags(self.skills)

    @property
    def interest_list(self) -> list[str]:
        return split_tags(self.interests)


def split_tags(value: str) -> list[str]:
    """'Public speaking; Python , leadership' -> ['public speaking', 'python', 'leadership']."""
    parts = value.replace(";", ",").replace("|", ",").split(",")
    return [p.strip().lower() for p in parts if p.strip()]


class Invitation(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    # Only a hash of the secret in the link is stored: a database leak gives no usable links.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_invitations",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The invited person said no; kept so that the admin sees the answer.
    declined_at = models.DateTimeField(null=True, blank=True)
    # What a CSV import said about the person, applied to the membership once they accept.
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    skills = models.CharField(max_length=500, blank=True)
    interests = models.CharField(max_length=500, blank=True)
    # A few words from the admin, shown in the e-mail and on the invitation's page.
    message = models.TextField(_("personal message"), max_length=1000, blank=True)
    # Inviting the same address again in the same role sends this invitation again (with a new
    # link: only the newest e-mail's link works).
    sent_count = models.PositiveSmallIntegerField(default=1)
    last_sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.program} ({self.role})"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.declined_at is None
            and self.revoked_at is None
            and not self.is_expired
        )


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


# The roles a person may apply for (admins are made by other admins).
APPLICATION_ROLES = (Role.MENTEE, Role.MENTOR)


class Application(models.Model):
    """A person asks to join a program in a role. In an open program it is approved at once;
    in one open with approval it waits for an admin, who approves (the membership is made
    then) or declines. Kept afterwards as the record of who decided what."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="applications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_applications"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(
        max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    message = models.TextField(_("what you hope to get out of it"), max_length=2000, blank=True)
    skills = models.CharField(_("skills"), max_length=500, blank=True)
    interests = models.CharField(_("interests"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user"],
                condition=Q(status="pending"),
                name="application_one_pending_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status", "created_at"], name="application_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.program} ({self.role}, {self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == ApplicationStatus.PENDING


class PairingStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("pairing status", "Proposed")
    ACTIVE = "active", pgettext_lazy("pairing status", "Active")
    PAUSED = "paused", pgettext_lazy("pairing status", "Paused")
    COMPLETED = "completed", pgettext_lazy("pairing status", "Completed")
    ENDED = "ended", pgettext_lazy("pairing status", "Ended")


OPEN_PAIRING_STATUSES = (PairingStatus.PROPOSED, PairingStatus.ACTIVE, PairingStatus.PAUSED)

# What a pairing's record says beyond its two people and its program (set by services, shown
# by the API and the exports).
PAIRING_FIELDS = (
    "status",
    "started_on",
    "ended_on",
    "end_reason",
    "next_checkin_due",
    "last_checkin_on",
)


class Pairing(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pairings")
    # A pairing is the other person's history too: it outlives either account (null: a
    # deleted user), with its agreement, meetings and feedback.
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="pairings_as_mentor",
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="pairings_as_mentee",
    )
    status = models.CharField(
        max_length=10, choices=PairingStatus.choices, default=PairingStatus.PROPOSED
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=500, blank=True)
    next_checkin_due = models.DateField(null=True, blank=True)
    last_checkin_on = models.DateField(null=True, blank=True)
    reassigned_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reassigned_to"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mentor=F("mentee")), name="pairing_mentor_is_not_mentee"
            ),
            models.UniqueConstraint(
                fields=["program", "mentee"],
                condition=Q(status__in=["proposed", "active", "paused"]),
                name="pairing_one_open_per_mentee_per_program",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="pairing_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status"], name="pairing_program_status"),
            models.Index(fields=["mentor", "status"], name="pairing_mentor_status"),
            models.Index(fields=["mentee", "status"], name="pairing_mentee_status"),
            models.Index(fields=["status", "next_checkin_due"], name="pairing_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_name} → {self.mentee_name} ({self.program})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PAIRING_STATUSES

    @property
    def mentor_name(self) -> str:
        return self.mentor.display_name if self.mentor is not None else str(DELETED_USER)

    @property
    def mentee_name(self) -> str:
        return self.mentee.display_name if self.mentee is not None else str(DELETED_USER)

    @property
    def current_agreement(self) -> "Agreement":
        """The pairing's agreement; a blank one, not saved, for a pairing made without one
        (in the Django admin, say): the services create it on the first change."""
        try:
            return self.agreement
        except Agreement.DoesNotExist:
            return Agreement(pairing=self)


PAIRING_EVENT_LABELS = {
    "created": _("Pairing proposed"),
    "from_request": _("The mentee asked, the mentor accepted"),
    "agreement_accepted": _("Agreement accepted"),
    "agreement_updated": _("Agreement changed"),
    "activated": _("Pairing started"),
    "paused": _("Paused"),
    "resumed": _("Resumed"),
    "completed": _("Completed"),
    "ended": _("Ended"),
    "reassigned": _("Reassigned to a new mentor"),
    "reassigned_from": _("Continues an earlier pairing"),
    "checkin_logged": _("Meeting logged"),
    "checkin_edited": _("Meeting corrected"),
    "checkin_deleted": _("Meeting removed"),
    "feedback_given": _("Feedback given"),
    "feedback_edited": _("Feedback changed"),
    "feedback_deleted": _("Feedback withdrawn"),
}


class MemberEvent(HistoryEvent):
    """A program admin's change to a member (role, capacity, skills and interests, removal):
    the program's record of it. Kept after the membership, or the account, is gone."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="member_events")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta(HistoryEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.action} of {self.member} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"


class PairingEvent(HistoryEvent):
    """Who changed what on a pairing, and when: the pairing's audit trail."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="events")

    class Meta(HistoryEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.action} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        return str(PAIRING_EVENT_LABELS.get(self.action, self.action))


AGREEMENT_FIELDS = ("meeting_frequency", "expectations", "boundaries")


class Agreement(models.Model):
    pairing = models.OneToOneField(Pairing, on_delete=models.CASCADE, related_name="agreement")
    meeting_frequency = models.CharField(_("meeting frequency"), max_length=200, blank=True)
    expectations = models.TextField(_("expectations"), max_length=4000, blank=True)
    boundaries = models.TextField(_("boundaries"), max_length=4000, blank=True)
    mentor_accepted_at = models.DateTimeField(null=True, blank=True)
    mentee_accepted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Agreement for {self.pairing}"

    @property
    def is_accepted_by_both(self) -> bool:
        return self.mentor_accepted_at is not None and self.mentee_accepted_at is not None


CHECKIN_FIELDS = ("occurred_on", "summary", "next_steps")
# A meeting may already be "today" in the other person's time zone.
CHECKIN_FUTURE_SLACK = timedelta(days=1)


class CheckIn(models.Model):
    """A meeting of the pair."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="checkins")
    occurred_on = models.DateField(_("date of the meeting"))
    summary = models.TextField(_("summary"), max_length=4000)
    next_steps = models.TextField(_("next steps"), max_length=4000, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        indexes = [models.Index(fields=["pairing", "-occurred_on"], name="checkin_pairing_date")]

    def __str__(self) -> str:
        return f"Check-in on {self.occurred_on} ({self.pairing})"

    def clean(self):
        # About the meeting as a whole (the API has always answered it so), not one field.
        if self.occurred_on and self.occurred_on > timezone.localdate() + CHECKIN_FUTURE_SLACK:
            raise ValidationError(_("The meeting date is in the future."))


class SurveyKind(models.TextChoices):
    PULSE = "pulse", _("Pulse survey")
    CLOSE_OUT = "close_out", _("Close-out survey")


class GoalsMet(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


# The pulse survey asks each side of an active pairing how it is going 30 days after it
# started, then every 60 days (round 1 on day 30, round 2 on day 90, ...); the close-out
# survey (round 0) is asked once the pairing has ended, however it ended.
SURVEY_FIRST_PULSE_DAYS = 30
SURVEY_PULSE_EVERY_DAYS = 60
CLOSE_OUT_ROUND = 0
# What a survey asks, per kind (a close-out also asks about the goals and the program).
SURVEY_FIELDS = {
    SurveyKind.PULSE: ("match_score", "progress_score", "comment", "shared"),
    SurveyKind.CLOSE_OUT: (
        "match_score",
        "progress_score",
        "goals_met",
        "recommend",
        "comment",
        "shared",
    ),
}


def survey_pulse_due(started_on: date, round_: int) -> date:
    """The day pulse round `round_` (1, 2, ...) of a pairing started on `started_on` opens."""
    return started_on + timedelta(
        days=SURVEY_FIRST_PULSE_DAYS + SURVEY_PULSE_EVERY_DAYS * (round_ - 1)
    )


def survey_pulse_round_on(started_on: date | None, day: date) -> int:
    """The latest pulse round open on `day` (0: none yet, or the pairing never started)."""
    if started_on is None:
        return 0
    days = (day - started_on).days
    if days < SURVEY_FIRST_PULSE_DAYS:
        return 0
    return 1 + (days - SURVEY_FIRST_PULSE_DAYS) // SURVEY_PULSE_EVERY_DAYS


class SurveyResponse(models.Model):
    """One side's answer to a survey on their mentorship: a pulse while the pairing runs, a
    close-out once it has ended. Read by its author, and by the other side of the pair only
    once `shared`; the program's admins see answers only as aggregates of three or more
    (mentorship.selectors.survey_summary)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="survey_responses")
    # Part of the pairing's history: it outlives its author's account (null: a deleted user).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=SurveyKind.choices, default=SurveyKind.PULSE)
    # The pulse's number (1 on day 30, 2 on day 90, ...); 0 for the close-out.
    round = models.PositiveSmallIntegerField(default=1)
    match_score = models.PositiveSmallIntegerField(
        _("How well is the match working for you?"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    # Empty only on answers kept from before the survey asked it.
    progress_score = models.PositiveSmallIntegerField(
        _("How much is it helping you towards your goals?"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    goals_met = models.CharField(
        _("Did you reach the goals you set out with?"),
        max_length=6,
        choices=GoalsMet.choices,
        blank=True,
    )
    recommend = models.PositiveSmallIntegerField(
        _("How likely are you to recommend this program to a friend?"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    comment = models.TextField(_("comment"), max_length=4000, blank=True)
    shared = models.BooleanField(_("let the other side of the pair read this"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(match_score__gte=1) & Q(match_score__lte=5),
                name="survey_match_score_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(progress_score__isnull=True)
                | (Q(progress_score__gte=1) & Q(progress_score__lte=5)),
                name="survey_progress_score_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(recommend__isnull=True) | (Q(recommend__gte=0) & Q(recommend__lte=10)),
                name="survey_recommend_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(goals_met__in=["", *GoalsMet.values]),
                name="survey_goals_met_choice",
            ),
            models.CheckConstraint(
                condition=(Q(kind=SurveyKind.PULSE) & Q(round__gte=1))
                | (Q(kind=SurveyKind.CLOSE_OUT) & Q(round=CLOSE_OUT_ROUND)),
                name="survey_round_fits_kind",
            ),
            models.UniqueConstraint(
                fields=["pairing", "author", "kind", "round"],
                name="survey_one_answer_per_round",
            ),
        ]

    def __str__(self) -> str:
        author = self.author or DELETED_USER
        return f"{self.get_kind_display()} {self.round}: {self.match_score}/5 by {author}"

    @property
    def title(self) -> str:
        if self.kind == SurveyKind.CLOSE_OUT:
            return str(_("Close-out survey"))
        return str(_("Pulse survey %(round)d") % {"round": self.round})


class ImportRunStatus(models.TextChoices):
    PENDING = "pending", _("waiting to start")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ImportRun(models.Model):
    """One confirmed CSV import, run in the background in batches so that a large file
    neither holds a request past the web server's timeout nor depends on the browser staying
    open. `batches` holds the checked rows, already cut into batches; `batches_done` is
    advanced in the same transaction as each batch's writes, so a retried task resumes
    after the last batch committed and never imports a row twice."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="import_runs")
    kind = models.CharField(max_length=20)
    filename = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ImportRunStatus.choices, default=ImportRunStatus.PENDING
    )
    batches = models.JSONField(default=list, blank=True)
    batches_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    # The rows of the file left out by an import of "the valid rows only", as they were in the
    # file, with a reason column: for the admin to correct and upload again.
    skipped_csv = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Last progress (a batch done, or the job handed to the broker again): a run left
    # unfinished without progress for a while lost its job, and is resumed.
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} import {self.uuid} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportRunStatus.DONE, ImportRunStatus.FAILED)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.finished else 0
        return min(100, self.rows_done * 100 // self.rows_total)


class MentorRequestStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the mentor")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")
    LAPSED = "lapsed", _("lapsed")


MENTOR_REQUEST_MESSAGE_MAX = 1000


class MentorRequest(models.Model):
    """In a program where mentees choose, an unpaired mentee asks one mentor to mentor her.
    The mentor accepts (the pairing is made then, as proposed, through pairing_create) or
    declines; unanswered by `expires_at` it lapses. Kept afterwards as the record."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentor_requests")
    mentee = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="mentor_requests_made"
    )
    mentor = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="mentor_requests_received"
    )
    message = models.TextField(
        _("a few words to the mentor"), max_length=MENTOR_REQUEST_MESSAGE_MAX, blank=True
    )
    status = models.CharField(
        max_length=10, choices=MentorRequestStatus.choices, default=MentorRequestStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # The pairing an accepted request made.
    pairing = models.ForeignKey(
        Pairing, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "mentee"],
                condition=Q(status="pending"),
                name="mentor_request_one_pending_per_mentee",
            ),
            models.CheckConstraint(
                condition=~Q(mentee=F("mentor")), name="mentor_request_not_to_oneself"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="mentor_request_due"),
            models.Index(fields=["program", "status"], name="mentor_request_program"),
            models.Index(fields=["mentor", "status"], name="mentor_request_mentor"),
        ]

    def __str__(self) -> str:
        return f"{self.mentee_id} → {self.mentor_id} ({self.program_id}, {self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == MentorRequestStatus.PENDING


# --- Meetings -------------------------------------------------------------------------------


class MeetingStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("meeting status", "Proposed")
    CONFIRMED = "confirmed", pgettext_lazy("meeting status", "Confirmed")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")
    DONE = "done", pgettext_lazy("meeting status", "Done")


UPCOMING_MEETING_STATUSES = (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)
MEETING_MAX_CANDIDATES = 3
MEETING_DURATION_MIN = 10
MEETING_DURATION_MAX = 480


class Meeting(models.Model):
    """A meeting the pair arranges: proposed with one to three candidate times (UTC, ISO
    8601, in `candidate_times`), confirmed at one of them (`starts_at`), then done once
    logged (its check-in) or cancelled. `uid` and `sequence` are the calendar invitation's:
    the UID never changes, the sequence grows with every change sent."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="meetings")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PROPOSED
    )
    candidate_times = models.JSONField(default=list, blank=True)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    duration = models.PositiveSmallIntegerField(_("duration (minutes)"), default=45)
    location = models.CharField(_("place or video link"), max_length=500, blank=True)
    uid = models.CharField(max_length=200, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    checkin = models.OneToOneField(
        CheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__gte=MEETING_DURATION_MIN)
                & Q(duration__lte=MEETING_DURATION_MAX),
                name="meeting_duration_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["confirmed", "done"]) | Q(starts_at__isnull=False),
                name="meeting_confirmed_has_start",
            ),
        ]
        indexes = [
            models.Index(fields=["pairing", "status"], name="meeting_pairing_status"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_start"),
        ]

    def __str__(self) -> str:
        return f"Meeting {self.status} ({self.pairing_id})"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration) if self.starts_at else None

    @property
    def is_upcoming(self) -> bool:
        return self.status in UPCOMING_MEETING_STATUSES

    @property
    def location_is_link(self) -> bool:
        return self.location.startswith(("https://", "http://"))


class AgendaItem(models.Model):
    """One point of a meeting's shared agenda; either side adds, edits and removes them until
    the meeting is over."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.CharField(_("agenda point"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text


class ActionItem(models.Model):
    """A next step agreed at a meeting: one of the pair owns it, it may have a due date, and
    only its owner ticks it off. Open ones are carried onto the next agenda."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="action_items")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("action item"), max_length=300)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["done_at", "due_on", "created_at", "id"]
        indexes = [
            models.Index(
                fields=["pairing"], condition=Q(done_at__isnull=True), name="actionitem_open"
            ),
            models.Index(
                fields=["due_on"], condition=Q(done_at__isnull=True), name="actionitem_open_due"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue_on(self, day: date) -> bool:
        return self.done_at is None and self.due_on is not None and self.due_on < day


# --- Conversation -------------------------------------------------------------------------

MESSAGE_MAX_LENGTH = 4000


class Message(models.Model):
    """One message of a pair's conversation. Its author corrects it (edited_at) or takes it
    back (deleted_at: the text is emptied, the place in the thread stays). It may point at
    one of the mentee's goals shared in the pairing, or at one of its milestones."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="messages")
    # Part of the other person's history: it outlives its author's account (null: deleted).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH, blank=True)
    goal = models.ForeignKey(
        "goals.Goal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    milestone = models.ForeignKey(
        "goals.Milestone", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # One of the pair's own meetings ("about Thursday's meeting").
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["pairing", "id"], name="message_pairing_id")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(goal__isnull=True) & Q(milestone__isnull=True))
                | (Q(goal__isnull=True) & Q(meeting__isnull=True))
                | (Q(milestone__isnull=True) & Q(meeting__isnull=True)),
                name="message_points_at_one_thing",
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(body=""),
                name="message_deleted_has_no_text",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.uuid} ({self.pairing_id})"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class MessageRead(models.Model):
    """How far one side of a pair has read its conversation: every message up to
    `last_read_message_id` (ids grow with time) is read. No row: nothing read yet."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.BigIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pairing", "user"], name="messageread_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.pairing_id} to {self.last_read_message_id}"


# --- Nudges ---------------------------------------------------------------------------------


class NudgeRuleName(models.TextChoices):
    """The situations followed up in steps (mentorship.nudges); each step tells someone."""

    UNPAIRED = "unpaired", _("Mentee without a mentor")
    UNACCEPTED = "unaccepted", _("Proposed pairing not accepted")
    NO_MEETING = "no_meeting", _("No meeting logged")
    INACTIVE = "inactive", _("No activity at all")
    ACTION_OVERDUE = "action_overdue", _("Action item overdue")


class Nudge(models.Model):
    """One thing done about an occasion: an automatic step sent (step 1 or 2, sent_by
    empty), a nudge an admin sent by hand with a message (step 0), or a snooze (step 0,
    snoozed_until). An occasion is a rule, its subject (a membership, a pairing or an action
    item) and the date its clock started; a new drift is a new occasion."""

    BY_HAND = 0

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="nudges")
    pairing = models.ForeignKey(
        Pairing, on_delete=models.CASCADE, null=True, blank=True, related_name="nudges"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="nudges"
    )
    action_item = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, null=True, blank=True, related_name="nudges"
    )
    rule = models.CharField(max_length=20, choices=NudgeRuleName.choices)
    step = models.PositiveSmallIntegerField()
    occasion_start = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField(_("personal message"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    pairing__isnull=False, membership__isnull=True, action_item__isnull=True
                )
                | Q(pairing__isnull=True, membership__isnull=False, action_item__isnull=True)
                | Q(pairing__isnull=True, membership__isnull=True, action_item__isnull=False),
                name="nudge_has_one_subject",
            ),
            models.UniqueConstraint(
                fields=["rule", "pairing", "occasion_start", "step"],
                condition=Q(step__gte=1, pairing__isnull=False),
                name="nudge_step_once_per_pairing_occasion",
            ),
            models.UniqueConstraint(
                fields=["rule", "membership", "occasion_start", "step"],
                condition=Q(step__gte=1, membership__isnull=False),
                name="nudge_step_once_per_membership_occasion",
            ),
            models.UniqueConstraint(
                fields=["rule", "action_item", "occasion_start", "step"],
                condition=Q(step__gte=1, action_item__isnull=False),
                name="nudge_step_once_per_action_item_occasion",
            ),
        ]
        indexes = [models.Index(fields=["program", "rule"], name="nudge_program_rule")]

    def __str__(self) -> str:
        return f"{self.rule} step {self.step} ({self.occasion_start})"

    @property
    def is_snooze(self) -> bool:
        return self.snoozed_until is not None

    @property
    def subject_id(self) -> int:
        return self.pairing_id or self.membership_id or self.action_item_id
