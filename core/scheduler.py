"""The scheduled work of the embedded default: without a broker there is no Celery beat, so
the web server runs the beat schedule itself.

`runserver` (core/management/commands/runserver.py) starts an `EmbeddedScheduler` when tasks
run eagerly (no `REDIS_URL`) and `EMBEDDED_SCHEDULER` is on: a daemon thread that runs each
entry of `CELERY_BEAT_SCHEDULE` at its interval, in-process, as beat and a worker would. With a
broker, beat does it (`make beat`); from cron, `manage.py run_schedule --once`. Every scheduled
task is safe to run twice, so an overlap with either is harmless.
"""

import logging
import threading
from datetime import UTC, datetime

from celery import current_app
from celery.schedules import maybe_schedule
from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)


class EmbeddedScheduler:
    """Runs the beat schedule in this process. `tick` checks which entries are due; `run_due`
    runs them (each in its own try: one failing task never stops the others)."""

    def __init__(self, schedule: dict | None = None, *, tick: float = 5.0, first_after: float = 3):
        entries = settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule
        self.entries = {
            name: (entry["task"], maybe_schedule(entry["schedule"]), entry.get("args", ()))
            for name, entry in entries.items()
        }
        self.tick = tick
        self.first_after = first_after
        self.last_run: dict[str, datetime] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def due(self) -> list[str]:
        """Entries due now: never run yet, or their interval has passed since the last run."""
        names = []
        for name, (_task, schedule, _args) in self.entries.items():
            last = self.last_run.get(name)
            if last is None or schedule.is_due(last).is_due:
                names.append(name)
        return names

    def run_due(self) -> list[str]:
        ran = []
        for name in self.due():
            task_name, _schedule, args = self.entries[name]
            self.last_run[name] = datetime.now(UTC)
            try:
                current_app.tasks[task_name].apply(args=list(args), throw=True)
            except Exception:
                logger.exception("Scheduled task %s failed; it runs again at its next time", name)
            ran.append(name)
        return ran

    def _loop(self) -> None:
        if self._stop.wait(self.first_after):
            return
        while not self._stop.is_set():
            self.run_due()
            # The thread's database connection is closed between passes, as a request's is.
            close_old_connections()
            self._stop.wait(self.tick)

    def start(self) -> "EmbeddedScheduler":
        self._thread = threading.Thread(target=self._loop, name="embedded-scheduler", daemon=True)
        self._thread.start()
        return self

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def wanted() -> bool:
    """Whether this process should run the schedule: tasks run eagerly (no broker, so no beat
    to run them) and the setting is on."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER and settings.EMBEDDED_SCHEDULER)
