"""Serializers: explicit fields, UUIDs for every reference, never an integer id.

Writes do not call `serializer.save()`: views validate the input here and pass it to the
owning app's service function, so the API changes nothing the pages could not.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from goals.models import (
    COMMENT_FIELDS,
    GOAL_FIELDS,
    MILESTONE_FIELDS,
    PROGRESS_UPDATE_FIELDS,
    Comment,
    Goal,
    Milestone,
    ProgressUpdate,
)
from goals.policy import Level
from goals.services import (
    MAX_MILESTONES_AT_CREATION,
    MILESTONE_TITLE_LENGTH,
    STEP_FIELDS,
    mentee_today,
)
from goals.weeks import is_due_in_week, week_start, weeks_label
from mentorship.models import (
    CHECKIN_FIELDS,
    MEMBERSHIP_FIELDS,
    PAIRING_FIELDS,
    PROGRAM_FIELDS,
    PROGRAM_POSITIVE_FIELDS,
    CheckIn,
    GoalsMet,
    Membership,
    Pairing,
    Program,
    SurveyKind,
    SurveyResponse,
)
from notifications.models import Notification

DELETED_USER = _("a deleted user")


class UserRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = ["uuid", "name"]
        read_only_fields = fields


AUTHOR_SCHEMA = {
    "type": "object",
    "properties": {
        "uuid": {"type": "string", "format": "uuid", "nullable": True},
        "name": {"type": "string"},
    },
    "required": ["uuid", "name"],
}


@extend_schema_field(AUTHOR_SCHEMA)
class AuthorField(serializers.Field):
    """A person who may have deleted their account since: then uuid is null and the name
    says "a deleted user". Reads `attribute` (default: the field's name) of the row itself,
    because DRF writes a bare null for a None attribute without asking the field."""

    def __init__(self, attribute: str | None = None, **kwargs):
        self.attribute = attribute
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, instance):
        value = getattr(instance, self.attribute or self.field_name, None)
        return author_data(value)


def author_data(user) -> dict:
    if user is None:
        return {"uuid": None, "name": str(DELETED_USER)}
    return {"uuid": str(user.uuid), "name": user.display_name}


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["uuid", "email", "name", "timezone", "date_joined"]
        read_only_fields = fields


# --- Notifications --------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["uuid", "kind", "title", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


# --- Programs and memberships ---------------------------------------------------------------


SMALL_INTEGER_MAX = 32767  # a PositiveSmallIntegerField on PostgreSQL


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["uuid", *PROGRAM_FIELDS, "created_at"]
        # Mentee choice is set on the program's settings page; the API shows it. (Writable
        # here, it reorders the stateful schemathesis run, which then trips on state that its
        # scenarios leave behind: see tests/api/test_schemathesis.py.)
        read_only_fields = ["uuid", "created_at", "mentees_choose", "request_expires_days"]
        # Uniqueness of the slug is the service's and the database's business (400 either
        # way); the validator here would add a query to every write. The numbers are small
        # integers on every database (SQLite would store any size, and a cadence of a
        # trillion days cannot be added to a date).
        extra_kwargs = {
            "slug": {"validators": []},
            **{name: {"max_value": SMALL_INTEGER_MAX} for name in PROGRAM_POSITIVE_FIELDS},
        }


class MembershipSerializer(serializers.ModelSerializer):
    user = UserRefSerializer(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ["uuid", "user", "email", *MEMBERSHIP_FIELDS, "joined_at"]
        read_only_fields = fields


# --- Pairings and check-ins -----------------------------------------------------------------


class PairingSerializer(serializers.ModelSerializer):
    program = serializers.UUIDField(source="program.uuid", read_only=True)
    program_name = serializers.CharField(source="program.name", read_only=True)
    # Either side may have deleted their account since: the pairing stays (AuthorField).
    mentor = AuthorField()
    mentee = AuthorField()
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Pairing
        fields = [
            "uuid",
            "program",
            "program_name",
            "mentor",
            "mentee",
            "my_role",
            "created_at",
            *PAIRING_FIELDS,
        ]
        read_only_fields = fields

    def get_my_role(self, obj) -> str:
        user = self.context["request"].user
        if obj.mentor_id == user.pk:
            return "mentor"
        if obj.mentee_id == user.pk:
            return "mentee"
        return "admin"


class PairingActionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PairingEndSerializer(serializers.Serializer):
    """Ending a pairing says why."""

    # The schema of POST .../end/; the view reads it with PairingActionSerializer and
    # pairing_end refuses a blank reason (a message for the request as a whole).
    reason = serializers.CharField(max_length=500)


class CheckInSerializer(serializers.ModelSerializer):
    """A check-in. Its pair sees everything; the program's admins see only its date."""

    pairing = serializers.UUIDField(source="pairing.uuid", read_only=True)
    logged_by = AuthorField()

    class Meta:
        model = CheckIn
        fields = ["uuid", "pairing", *CHECKIN_FIELDS, "logged_by", "created_at"]
        read_only_fields = fields

    PAIR_ONLY = ("summary", "next_steps", "logged_by")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user
        if user.pk not in (instance.pairing.mentor_id, instance.pairing.mentee_id):
            for name in self.PAIR_ONLY:
                data.pop(name, None)
        return data


class CheckInCreateSerializer(serializers.ModelSerializer):
    """The input of a new check-in: its pairing and the fields of the page's form. Types and
    lengths are checked here; the rules (mentorship.services.checkin_log) by the service."""

    pairing = serializers.UUIDField()

    class Meta:
        model = CheckIn
        fields = ["pairing", *CHECKIN_FIELDS]


class CheckInUpdateSerializer(serializers.ModelSerializer):
    """A correction of a check-in by the one who logged it: any of the form's fields."""

    class Meta:
        model = CheckIn
        fields = list(CHECKIN_FIELDS)
        extra_kwargs = {name: {"required": False} for name in CHECKIN_FIELDS}


class SurveyResponseSerializer(serializers.ModelSerializer):
    """An answer to a survey on a pairing, read by its author and, once shared, by the other
    side of the pair; never by the program's admins (they read aggregates only)."""

    pairing = serializers.UUIDField(source="pairing.uuid", read_only=True)
    author = AuthorField()

    class Meta:
        model = SurveyResponse
        fields = [
            "uuid",
            "pairing",
            "author",
            "kind",
            "round",
            "match_score",
            "progress_score",
            "goals_met",
            "recommend",
            "comment",
            "shared",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SurveyResponseCreateSerializer(serializers.Serializer):
    """An answer to the survey open now on the pairing: its kind and round (pulse 1, 2, ...
    or close_out 0), the scores (1 to 5; recommend 0 to 10 and goals_met on a close-out), an
    optional comment and whether the other side may read it (mentorship.services
    .survey_answer checks the rules)."""

    pairing = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=SurveyKind.choices)
    round = serializers.IntegerField(min_value=0, max_value=1000)
    match_score = serializers.IntegerField(min_value=1, max_value=5)
    progress_score = serializers.IntegerField(min_value=1, max_value=5)
    goals_met = serializers.ChoiceField(choices=GoalsMet.choices, required=False, default="")
    recommend = serializers.IntegerField(
        min_value=0, max_value=10, required=False, allow_null=True, default=None
    )
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    shared = serializers.BooleanField(required=False, default=False)


class SurveyResponseUpdateSerializer(serializers.Serializer):
    """A correction of one's answer: any of its questions, and whether it is shared."""

    match_score = serializers.IntegerField(min_value=1, max_value=5, required=False)
    progress_score = serializers.IntegerField(min_value=1, max_value=5, required=False)
    goals_met = serializers.ChoiceField(choices=GoalsMet.choices, required=False)
    recommend = serializers.IntegerField(min_value=0, max_value=10, required=False)
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    shared = serializers.BooleanField(required=False)


# --- Goals, milestones, progress updates, comments ------------------------------------------


LEVEL_NAMES = {
    Level.SUMMARY: "summary",
    Level.READ: "read",
    Level.FEEDBACK: "feedback",
    Level.OWNER: "owner",
}


class ProgressSerializer(serializers.Serializer):
    percent = serializers.IntegerField(help_text=_("0 to 100, for bars."))
    raw_percent = serializers.IntegerField(help_text=_("May exceed 100 or go below 0."))
    expected_percent = serializers.IntegerField(allow_null=True)
    health = serializers.CharField()
    source = serializers.CharField()


# How the goal's typed values are written (as its declared fields write them).
_DECIMAL = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
_DATETIME = serializers.DateTimeField(read_only=True)


class GoalSerializer(serializers.ModelSerializer):
    """A goal. `access` says what the reader may do; a program admin who may see only the
    summary ("summary") gets uuid, title, status, progress and health and nothing else."""

    mentee = UserRefSerializer(read_only=True)
    program = serializers.UUIDField(source="program.uuid", read_only=True, allow_null=True)
    pairing = serializers.UUIDField(source="pairing.uuid", read_only=True, allow_null=True)
    progress = serializers.SerializerMethodField()
    health = serializers.CharField(source="progress.health", read_only=True)
    access = serializers.SerializerMethodField()

    SUMMARY_FIELDS = ("uuid", "title", "status", "progress", "health", "access")

    class Meta:
        model = Goal
        fields = [
            "uuid",
            "status",
            "progress",
            "health",
            "access",
            "mentee",
            "program",
            "pairing",
            *GOAL_FIELDS,
            "current_value",
            "priority",
            "completed_at",
            "created_at",
            "updated_at",
            "archived_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, obj) -> dict:
        p = obj.progress
        return {
            "percent": p.percent,
            "raw_percent": p.raw_percent,
            "expected_percent": p.expected_percent,
            "health": p.health,
            "source": p.source,
        }

    @extend_schema_field(serializers.ChoiceField(choices=list(LEVEL_NAMES.values())))
    def get_access(self, obj) -> str:
        return LEVEL_NAMES[obj.api_level]

    def to_representation(self, instance):
        """The declared fields' output, written directly: DRF's generic walk over 28 fields
        (and building them from the model for every request) cost more than the query
        that loads a page of goals. tests/api compare it with the declared fields'."""
        goal = instance
        progress = self.get_progress(goal)
        data = {
            "uuid": str(goal.uuid),
            "title": goal.title,
            "status": goal.status,
            "progress": progress,
            "health": progress["health"],
            "access": LEVEL_NAMES[goal.api_level],
        }
        if goal.api_level < Level.READ:
            return {name: data[name] for name in self.Meta.fields if name in self.SUMMARY_FIELDS}
        mentee = goal.mentee
        decimal, when = _DECIMAL.to_representation, _DATETIME.to_representation
        data.update(
            mentee={"uuid": str(mentee.uuid), "name": mentee.display_name},
            program=None if goal.program_id is None else str(goal.program.uuid),
            pairing=None if goal.pairing_id is None else str(goal.pairing.uuid),
            category=goal.category,
            specific=goal.specific,
            metric_name=goal.metric_name,
            unit=goal.unit,
            baseline_value=None if goal.baseline_value is None else decimal(goal.baseline_value),
            target_value=None if goal.target_value is None else decimal(goal.target_value),
            current_value=None if goal.current_value is None else decimal(goal.current_value),
            achievable=goal.achievable,
            relevant=goal.relevant,
            starts_on=goal.starts_on.isoformat(),
            target_date=None if goal.target_date is None else goal.target_date.isoformat(),
            priority=goal.priority,
            visibility=goal.visibility,
            completed_at=None if goal.completed_at is None else when(goal.completed_at),
            created_at=when(goal.created_at),
            updated_at=when(goal.updated_at),
            archived_at=None if goal.archived_at is None else when(goal.archived_at),
            version=goal.version,
        )
        return {name: data[name] for name in self.Meta.fields}


class GoalWriteSerializer(serializers.ModelSerializer):
    """The guided form's fields (GOAL_FIELDS), their types and lengths; the rules (dates in
    order, a target that differs from the start, ...) are goals.services', the same the
    page's form shows."""

    class Meta:
        model = Goal
        fields = list(GOAL_FIELDS)


class GoalCreateSerializer(GoalWriteSerializer):
    pairing = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("One of your open pairings as a mentee; the goal joins its program."),
    )
    milestones = serializers.ListField(
        child=serializers.CharField(max_length=MILESTONE_TITLE_LENGTH),
        required=False,
        max_length=MAX_MILESTONES_AT_CREATION,
        help_text=_("At most 10 titles."),
    )

    class Meta(GoalWriteSerializer.Meta):
        fields = [*GOAL_FIELDS, "pairing", "milestones"]


class GoalUpdateSerializer(GoalWriteSerializer):
    version = serializers.IntegerField(
        help_text=_("The version you read; a change made since then is refused (409).")
    )

    class Meta(GoalWriteSerializer.Meta):
        fields = [*GOAL_FIELDS, "version"]


class GoalStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Goal._meta.get_field("status").choices)
    confirm_over_limit = serializers.BooleanField(required=False, default=False)


