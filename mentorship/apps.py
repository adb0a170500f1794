from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mentorship"
    verbose_name = "Mentoring programs"

    def ready(self):
        from core import jobs, nav, viewer

        from . import nav as mentorship_nav
        from . import selectors, services, tasks

        nav.register("main", 20, mentorship_nav.main_links)

        viewer.provide(selectors.VIEWER_FACTS, selectors.viewer_facts)
        jobs.register(
            services.NOTIFY_IMPORTED_PAIRINGS,
            tasks.notify_imported_pairings,
            run_here_if_unreachable=True,
        )
        jobs.register(services.IMPORT_RUN_PROCESS, tasks.import_run_process)
        jobs.register(
            services.CANCEL_MEETINGS_OF_CLOSED_PAIRING,
            tasks.meetings_cancel_for_closed_pairing,
            run_here_if_unreachable=True,
        )
