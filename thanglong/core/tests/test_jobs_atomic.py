"""Jobs queued atomically: with the database queue the job's row commits or rolls back with the caller's
transaction; any other queue gets the job after the commit."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoCaptureOnCommitCallbacks

from thanglong.core.jobs import enqueue_atomically, queue_database
from thanglong.feedback.choices import Channel
from thanglong.feedback.services.intake import submit_report


@task()
def note_report(report_id: int, *, reason: str = "") -> str:
    """Only for these tests: a job whose arguments show up in its queued row."""
    return f"{report_id}:{reason}"


def queued_rows() -> list[DBTaskResult[Any, Any]]:
    return list(DBTaskResult.objects.filter(task_path=note_report.module_path))


IMMEDIATE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "imports", "reports"],
    }
}


def count_seen_elsewhere() -> int:
    """How many of the test's job rows another connection (a worker) can see now."""
    seen: list[int] = []

    def look() -> None:
        try:
            seen.append(DBTaskResult.objects.filter(task_path=note_report.module_path).count())
        finally:
            connection.close()

    reader = threading.Thread(target=look)
    reader.start()
    reader.join(timeout=30)
    return seen[0]


@pytest.mark.django_db
def test_the_database_queue_is_recognised() -> None:
    assert queue_database(note_report) == "default"
    assert queue_database(object()) is None
    with override_settings(TASKS=IMMEDIATE):
        assert queue_database(note_report) is None


@pytest.mark.django_db
def test_the_job_row_is_written_inside_the_transaction_without_a_commit_hook(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        enqueue_atomically(note_report, 42, reason="intake")
        [row] = queued_rows()
    assert callbacks == []
    assert row.status == TaskResultStatus.READY
    assert row.args_kwargs == {"args": [42], "kwargs": {"reason": "intake"}}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_reference_data")
def test_the_job_commits_with_the_transaction_and_is_invisible_before() -> None:
    """GIVEN a job queued in a transaction THEN a worker cannot see it until the commit, and sees it after."""
    with transaction.atomic():
        enqueue_atomically(note_report, 7)
        assert len(queued_rows()) == 1
        assert count_seen_elsewhere() == 0
    assert count_seen_elsewhere() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_reference_data")
def test_the_job_rolls_back_with_the_transaction() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_atomically(note_report, 8)
        raise RuntimeError("the service failed after queuing its job")
    assert queued_rows() == []


@pytest.mark.django_db
def test_outside_a_transaction_the_job_is_queued_at_once() -> None:
    enqueue_atomically(note_report, 9)
    assert [row.args_kwargs["args"] for row in queued_rows()] == [[9]]


@pytest.mark.django_db
def test_a_queue_outside_the_database_gets_the_job_after_the_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    calls: list[int] = []

    class Recording:
        def enqueue(self, report_id: int) -> None:
            calls.append(report_id)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        enqueue_atomically(Recording(), 10)  # type: ignore[arg-type]
        assert calls == []
    assert len(callbacks) == 1 and calls == [10]

    with (
        override_settings(TASKS=IMMEDIATE),
        django_capture_on_commit_callbacks() as callbacks,
        transaction.atomic(),
    ):
        enqueue_atomically(note_report, 11)
    assert len(callbacks) == 1
    assert queued_rows() == []


@pytest.mark.django_db
def test_intake_commits_the_triage_job_with_the_report(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """Every committed report has its triage job queued in the same commit: nothing waits for a hook."""
    from thanglong.feedback.triage.tasks import triage_report_task

    data = {
        "text": "Ô tô đỗ chắn lối vào ngõ 5 Hàng Bạc từ sáng đến tối.",
        "address": "ngõ 5 Hàng Bạc, Hoàn Kiếm",
        "phone": "0912345678",
        "consent": True,
    }
    with django_capture_on_commit_callbacks() as callbacks:
        report, created = submit_report(data, channel=Channel.API)
    assert created and callbacks == []
    job = DBTaskResult.objects.get(task_path=triage_report_task.module_path)
    assert job.args_kwargs == {"args": [report.pk], "kwargs": {}}
