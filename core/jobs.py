"""Background work by name, enqueued after the commit.

Services decide that something must happen in the background (deliver these e-mails, tell
these people about their new pairings) but must not import the task modules above them.
Each app registers its Celery tasks here in its AppConfig.ready(); a service asks for one by
name. The task runs only once the current transaction commits (at once outside one), and in
eager mode (no broker) it runs in-process, as `task.delay` does.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

_tasks: dict[str, Any] = {}
_run_here: set[str] = set()


def register(name: str, task, *, run_here_if_unreachable: bool = False) -> None:
    """Make `task` (a Celery task, or anything with .delay) reachable as `name`.

    `run_here_if_unreachable`: when the broker cannot take the job, run it in this process
    (after the commit, still inside the request) rather than only logging the failure. For
    jobs whose work nothing else would find again (no row waits for them); jobs that a sweep
    re-finds (the outbox) leave it off."""
    if name in _tasks and _tasks[name] is not task:
        raise ValueError(f"background job {name!r} is registered twice")
    _tasks[name] = task
    if run_here_if_unreachable:
        _run_here.add(name)
    else:
        _run_here.discard(name)


def task(name: str):
    try:
        return _tasks[name]
    except KeyError:
        raise LookupError(f"no background job registered as {name!r}") from None


def enqueue_on_commit(name: str, *args, **kwargs) -> None:
    """Run the job `name` with these arguments once the transaction commits. Arguments are
    ids and plain values, never model instances. The change is committed by then: a job that
    fails to start (broker down, or an error in eager mode) is logged, and never turns the
    request that made the change into an error."""
    job = task(name)
    if name not in _run_here:
        transaction.on_commit(lambda: job.delay(*args, **kwargs), robust=True)
        return

    def start():
        try:
            job.delay(*args, **kwargs)
        except Exception:
            logger.warning("broker unreachable: running %s in this process", name, exc_info=True)
            job(*args, **kwargs)

    transaction.on_commit(start, robust=True)
