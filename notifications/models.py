"""One table is both the e-mail outbox and the in-app inbox; a second holds each person's
choices about what they hear and when."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import Kind


class Notification(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    # (kind, subject, period): a second dispatcher run creates nothing new.
    dedupe_key = models.CharField(max_length=200, unique=True)
    # Rows sharing a batch key go out as one e-mail (feedback gathered over a few minutes);
    # the e-mail's Message-ID is derived from it, so a resend after a crash is recognisable.
    batch_key = models.CharField(max_length=200, blank=True, db_index=True)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    send_email = models.BooleanField(default=True)
    scheduled_for = models.DateTimeField(default=timezone.now)
    # Handed to the broker at this time; the dispatcher re-enqueues rows left waiting too long.
    queued_at = models.DateTimeField(null=True, blank=True)
    # A delivery task owns a row while claimed_at is recent; claim_token says which task.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["scheduled_for"],
                condition=Q(sent_at__isnull=True, send_email=True),
                name="notification_pending",
            ),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient", "kind", "-created_at"], name="notification_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    def get_kind_display(self) -> str:
        try:
            return str(Kind(self.kind).label)
        except ValueError:
            return self.kind


class FeedbackMode(models.TextChoices):
    INSTANT = "instant", _("Send each one straight away")
    GATHERED = "gathered", _("Gather those arriving within a few minutes into one e-mail")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]


class Preferences(models.Model):
    """What one person wants to hear about, and when. No row means the defaults below."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    # Kinds switched off: neither an e-mail nor an inbox entry is made for them.
    muted_kinds = models.JSONField(default=list, blank=True)
    digest_weekday = models.PositiveSmallIntegerField(
        _("weekly digest day"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("weekly digest time"), choices=HOUR_CHOICES, default=8
    )
    feedback_mode = models.CharField(
        _("feedback and acknowledgements"),
        max_length=10,
        choices=FeedbackMode.choices,
        default=FeedbackMode.GATHERED,
    )
    quiet_hours_start = models.PositiveSmallIntegerField(
        _("quiet hours from"), choices=HOUR_CHOICES, null=True, blank=True
    )
    quiet_hours_end = models.PositiveSmallIntegerField(
        _("quiet hours until"), choices=HOUR_CHOICES, null=True, blank=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(digest_weekday__gte=0, digest_weekday__lte=6),
                name="preferences_weekday_0_to_6",
            ),
            models.CheckConstraint(
                condition=Q(digest_hour__gte=0, digest_hour__lte=23),
                name="preferences_digest_hour_0_to_23",
            ),
            models.CheckConstraint(
                condition=(Q(quiet_hours_start__isnull=True) & Q(quiet_hours_end__isnull=True))
                | (
                    Q(quiet_hours_start__lte=23)
                    & Q(quiet_hours_end__lte=23)
                    & ~Q(quiet_hours_start=models.F("quiet_hours_end"))
                ),
                name="preferences_quiet_hours_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"

    def wants(self, kind: str) -> bool:
        return kind not in (self.muted_kinds or [])


class OutboxEmail(models.Model):
    """A ready e-mail waiting to be sent: account e-mails (verification, password reset) and
    invitations. Written in the same transaction as the change it tells of, sent by a worker
    with the notifications' claim, retry and backoff rules, always with the same Message-ID.
    Once sent, its bodies (which hold one-time links) are emptied."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # What it is, for the admin and the logs: "invitation", "account/email/password_reset_key".
    kind = models.CharField(max_length=100)
    message_id = models.CharField(max_length=300, unique=True)
    from_email = models.CharField(max_length=300)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998)
    body = models.TextField(blank=True)
    # "plain" or "html": the main body's subtype.
    content_subtype = models.CharField(max_length=20, default="plain")
    # [[content, mimetype], ...]: the alternatives (an HTML part, say).
    alternatives = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # [[filename, text content, mimetype], ...]: text attachments (a calendar invitation).
    attachments = models.JSONField(default=list, blank=True)
    scheduled_for = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["scheduled_for"],
                condition=Q(sent_at__isnull=True),
                name="outboxemail_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {', '.join(self.to)}"
