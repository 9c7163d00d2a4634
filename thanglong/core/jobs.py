"""Queue background jobs only once the data they will read has been committed.

A job enqueued in the middle of a transaction can start on a worker before the commit, and then
read rows that are not there yet — or that are rolled back and never will be. Every service that
starts a job therefore goes through :func:`enqueue_on_commit` instead of calling ``enqueue()``.
"""

from __future__ import annotations

from functools import partial
from typing import ParamSpec, TypeVar

from django.db import transaction
from django_tasks.base import Task

P = ParamSpec("P")
T = TypeVar("T")


def enqueue_on_commit(task: Task[P, T], *args: P.args, **kwargs: P.kwargs) -> None:
    """Enqueue ``task(*args, **kwargs)`` after the current transaction commits; never if it rolls back.

    Outside a transaction (autocommit) the job is enqueued at once.
    """
    # robust=True: by the time this runs the data is already committed, so a queue that is down
    # must not turn the user's successful request into an error or stop the jobs queued after it;
    # Django logs the failure with its traceback instead.
    transaction.on_commit(partial(task.enqueue, *args, **kwargs), robust=True)
