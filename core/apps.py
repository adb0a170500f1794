from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses and that knows no app: the request's viewer, the error types of
    services, the access helpers, health and the trivial view. Apps register with it in their
    own AppConfig.ready(); nothing here imports them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from . import nav

        nav.register("main", 0, nav.dashboard_link)
