"""Django admin for the mentoring domain: lists that answer the usual support questions."""

from django.contrib import admin

from .models import (
    ActionItem,
    Agreement,
    Application,
    CheckIn,
    Invitation,
    Meeting,
    Membership,
    MentorRequest,
    Pairing,
    PairingEvent,
    Program,
    SurveyResponse,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "capacity", "skills", "interests"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "starts_on",
        "ends_on",
        "checkin_cadence_days",
        "stall_after_days",
        "max_active_goals",
        "join_policy",
        "is_active",
        "ended_at",
    ]
    list_filter = ["is_active", "join_policy", "starts_on"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["uuid", "created_at", "ended_at", "ended_by", "previous_cohort"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "role", "capacity", "joined_at"]
    list_filter = ["role", "program"]
    search_fields = ["user__email", "user__name", "program__name", "skills", "interests"]
    list_select_related = ["user", "program"]
    raw_id_fields = ["user"]
    readonly_fields = ["uuid", "joined_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "program",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role", "program", ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "name", "program__name"]
    list_select_related = ["program", "invited_by"]
    raw_id_fields = ["invited_by", "accepted_by"]
    readonly_fields = ["uuid", "token_hash", "created_at"]


class PairingEventInline(admin.TabularInline):
    model = PairingEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "action", "detail"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CheckInInline(admin.TabularInline):
    model = CheckIn
    extra = 0
    fields = ["occurred_on", "summary", "logged_by"]
    raw_id_fields = ["logged_by"]


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = [
        "mentor",
        "mentee",
        "program",
        "status",
        "started_on",
        "last_checkin_on",
        "next_checkin_due",
        "ended_on",
    ]
    list_filter = ["status", "program"]
    search_fields = ["mentor__email", "mentor__name", "mentee__email", "mentee__name"]
    list_select_related = ["mentor", "mentee", "program"]
    raw_id_fields = ["mentor", "mentee", "reassigned_from"]
    readonly_fields = ["uuid", "created_at"]
    date_hierarchy = "created_at"
    inlines = [CheckInInline, PairingEventInline]


@admin.register(PairingEvent)
class PairingEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "pairing", "actor", "action", "detail"]
    list_filter = ["action"]
    search_fields = ["pairing__mentor__email", "pairing__mentee__email", "actor__email", "detail"]
    list_select_related = ["pairing__mentor", "pairing__mentee", "pairing__program", "actor"]
    raw_id_fields = ["pairing", "actor"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["pairing", "meeting_frequency", "mentor_accepted_at", "mentee_accepted_at"]
    list_filter = [
        ("mentor_accepted_at", admin.EmptyFieldListFilter),
        ("mentee_accepted_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["pairing__mentor__email", "pairing__mentee__email", "expectations"]
    list_select_related = ["pairing__mentor", "pairing__mentee", "pairing__program"]
    raw_id_fields = ["pairing", "updated_by"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["occurred_on", "pairing", "logged_by", "created_at"]
    list_filter = ["occurred_on", "pairing__program"]
    search_fields = ["summary", "next_steps", "pairing__mentor__email", "pairing__mentee__email"]
    list_select_related = ["pairing__mentor", "pairing__mentee", "pairing__program", "logged_by"]
    raw_id_fields = ["pairing", "logged_by"]
    date_hierarchy = "occurred_on"


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["pairing", "author", "kind", "round", "match_score", "shared", "created_at"]
    list_filter = ["kind", "shared", "pairing__program"]
    search_fields = ["comment", "author__email", "pairing__mentor__email", "pairing__mentee__email"]
    list_select_related = ["pairing__mentor", "pairing__mentee", "pairing__program", "author"]
    raw_id_fields = ["pairing", "author"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "role", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status", "role", "program"]
    search_fields = ["user__email", "user__name", "program__name"]
    raw_id_fields = ["user", "decided_by"]
    readonly_fields = ["uuid", "created_at"]


@admin.register(MentorRequest)
class MentorRequestAdmin(admin.ModelAdmin):
    list_display = ["mentee", "mentor", "program", "status", "created_at", "expires_at"]
    list_filter = ["status", "program"]
    search_fields = ["mentee__user__email", "mentor__user__email", "program__name"]
    list_select_related = ["mentee__user", "mentor__user", "program"]
    raw_id_fields = ["mentee", "mentor", "pairing"]
    readonly_fields = ["uuid", "created_at"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Support looks a meeting up; changes go through the pair's pages (they send the
    calendar updates)."""

    list_display = ["uuid", "pairing", "status", "starts_at", "sequence", "created_at"]
    list_filter = ["status"]
    search_fields = ["uuid", "uid", "pairing__mentor__email", "pairing__mentee__email"]
    raw_id_fields = ["pairing", "proposed_by", "checkin"]
    readonly_fields = ["uid", "sequence", "candidate_times"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "pairing", "owner", "due_on", "done_at"]
    list_filter = ["done_at"]
    search_fields = ["title", "owner__email"]
    raw_id_fields = ["pairing", "meeting", "owner", "created_by"]
