"""Queue background jobs only once the data they will read has been committed.

A job enqueued in the middle of a transaction can start on a worker before the commit, and then
read rows that are not there yet — or that are rolled back and never will be. Every service that
starts a job therefore goes through :func:`enqueue_on_commit` (or :func:`enqueue_atomically`)
instead of calling ``enqueue()``.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ParamSpec, TypeVar

from django.db import connections, router, transaction
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


def queue_database(task: Any) -> str | None:
    """The database alias ``task`` is queued in as a row (django-tasks' database backend), else None."""
    if not isinstance(task, Task):
        return None
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # the database backend is not installed
        return None
    if not isinstance(task.get_backend(), DatabaseBackend):
        return None
    return router.db_for_write(DBTaskResult)


def enqueue_atomically(task: Task[P, T], *args: P.args, **kwargs: P.kwargs) -> None:
    """Enqueue ``task(*args, **kwargs)`` so that the job exists exactly when the current transaction commits.

    With the database backend the queue is a table of the same database: the job's row is inserted
    now, inside the caller's transaction, so it commits together with the data it will read (workers
    cannot see it before) or rolls back with it. A process that dies between the commit and an
    ``on_commit`` hook can then no longer lose the job, and the caller pays for one commit instead of
    two. A queue elsewhere (Redis for RQ) cannot join the transaction: the job is enqueued after the
    commit, as :func:`enqueue_on_commit` does. Outside a transaction the job is enqueued at once.

    On the database path a failure to queue is an error of the caller's transaction (it is the same
    database), so nothing commits without its job. The caller's transaction must be on the queue's
    database (the default one here).
    """
    alias = queue_database(task)
    if alias is not None and connections[alias].in_atomic_block:
        task.enqueue(*args, **kwargs)
        return
    enqueue_on_commit(task, *args, **kwargs)


def database_job_row(task: Task[P, T], *args: P.args, **kwargs: P.kwargs) -> Any | None:
    """The unsaved queue row ``task.enqueue(*args, **kwargs)`` would insert, where the queue is a table.

    For write paths that insert the job together with its data in one statement
    (:mod:`thanglong.core.sqlinsert`): the row carries exactly the values django-tasks' database
    backend gives it. ``None`` when the task's backend is not the database one; enqueue normally then.
    After inserting the row, call :func:`announce_enqueued` as ``enqueue()`` would have.
    """
    if queue_database(task) is None:
        return None
    from django_tasks.utils import normalize_json
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    assert isinstance(backend, DatabaseBackend)  # queue_database() checked it
    backend.validate_task(task)
    return DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after,  # None: the model's pre_save signal sets "never"
        backend_name=backend.alias,
    )


def announce_enqueued(task: Task[Any, Any], row: Any) -> None:
    """Send django-tasks' ``task_enqueued`` signal for a queue row inserted by hand."""
    from django_tasks.signals import task_enqueued

    task_enqueued.send(type(task.get_backend()), task_result=row.task_result)
