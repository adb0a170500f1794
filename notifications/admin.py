from django.contrib import admin

from .models import Notification, OutboxEmail, Preferences


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("kind", "recipient", "title", "scheduled_for", "sent_at", "read_at", "attempts")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("dedupe_key", "recipient__email", "title")
    raw_id_fields = ("recipient",)
    readonly_fields = ("uuid", "dedupe_key", "batch_key", "created_at", "claim_token")
    date_hierarchy = "created_at"


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ("user", "digest_weekday", "digest_hour", "feedback_mode")
    raw_id_fields = ("user",)
    search_fields = ("user__email",)


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ("kind", "subject", "scheduled_for", "sent_at", "attempts")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("message_id", "subject", "to")
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False
