"""The public read API and pages: only published versions, accent-insensitive search, bilingual 404."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.test import Client

from thanglong.procedures import services
from thanglong.procedures.models import ProcedureVersion, VersionStatus

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def catalogue(tmp_path: Path) -> None:
    for name, code in [("portal_1.004194_cut.txt", "1.004194"), ("portal_2.001178.txt", "2.001178")]:
        shutil.copy(FIXTURES / name, tmp_path / f"doc_congdan_{code}.txt")
    services.import_portal_pages(tmp_path)


def test_list_and_accent_insensitive_search(catalogue: None) -> None:
    client = Client()
    body = client.get("/api/v1/procedures").json()
    assert {item["code"] for item in body} == {"1.004194", "2.001178"}
    assert set(body[0]) >= {"code", "name", "area", "level", "source", "needs_review"}
    found = client.get("/api/v1/procedures", {"q": "dang ky tam tru"}).json()
    assert [item["code"] for item in found] == ["1.004194"]
    assert client.get("/api/v1/procedures", {"q": "ĐĂNG KÝ TẠM TRÚ"}).json()[0]["code"] == "1.004194"


def test_detail_serves_the_published_version(catalogue: None) -> None:
    body = Client().get("/api/v1/procedures/1.004194").json()
    assert body["name"] == "Đăng ký tạm trú"
    assert body["source"] == "portal" and body["needs_review"] is True
    assert len(body["steps"]) == 5
    assert body["documents"][0]["form_codes"] == ["CT01"]
    assert [fee["amount_vnd"] for fee in body["fees"]][:2] == [10000, 15000]
    assert {c["number"] for c in body["legal_basis"]} >= {"66/2023/TT-BCA", "154/2024/NĐ-CP"}
    assert body["channels"][0]["kind"] == "in_person"
    assert body["reviewed_at"] is None


def test_unknown_levy_is_null_not_zero(catalogue: None) -> None:
    fees = Client().get("/api/v1/procedures/2.001178").json()["fees"]
    assert fees == [
        {
            "kind": "le_phi",
            "amount_vnd": None,
            "amount_known": False,
            "amount_text": "",
            "description": "Trang nguồn không ghi số tiền.",
            "channel": "in_person",
            "exemption": "",
        }
    ]


def test_unknown_code_is_a_bilingual_404() -> None:
    response = Client().get("/api/v1/procedures/9.999999")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found" and body["message_vi"] and body["message_en"]


def test_drafts_are_never_served(catalogue: None) -> None:
    ProcedureVersion.objects.filter(procedure__code="2.001178").update(status=VersionStatus.DRAFT)
    client = Client()
    assert client.get("/api/v1/procedures/2.001178").status_code == 404
    assert [item["code"] for item in client.get("/api/v1/procedures").json()] == ["1.004194"]
    assert client.get("/procedures/2.001178/").status_code == 404


def test_public_pages(catalogue: None) -> None:
    client = Client()
    listing = client.get("/procedures/", {"q": "tam tru"})
    assert listing.status_code == 200
    assert "Đăng ký tạm trú" in listing.content.decode()
    detail = client.get("/procedures/2.001178/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "DC02" in html and "chưa rõ mức thu" in html
