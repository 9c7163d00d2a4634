"""Audit log: reads of personal data are recorded; entries can never be changed."""

from __future__ import annotations

import pytest
from django.test import Client

from thanglong.core.models import AuditAction, AuditEntry
from thanglong.core.models.audit import AuditLogIsAppendOnlyError
from thanglong.core.services import read_profile, record_audit

pytestmark = pytest.mark.django_db


def test_leader_reading_officer_profile_is_audit_logged(hanoi_force: dict) -> None:
    """GIVEN a ward leader WHEN they open an officer's profile via the API THEN the read is in the log."""
    client = Client()
    client.force_login(hanoi_force["lanhdao.caugiay"])
    before = AuditEntry.objects.count()

    response = client.get(
        "/api/v1/core/people/canbo.caugiay", {"reason": "kiểm tra hồ sơ"}, REMOTE_ADDR="10.1.2.3"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["id_number"] == "001090000005"
    assert body["personal_data_masked"] is False
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry is not None
    assert entry.actor == hanoi_force["lanhdao.caugiay"]
    assert entry.action == AuditAction.READ
    assert entry.object_type == "core.profile"
    assert entry.object_id == str(hanoi_force["canbo.caugiay"].pk)
    assert entry.fields == ["phone", "id_number"]
    assert entry.reason == "kiểm tra hồ sơ"
    assert entry.ip_address == "10.1.2.3"
    assert entry.path == "/api/v1/core/people/canbo.caugiay"


def test_officer_of_another_unit_sees_masked_data_and_no_read_is_logged(hanoi_force: dict) -> None:
    data = read_profile(hanoi_force["canbo.hoankiem"], hanoi_force["canbo.caugiay"])
    assert data["personal_data_masked"] is True
    assert data["id_number"] == "001*******05"
    assert data["phone"] == "091****678"
    assert not AuditEntry.objects.filter(action=AuditAction.READ).exists()


def test_leader_of_another_ward_is_not_entitled(hanoi_force: dict) -> None:
    data = read_profile(hanoi_force["lanhdao.caugiay"], hanoi_force["canbo.hoankiem"])
    assert data["personal_data_masked"] is True


def test_reading_own_profile_is_not_logged(hanoi_force: dict) -> None:
    data = read_profile(hanoi_force["canbo.caugiay"], hanoi_force["canbo.caugiay"])
    assert data["personal_data_masked"] is False
    assert not AuditEntry.objects.filter(action=AuditAction.READ).exists()


def test_entries_cannot_be_changed_or_deleted_through_the_orm(hanoi_force: dict) -> None:
    entry = record_audit(actor=hanoi_force["admin"], action=AuditAction.EXPORT, object_type="core.unit")
    entry.reason = "rewritten"
    with pytest.raises(AuditLogIsAppendOnlyError):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnlyError):
        entry.delete()


def test_login_and_failed_login_are_recorded(hanoi_force: dict) -> None:
    client = Client()
    assert client.login(username="canbo.caugiay", password="Test-password-123")
    assert not client.login(username="canbo.caugiay", password="wrong")
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert AuditAction.LOGIN in actions
    assert AuditAction.LOGIN_FAILED in actions


def test_audit_api_is_for_administrators_only(hanoi_force: dict) -> None:
    client = Client()
    client.force_login(hanoi_force["canbo.caugiay"])
    response = client.get("/api/v1/core/audit")
    assert response.status_code == 403
    assert "message_vi" in response.json()
    client.force_login(hanoi_force["admin"])
    record_audit(actor=hanoi_force["admin"], action=AuditAction.EXPORT, object_type="core.unit")
    response = client.get("/api/v1/core/audit")
    assert response.status_code == 200
    assert response.json()["count"] >= 1
