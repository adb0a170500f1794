from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from core import jobs, nav, viewer

        from . import nav as notification_nav
        from . import selectors, services, tasks

        nav.register("end", 10, notification_nav.inbox_item)

        viewer.provide(
            ("unread_count",), lambda user: {"unread_count": selectors.unread_count(user=user)}
        )
        jobs.register(services.DELIVER_JOB, tasks.deliver)
        jobs.register(services.DELIVER_EMAILS_JOB, tasks.deliver_emails)
