"""Notification outbox: written with the change, never for a rolled-back one, delivered and retried."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from thanglong.feedback.choices import Status
from thanglong.feedback.models import Notification, NotificationStatus
from thanglong.feedback.notifiers import DeliveryError
from thanglong.feedback.notifiers.fakes import FakeSmsGateway, FakeZaloOA
from thanglong.feedback.notifiers.sms import normalise_phone
from thanglong.feedback.services import notify, workflow
from thanglong.feedback.tasks import deliver_notification
from thanglong.feedback.tests.test_workflow import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_gateway() -> Iterator[FakeSmsGateway]:
    with (
        FakeSmsGateway() as gateway,
        override_settings(
            THANGLONG_SMS_API_BASE=gateway.url,
            THANGLONG_SMS_API_KEY=FakeSmsGateway.API_KEY,
            THANGLONG_SMS_SECRET_KEY=FakeSmsGateway.SECRET_KEY,
            THANGLONG_SMS_BRANDNAME="CATP_HANOI",
            THANGLONG_PUBLIC_BASE_URL="https://thanglong.example.vn",
        ),
    ):
        yield gateway


def test_outbox_row_is_written_in_the_same_transaction_and_queued_after_commit(
    hanoi_force: dict[str, Any], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    report = make_report(hanoi_force["cau_giay"])
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        workflow.transition(report, Status.IN_PROGRESS, hanoi_force["canbo.caugiay"])
        # Visible inside the transaction that made the change, before anything was queued.
        assert Notification.objects.filter(report=report, status=NotificationStatus.PENDING).count() == 1
        assert callbacks == []
    assert len(callbacks) == 1


def test_no_outbox_row_when_the_change_rolls_back(
    hanoi_force: dict[str, Any], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    report = make_report(hanoi_force["cau_giay"])
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        workflow.reply(report, hanoi_force["canbo.caugiay"], "Chúng tôi đã nhận được phản ánh.")
        raise RuntimeError("the request failed after the reply")
    assert not Notification.objects.exists()
    assert callbacks == []


def test_sender_job_delivers_to_the_sms_gateway(
    hanoi_force: dict[str, Any], sms_gateway: FakeSmsGateway
) -> None:
    report = make_report(hanoi_force["cau_giay"])
    workflow.transition(report, Status.IN_PROGRESS, hanoi_force["canbo.caugiay"])
    notification = Notification.objects.get(report=report)

    assert deliver_notification.call(notification.pk) == NotificationStatus.SENT

    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 1, "")
    [message] = sms_gateway.messages
    assert (message["Phone"], message["Brandname"], message["SmsType"]) == ("84912345678", "CATP_HANOI", "2")
    link = f"https://thanglong.example.vn/feedback/s/{report.tracking_code}/{report.tracking_secret}/"
    assert message["Content"] == (
        f"Cong an TP Ha Noi: Phan anh {report.tracking_code} dang duoc xu ly. Xem chi tiet: {link}"
    )
    assert message["RequestId"] == f"thanglong-n{notification.pk}"
    # Running the job again (a duplicate in the queue) sends nothing more.
    assert deliver_notification.call(notification.pk) == "skipped"
    assert len(sms_gateway.messages) == 1


def test_a_500_is_retried_with_backoff_then_delivered(
    hanoi_force: dict[str, Any], sms_gateway: FakeSmsGateway
) -> None:
    report = make_report(hanoi_force["cau_giay"])
    workflow.reply(report, hanoi_force["canbo.caugiay"], "Công an phường sẽ kiểm tra trong tối nay.")
    notification = Notification.objects.get(report=report)
    sms_gateway.fail_next(2)
    now = timezone.now()

    assert notify.deliver(notification.pk, now=now) == NotificationStatus.PENDING
    notification.refresh_from_db()
    assert (notification.attempts, notification.last_error) == (1, "HTTP 500")
    assert notification.next_attempt_at == now + timedelta(minutes=1)
    assert notify.deliver(notification.pk, now=now) == "skipped"  # not due yet

    later = now + timedelta(minutes=1)
    assert notify.deliver(notification.pk, now=later) == NotificationStatus.PENDING
    notification.refresh_from_db()
    assert notification.next_attempt_at == later + timedelta(minutes=2)

    assert notify.deliver(notification.pk, now=later + timedelta(minutes=2)) == NotificationStatus.SENT
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 3, "")
    assert len(sms_gateway.messages) == 1


def test_gives_up_after_the_last_attempt(hanoi_force: dict[str, Any], sms_gateway: FakeSmsGateway) -> None:
    report = make_report(hanoi_force["cau_giay"])
    workflow.reply(report, hanoi_force["canbo.caugiay"], "Đã tiếp nhận.")
    notification = Notification.objects.get(report=report)
    sms_gateway.fail_next(100, status=503)
    moment = timezone.now()
    for _attempt in range(notify.MAX_ATTEMPTS):
        notify.deliver(notification.pk, now=moment)
        moment += timedelta(hours=2)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, notify.MAX_ATTEMPTS)


def test_a_refusal_about_the_message_is_not_retried(
    hanoi_force: dict[str, Any], sms_gateway: FakeSmsGateway
) -> None:
    report = make_report(hanoi_force["cau_giay"], contact_phone="12345")
    workflow.reply(report, hanoi_force["canbo.caugiay"], "Đã tiếp nhận.")
    notification = Notification.objects.get(report=report)
    assert notify.deliver(notification.pk) == NotificationStatus.FAILED
    notification.refresh_from_db()
    assert notification.last_error == "not a Vietnamese mobile number"
    assert sms_gateway.requests == []


def test_message_is_in_the_citizens_language(
    hanoi_force: dict[str, Any], sms_gateway: FakeSmsGateway
) -> None:
    report = make_report(hanoi_force["cau_giay"], lang="en")
    workflow.transition(report, Status.IN_PROGRESS, hanoi_force["canbo.caugiay"])
    notification = Notification.objects.get(report=report)
    assert notification.body.startswith(f"Hanoi Police: Your report {report.tracking_code} is being handled.")
    assert f"/feedback/s/{report.tracking_code}/{report.tracking_secret}/" in notification.body


def test_zalo_reports_are_answered_on_zalo(hanoi_force: dict[str, Any]) -> None:
    report = make_report(hanoi_force["cau_giay"], channel="zalo", triage={"zalo_user_id": "8841234567"})
    workflow.reply(report, hanoi_force["canbo.caugiay"], "Công an phường đã cử tổ công tác đến kiểm tra.")
    notification = Notification.objects.get(report=report)
    assert (notification.channel, notification.recipient) == ("zalo", "8841234567")
    assert "Công an phường đã cử tổ công tác" in notification.body  # Zalo carries the officer's words

    with (
        FakeZaloOA() as zalo,
        override_settings(
            THANGLONG_ZALO_API_BASE=zalo.url,
            THANGLONG_ZALO_ACCESS_TOKEN=FakeZaloOA.ACCESS_TOKEN,
            THANGLONG_ZALO_SEND_ATTEMPTS=1,
        ),
    ):
        assert notify.deliver(notification.pk) == NotificationStatus.SENT
    [message] = zalo.messages
    assert message["recipient"] == {"user_id": "8841234567"}
    assert message["message"]["text"] == notification.body


def test_anonymous_citizens_without_zalo_are_not_contacted(hanoi_force: dict[str, Any]) -> None:
    report = make_report(hanoi_force["cau_giay"], anonymous=True)
    workflow.transition(report, Status.IN_PROGRESS, hanoi_force["canbo.caugiay"])
    assert not Notification.objects.exists()


def test_sweep_requeues_rows_whose_retry_is_due(hanoi_force: dict[str, Any]) -> None:
    from django_tasks_db.models import DBTaskResult

    report = make_report(hanoi_force["cau_giay"])
    now = timezone.now()
    due = Notification.objects.create(
        report=report, channel="sms", recipient="0912345678", body="x", attempts=1
    )
    Notification.objects.filter(pk=due.pk).update(next_attempt_at=now - timedelta(seconds=1))
    Notification.objects.create(
        report=report,
        channel="sms",
        recipient="0912345678",
        body="y",
        next_attempt_at=now + timedelta(hours=1),
    )
    before = DBTaskResult.objects.filter(task_path=deliver_notification.module_path).count()
    assert notify.retry_due(now) == 1
    assert DBTaskResult.objects.filter(task_path=deliver_notification.module_path).count() == before + 1


@pytest.mark.parametrize("phone", ["0912345678", "+84 912 345 678", "84912345678", "091.234.5678"])
def test_phone_numbers_are_sent_in_the_gateways_format(phone: str) -> None:
    assert normalise_phone(phone) == "84912345678"


def test_landlines_and_garbage_are_refused_for_good() -> None:
    with pytest.raises(DeliveryError) as refused:
        normalise_phone("024 3825")
    assert refused.value.permanent
