"""Background jobs end to end: queued on commit, run by a real worker process, on both backends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoCaptureOnCommitCallbacks

from thanglong.core.jobs import enqueue_on_commit
from thanglong.core.management.commands.serve import Command as ServeCommand
from thanglong.core.models import LegacyWard, LegacyWardSuccessor, Province, Ward
from thanglong.core.tasks import import_divisions_task

PROJECT_DIR = Path(__file__).resolve().parents[3]
IMPORT_TASK_PATH = import_divisions_task.module_path


@task()
def record_arguments(label: str, *, times: int = 1) -> str:
    """Only for these tests: a job whose arguments show up in its queued row."""
    return label * times


def _database_url() -> str:
    """A URL for the test database this session is using, for a process started from a test."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"])
        if not name or name == ":memory:" or "mode=memory" in name:
            pytest.skip("the SQLite test database is in memory, so a worker process cannot see it")
        return f"sqlite:///{name}"
    if connection.vendor == "postgresql":
        credentials = quote(settings["USER"], safe="")
        if settings["PASSWORD"]:
            credentials += ":" + quote(settings["PASSWORD"], safe="")
        host = settings["HOST"] or "localhost"
        port = f":{settings['PORT']}" if settings["PORT"] else ""
        return f"postgres://{credentials}@{host}{port}/{quote(settings['NAME'], safe='')}"
    pytest.skip(f"no worker test for the {connection.vendor} database engine")


def worker_environment(**overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "thanglong.settings",
        "THANGLONG_ENV": "test",
        "THANGLONG_TASKS_BACKEND": "database",
        "DATABASE_URL": _database_url(),
        **overrides,
    }


def serve_worker_command(tasks_backend: str) -> list[str]:
    """The worker process that `thanglong serve` starts next to the web server for this backend."""
    with override_settings(TASKS_BACKEND=tasks_backend):
        return ServeCommand()._worker_command()


def run_command(command: list[str], *, env: dict[str, str], timeout: int = 180) -> str:
    """Run ``command`` in a separate process, as an operator or a process manager would; return its output."""
    process = subprocess.run(
        command,
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert process.returncode == 0, f"{' '.join(command)} failed:\n{process.stdout}\n{process.stderr}"
    return process.stdout + process.stderr


def run_python(code: str, *, env: dict[str, str]) -> str:
    """Run ``code`` in a fresh process with Django set up; return the last line it printed."""
    process = subprocess.run(
        [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == 0, f"{code}\nfailed:\n{process.stdout}\n{process.stderr}"
    return process.stdout.strip().splitlines()[-1]


def current_division_counts() -> dict[str, int]:
    return {
        "provinces": Province.objects.count(),
        "wards": Ward.objects.count(),
        "legacy_wards": LegacyWard.objects.count(),
        "legacy_successors": LegacyWardSuccessor.objects.count(),
    }


# --- jobs are queued on commit, never for a rolled-back transaction ------------------------------


@pytest.mark.django_db
def test_job_is_queued_only_when_the_transaction_commits(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            enqueue_on_commit(record_arguments, "Hoàn Kiếm", times=2)
        assert not DBTaskResult.objects.filter(task_path=record_arguments.module_path).exists()

    assert len(callbacks) == 1
    callbacks[0]()
    queued = DBTaskResult.objects.get(task_path=record_arguments.module_path)
    assert queued.status == TaskResultStatus.READY
    assert queued.args_kwargs == {"args": ["Hoàn Kiếm"], "kwargs": {"times": 2}}


@pytest.mark.django_db(transaction=True)
def test_job_queued_in_a_transaction_that_rolls_back_is_never_queued(restore_reference_data: None) -> None:
    """GIVEN a service that queues a job and then fails
    WHEN its transaction rolls back
    THEN no job exists, so no worker can act on rows that were never committed."""
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(import_divisions_task)
        raise RuntimeError("the service failed after queuing its job")

    assert not DBTaskResult.objects.filter(task_path=IMPORT_TASK_PATH).exists()


# --- database backend: `thanglong db_worker` --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_database_worker_runs_the_import_after_commit(restore_reference_data: None) -> None:
    """GIVEN the database backend
    WHEN the divisions import is queued inside a transaction that commits
    THEN a separate `thanglong db_worker` process runs it and records the counts as its result."""
    env = worker_environment()
    with transaction.atomic():
        enqueue_on_commit(import_divisions_task)
        assert not DBTaskResult.objects.filter(task_path=IMPORT_TASK_PATH).exists()
    queued = DBTaskResult.objects.get(task_path=IMPORT_TASK_PATH)
    assert queued.status == TaskResultStatus.READY
    assert queued.queue_name == "imports"

    # `--batch`: the worker `thanglong serve` starts, told to exit once the queues are empty.
    run_command([*serve_worker_command("database"), "--batch"], env=env)

    result = import_divisions_task.get_result(str(queued.id))
    assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
    assert result.return_value == current_division_counts()
    assert result.return_value["provinces"] == 34


# --- RQ backend on a real Redis: `thanglong rqworker --burst` -----------------------------------


@pytest.fixture
def redis_url() -> str:
    """An empty Redis database reserved for tests, or a skip when there is none."""
    import redis

    url = os.environ.get("THANGLONG_TEST_REDIS_URL", "")
    if not url:
        pytest.skip("THANGLONG_TEST_REDIS_URL is not set")
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        pytest.skip(f"Redis at {url} is unreachable: {error}")
    client.flushdb()
    return url


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_rq_worker_runs_the_import(redis_url: str, restore_reference_data: None) -> None:
    """GIVEN the RQ backend on Redis
    WHEN the divisions import is queued
    THEN `thanglong rqworker --burst` runs it and the result, read back from Redis, holds the counts."""
    env = worker_environment(THANGLONG_TASKS_BACKEND="rq", THANGLONG_REDIS_URL=redis_url)
    result_id = run_python(
        "from thanglong.core.tasks import import_divisions_task\n"
        "result = import_divisions_task.enqueue()\n"
        "print(result.id)",
        env=env,
    )

    # `--burst`: the worker `thanglong serve` starts, told to exit once the queues are empty.
    run_command([*serve_worker_command("rq"), "--burst"], env=env)

    finished = json.loads(
        run_python(
            "import json\n"
            "from thanglong.core.tasks import import_divisions_task\n"
            f"result = import_divisions_task.get_result({result_id!r})\n"
            "successful = result.status == 'SUCCESSFUL'\n"
            "print(json.dumps({'status': result.status,"
            " 'return_value': result.return_value if successful else None,"
            " 'errors': [error.traceback for error in result.errors]}))",
            env=env,
        )
    )
    assert finished["status"] == TaskResultStatus.SUCCESSFUL, finished["errors"]
    assert finished["return_value"] == current_division_counts()
    assert finished["return_value"]["provinces"] == 34
