"""Background work by name, enqueued after the commit.

Services decide that something must happen in the background (deliver these e-mails, tell
these people about their new pairings) but must not import the task modules above them.
Each app registers its Celery tasks here in its AppConfig.ready(); a service asks for one by
name. The task runs only once the current transaction commits (at once outside one), and in
eager mode (no broker) it runs in-process, as `task.delay` does.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

_tasks: dict[str, Any] = {}


def register(name: str, task) -> None:
    """Make `task` (a Celery task, or anything with .delay) reachable as `name`."""
    if name in _tasks and _tasks[name] is not task:
        raise ValueError(f"background job {name!r} is registered twice")
    _tasks[name] = task


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
    transaction.on_commit(lambda: job.delay(*args, **kwargs), robust=True)
