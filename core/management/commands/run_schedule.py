"""Run the beat schedule (`CELERY_BEAT_SCHEDULE`) without Celery beat: every scheduled task
once (`--once`, for cron), or each at its interval until stopped.

    */5 * * * *  cd /srv/mentorship && .venv/bin/python manage.py run_schedule --once
"""

from django.core.management.base import BaseCommand

from core.scheduler import EmbeddedScheduler


class Command(BaseCommand):
    help = (
        "Run the scheduled tasks (dispatcher, e-mail sweep, import sweep) in this process: "
        "once each with --once (for cron), else each at its interval until stopped. Safe "
        "beside beat and workers: every scheduled task may run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every task once and exit.")

    def handle(self, *args, once: bool = False, **options):
        runner = EmbeddedScheduler(first_after=0)
        if once:
            ran = runner.run_due()
            self.stdout.write(f"ran {len(ran)} scheduled task(s): {', '.join(ran)}")
            return
        self.stdout.write("Running the schedule; stop with Ctrl-C.")
        runner.start()
        try:
            runner.join()
        except KeyboardInterrupt:
            runner.stop()
