import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from .languages import LANGUAGE_CODES, language_name
from .timezones import is_valid_timezone


def validate_timezone(value: str) -> None:
    if not is_valid_timezone(value):
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: mentee, mentor or program admin (roles live on program memberships)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    # The interface and e-mail language (settings.LANGUAGES); blank: the browser's.
    language = models.CharField(
        _("language"), max_length=10, blank=True, db_default="", choices=settings.LANGUAGES
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=dj_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.display_name


class MeetingTime(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")


MEETING_TIME_ORDER = tuple(MeetingTime.values)

# The profile's own fields, in the order the form, the service and the personal data export
# use them (one list, so a new field reaches all three).
PROFILE_FIELDS = (
    "headline",
    "bio",
    "offers",
    "wants",
    "languages",
    "hours_per_month",
    "meeting_times",
    "link",
    "pronouns",
)

MAX_HOURS_PER_MONTH = 200


def tag_list(value: str) -> list[str]:
    """'Public speaking; Python , python' -> ['public speaking', 'python']: lower-case, each
    once, in the order written (the same tags memberships use for matching)."""
    seen: list[str] = []
    for part in (value or "").replace(";", ",").replace("|", ",").split(","):
        tag = " ".join(part.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def validate_language_codes(value) -> None:
    if not isinstance(value, list) or any(code not in LANGUAGE_CODES for code in value):
        raise ValidationError(_("Pick languages from the list."))


def validate_meeting_times(value) -> None:
    if not isinstance(value, list) or any(t not in MEETING_TIME_ORDER for t in value):
        raise ValidationError(_("Pick morning, afternoon or evening."))


class Profile(models.Model):
    """What a person tells the people they mentor, are mentored by, or run a program for.
    Every field is optional; the row is created the first time it is saved (profile_of
    gives an unsaved blank one before that)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    headline = models.CharField(_("headline"), max_length=120, blank=True)
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    offers = models.CharField(_("can offer"), max_length=500, blank=True)
    wants = models.CharField(_("wants to learn"), max_length=500, blank=True)
    # ISO 639-1 codes (accounts.languages) and meeting times of day, each a JSON list.
    languages = models.JSONField(
        _("languages spoken"), default=list, blank=True, validators=[validate_language_codes]
    )
    hours_per_month = models.PositiveSmallIntegerField(
        _("hours a month available"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_HOURS_PER_MONTH)],
    )
    meeting_times = models.JSONField(
        _("preferred meeting times"), default=list, blank=True, validators=[validate_meeting_times]
    )
    link = models.URLField(_("link"), max_length=300, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours_per_month__isnull=True)
                | models.Q(hours_per_month__lte=MAX_HOURS_PER_MONTH),
                name="profile_hours_per_month_at_most_200",
            )
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user_id}"

    @property
    def is_filled(self) -> bool:
        """Whether the person has said who they are: a headline, or what they offer or want."""
        return bool(self.headline.strip() or self.offer_list or self.want_list)

    @property
    def offer_list(self) -> list[str]:
        return tag_list(self.offers)

    @property
    def want_list(self) -> list[str]:
        return tag_list(self.wants)

    @property
    def language_names(self) -> list[str]:
        return [language_name(code) for code in self.languages or ()]

    @property
    def meeting_time_labels(self) -> list[str]:
        labels = dict(MeetingTime.choices)
        return [str(labels[t]) for t in MEETING_TIME_ORDER if t in (self.meeting_times or ())]

    @property
    def availability(self) -> str:
        """Hours a month and times of day in one phrase, e.g. "4 h a month · Morning, Evening"."""
        parts = []
        if self.hours_per_month:
            parts.append(_("%(n)s h a month") % {"n": self.hours_per_month})
        if self.meeting_time_labels:
            parts.append(", ".join(self.meeting_time_labels))
        return " · ".join(str(p) for p in parts)


def filled_profile_q(prefix: str = "") -> models.Q:
    """Profile.is_filled as a filter (for a list or an EXISTS), over profiles as the service
    writes them (text stripped, tags normalised)."""
    return (
        ~models.Q(**{f"{prefix}headline": ""})
        | ~models.Q(**{f"{prefix}offers": ""})
        | ~(models.Q(**{f"{prefix}wants": ""}))
    )


def profile_of(user) -> Profile:
    """The person's profile, or an unsaved blank one if they have not written it yet. No
    query when it was read with the user (select_related("profile")), one otherwise; a read
    never creates the row (accounts.services.update_profile does)."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        return Profile(user=user)
