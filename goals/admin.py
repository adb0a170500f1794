from django.contrib import admin

from .models import Comment, Goal, GoalEvent, Milestone, ProgressUpdate


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["title", "kind", "due_on", "completed_at", "position"]


class GoalEventInline(admin.TabularInline):
    model = GoalEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "action", "detail"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["title", "mentee", "program", "status", "visibility", "priority", "target_date"]
    list_filter = ["status", "visibility", "category", "program"]
    search_fields = ["title", "mentee__email", "mentee__name"]
    raw_id_fields = ["mentee", "pairing"]
    readonly_fields = ["uuid", "created_at", "updated_at", "version", "completed_at"]
    inlines = [MilestoneInline, GoalEventInline]
    list_select_related = ["mentee", "program"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "goal", "kind", "due_on", "completed_at"]
    list_filter = ["kind"]
    search_fields = ["title", "goal__title"]
    raw_id_fields = ["goal"]
    list_select_related = ["goal"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["goal", "author", "value", "confidence", "created_at", "acknowledged_at"]
    list_filter = ["confidence"]
    search_fields = ["goal__title", "note"]
    raw_id_fields = ["goal", "author", "acknowledged_by"]
    list_select_related = ["goal", "author"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["goal", "author", "is_kudos", "created_at"]
    list_filter = ["is_kudos"]
    search_fields = ["goal__title", "body"]
    raw_id_fields = ["goal", "author", "update", "milestone"]
    list_select_related = ["goal", "author"]


@admin.register(GoalEvent)
class GoalEventAdmin(admin.ModelAdmin):
    list_display = ["goal", "actor", "action", "created_at"]
    list_filter = ["action"]
    search_fields = ["goal__title", "detail"]
    raw_id_fields = ["goal", "actor"]
    list_select_related = ["goal", "actor"]