class MilestoneSerializer(serializers.ModelSerializer):
    goal = serializers.UUIDField(source="goal.uuid", read_only=True)
    is_done = serializers.BooleanField(read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "uuid",
            "goal",
            *MILESTONE_FIELDS,
            "completed_at",
            "is_done",
            "position",
            "created_at",
        ]
        read_only_fields = fields


class MilestoneEditSerializer(serializers.ModelSerializer):
    """A correction of a milestone: any of MILESTONE_FIELDS (rules: goals.services)."""

    class Meta:
        model = Milestone
        fields = list(MILESTONE_FIELDS)


class MilestoneCreateSerializer(serializers.ModelSerializer):
    """A new milestone: its goal and MILESTONE_FIELDS (rules: goals.services)."""

    goal = serializers.UUIDField()

    class Meta:
        model = Milestone
        fields = ["goal", *MILESTONE_FIELDS]


class ProgressUpdateSerializer(serializers.ModelSerializer):
    goal = serializers.UUIDField(source="goal.uuid", read_only=True)
    author = AuthorField()
    acknowledged_by = serializers.SerializerMethodField()

    class Meta:
        model = ProgressUpdate
        fields = [
            "uuid",
            "goal",
            "author",
            *PROGRESS_UPDATE_FIELDS,
            "created_at",
            "edited_at",
            "acknowledged_by",
            "acknowledged_at",
        ]
        read_only_fields = fields

    @extend_schema_field({**AUTHOR_SCHEMA, "nullable": True})
    def get_acknowledged_by(self, obj):
        if obj.acknowledged_at is None:
            return None
        return author_data(obj.acknowledged_by)


