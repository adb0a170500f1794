from django.apps import AppConfig


class GoalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goals"
    verbose_name = "Goals"

    def ready(self):
        from core import nav

        from . import nav as goal_nav

        nav.register("main", 10, goal_nav.main_links)
