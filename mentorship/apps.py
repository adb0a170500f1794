from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mentorship"
    verbose_name = "Mentoring programs"

    def ready(self):
        from core import viewer

        from . import selectors

        viewer.provide(selectors.VIEWER_FACTS, selectors.viewer_facts)
