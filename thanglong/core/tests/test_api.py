"""The core JSON API: public reference data, authentication and bilingual validation errors."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_is_public() -> None:
    response = Client().get("/api/v1/core/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_openapi_schema_lists_core_paths() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/core/provinces" in paths
    assert "/api/v1/core/address/normalise" in paths


def test_34_provinces_and_126_hanoi_wards() -> None:
    client = Client()
    provinces = client.get("/api/v1/core/provinces").json()
    assert len(provinces) == 34
    assert {"code": "01", "name": "Hà Nội"}.items() <= provinces[0].items()
    wards = client.get("/api/v1/core/provinces/01/wards").json()
    assert len(wards) == 126
    filtered = client.get("/api/v1/core/provinces/01/wards", {"q": "Cầu Giấy"}).json()
    assert [w["code"] for w in filtered] == ["00166"]


def test_unknown_province_is_404() -> None:
    assert Client().get("/api/v1/core/provinces/99/wards").status_code == 404


def test_units_need_login_with_bilingual_message() -> None:
    response = Client().get("/api/v1/core/units")
    assert response.status_code == 401
    body = response.json()
    assert body["message_vi"] and body["message_en"]


def test_units_are_scoped_to_the_officer(hanoi_force: dict) -> None:
    client = Client()
    client.force_login(hanoi_force["canbo.caugiay"])
    body = client.get("/api/v1/core/units").json()
    assert [u["code"] for u in body["items"]] == ["CAP-00166"]
    assert client.get("/api/v1/core/units/CAP-00070").status_code == 404


def test_validation_error_names_the_field_in_both_languages() -> None:
    response = Client().get("/api/v1/core/working-days", {"start": "not-a-date", "days": "x"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_input"
    fields = {item["field"] for item in body["fields"]}
    assert fields == {"start", "days"}
    assert "start" in body["message_vi"] and "start" in body["message_en"]


def test_working_days_endpoint() -> None:
    response = Client().get("/api/v1/core/working-days", {"start": "2026-11-20", "days": "1"})
    assert response.status_code == 200
    assert response.json()["end"] == "2026-11-23"  # Friday + 1 working day = Monday


def test_working_days_rejects_absurd_ranges() -> None:
    response = Client().get("/api/v1/core/working-days", {"start": "2026-11-20", "days": "99999"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_days"


def test_address_endpoint_rejects_empty_and_huge_input() -> None:
    client = Client()
    assert client.get("/api/v1/core/address/normalise", {"q": "   "}).status_code == 422
    assert client.get("/api/v1/core/address/normalise", {"q": "x" * 501}).status_code == 422


def test_address_endpoint_resolves_an_old_hanoi_address() -> None:
    response = Client().get(
        "/api/v1/core/address/normalise",
        {"q": "số 1 Trần Thái Tông, phường Dịch Vọng, quận Cầu Giấy, Hà Nội"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["province"]["code"] == "01"
    assert body["ward"]["code"] == "00166"
    assert body["legacy_district"] == "Cầu Giấy"


def test_divisions_import_job_is_for_administrators(hanoi_force: dict) -> None:
    client = Client()
    client.force_login(hanoi_force["canbo.caugiay"])
    assert client.post("/api/v1/core/jobs/import-divisions").status_code == 403


def test_administrator_enqueues_divisions_import_and_reads_its_status(hanoi_force: dict) -> None:
    """GIVEN an administrator WHEN they start the import THEN a queued job comes back, its status readable."""
    client = Client()
    client.force_login(hanoi_force["admin"])
    response = client.post("/api/v1/core/jobs/import-divisions")
    assert response.status_code == 202
    job = response.json()
    assert job["task"] == "import_divisions_task"
    assert job["status"] == "READY"
    status = client.get(f"/api/v1/core/jobs/{job['id']}")
    assert status.status_code == 200
    assert status.json()["id"] == job["id"]
    assert client.get("/api/v1/core/jobs/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/api/v1/core/jobs/not-a-uuid").status_code == 404