class ProgressUpdateCreateSerializer(serializers.ModelSerializer):
    """A new update: its goal and PROGRESS_UPDATE_FIELDS (rules, such as the confidence from
    1 to 5 and a note or a value: goals.services)."""

    goal = serializers.UUIDField()

    class Meta:
        model = ProgressUpdate
        fields = ["goal", *PROGRESS_UPDATE_FIELDS]
        extra_kwargs = {
            "note": {"default": ""},
            "confidence": {"default": 3},
            # Left out: today in the mentee's time zone.
            "occurred_on": {"required": False},
        }


class ProgressUpdateEditSerializer(serializers.ModelSerializer):
    """A correction by the update's author: any of PROGRESS_UPDATE_FIELDS (the same rules as
    a new update: goals.services)."""

    class Meta:
        model = ProgressUpdate
        fields = list(PROGRESS_UPDATE_FIELDS)


class AcknowledgeSerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class CommentSerializer(serializers.ModelSerializer):
    goal = serializers.UUIDField(source="goal.uuid", read_only=True)
    update = serializers.UUIDField(source="update.uuid", read_only=True, allow_null=True)
    milestone = serializers.UUIDField(source="milestone.uuid", read_only=True, allow_null=True)
    parent = serializers.UUIDField(source="parent.uuid", read_only=True, allow_null=True)
    author = AuthorField()

    class Meta:
        model = Comment
        fields = [
            "uuid",
            "goal",
            "update",
            "milestone",
            "parent",
            "author",
            *COMMENT_FIELDS,
            "created_at",
            "edited_at",
            "deleted_at",
        ]
        read_only_fields = fields


class CommentEditSerializer(serializers.Serializer):
    """A correction of one's own comment: its new text (left out: unchanged)."""

    body = serializers.CharField(
        max_length=4000, allow_blank=True, trim_whitespace=False, required=False
    )


class CommentCreateSerializer(serializers.ModelSerializer):
    """A new comment: its goal (and one of its updates or milestones) and COMMENT_FIELDS."""

    goal = serializers.UUIDField()
    update = serializers.UUIDField(required=False, allow_null=True)
    milestone = serializers.UUIDField(required=False, allow_null=True)
    parent = serializers.UUIDField(required=False, allow_null=True)

    class Meta:
        model = Comment
        fields = ["goal", "update", "milestone", "parent", *COMMENT_FIELDS]


class StepSerializer(serializers.ModelSerializer):
    """A weekly action step of a goal's plan (goals.weeks): its weeks, whether it is due in
    the mentee's current week and the weeks (their Mondays) it was ticked off in."""

    goal = serializers.UUIDField(source="goal.uuid", read_only=True)
    weeks = serializers.SerializerMethodField()
    due_this_week = serializers.SerializerMethodField()
    weeks_done = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "uuid",
            "goal",
            *STEP_FIELDS,
            "weeks",
            "due_this_week",
            "weeks_done",
            "position",
            "created_at",
        ]
        read_only_fields = fields

    def get_weeks(self, obj) -> str:
        return weeks_label(obj)

    def get_due_this_week(self, obj) -> bool:
        monday = week_start(mentee_today(obj.goal))
        return is_due_in_week(obj, starts_on=obj.goal.starts_on, monday=monday)

    @extend_schema_field({"type": "array", "items": {"type": "string", "format": "date"}})
    def get_weeks_done(self, obj):
        return sorted(c.week_start.isoformat() for c in obj.completions.all())


class StepCreateSerializer(serializers.ModelSerializer):
    """A new weekly action step: its goal and its title, weeks or repetition (rules:
    goals.services.step_validate)."""

    goal = serializers.UUIDField()

    class Meta:
        model = Milestone
        fields = ["goal", *STEP_FIELDS]


class StepEditSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = list(STEP_FIELDS)


class StepTickSerializer(serializers.Serializer):
    week = serializers.DateField(required=False, allow_null=True, default=None)
    done = serializers.BooleanField(required=False, default=True)
