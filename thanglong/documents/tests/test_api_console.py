"""API and console: uploads with bilingual errors, unit scope, classified records and their audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from thanglong.core.models import AuditEntry
from thanglong.documents.models import Document, Status
from thanglong.documents.tests.factories import make_document
from thanglong.documents.tests.samples import png_bytes

pytestmark = pytest.mark.django_db
URL = "/api/v1/documents"


def test_api_upload_accepts_good_files_and_explains_bad_ones(
    client: Client, hanoi_force: dict[str, Any]
) -> None:
    client.force_login(hanoi_force["canbo.caugiay"])
    files = [
        SimpleUploadedFile("trang-1.png", png_bytes()),
        SimpleUploadedFile("rong.pdf", b""),
        SimpleUploadedFile("ghi-chu.pdf", b"just text"),
    ]
    response = client.post(URL, {"files": files})
    assert response.status_code == 201, response.content
    body = response.json()
    assert [d["filename"] for d in body["documents"]] == ["trang-1.png"]
    assert body["documents"][0]["status"] == "queued" and body["documents"][0]["unit"] == "CAP-00166"
    assert {e["error"] for e in body["errors"]} == {"empty", "unsupported_type"}
    assert all(e["message_vi"] and e["message_en"] for e in body["errors"])


def test_api_upload_with_nothing_usable_is_422(client: Client, hanoi_force: dict[str, Any]) -> None:
    client.force_login(hanoi_force["canbo.caugiay"])
    assert client.post(URL, {"files": [SimpleUploadedFile("x.pdf", b"")]}).status_code == 422
    response = client.post(URL, {"files": [SimpleUploadedFile("x.png", png_bytes())], "unit": "CAP-00070"})
    assert response.status_code == 422  # an officer of Cầu Giấy cannot file into Hoàn Kiếm
    assert response.json()["errors"][0]["field"] == "unit"


def test_api_requires_a_signed_in_officer(client: Client) -> None:
    assert client.post(URL, {"files": [SimpleUploadedFile("x.png", png_bytes())]}).status_code == 401


def test_api_search_detail_and_correction(client: Client, hanoi_force: dict[str, Any]) -> None:
    document = make_document(
        hanoi_force["cau_giay"], "Quyết định thành lập tổ công tác", number="5/QĐ-CAP", doc_type="Quyết định"
    )
    client.force_login(hanoi_force["canbo.caugiay"])
    hits = client.get(URL, {"q": "quyet dinh thanh lap"}).json()
    assert [h["document"]["id"] for h in hits] == [document.pk]
    assert client.get(f"{URL}/{document.pk}").json()["pages"][0]["text"].startswith("Quyết định")
    response = client.post(
        f"{URL}/{document.pk}/corrections",
        {"field": "issued_on", "value": "2024-06-01"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["issued_on"] == "2024-06-01"
    bad = client.post(
        f"{URL}/{document.pk}/corrections",
        {"field": "issued_on", "value": "1/6"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["message_vi"]


def test_other_units_documents_are_not_found(client: Client, hanoi_force: dict[str, Any]) -> None:
    theirs = make_document(hanoi_force["hoan_kiem"], "Báo cáo tình hình Hoàn Kiếm")
    client.force_login(hanoi_force["canbo.caugiay"])
    assert client.get(f"{URL}/{theirs.pk}").status_code == 404
    assert client.get(f"/console/documents/{theirs.pk}/").status_code == 404


def test_a_classified_record_is_hidden_from_officers_and_every_read_is_audited(
    client: Client, hanoi_force: dict[str, Any]
) -> None:
    secret = make_document(hanoi_force["cau_giay"], "Kế hoạch bảo vệ mục tiêu", security="mat")
    client.force_login(hanoi_force["canbo.caugiay"])
    assert client.get(f"/console/documents/{secret.pk}/").status_code == 404
    assert client.get(f"/console/documents/{secret.pk}/pages/1/image/").status_code == 404

    client.force_login(hanoi_force["lanhdao.caugiay"])
    before = AuditEntry.objects.filter(object_type="documents.document", object_id=str(secret.pk)).count()
    assert client.get(f"/console/documents/{secret.pk}/").status_code == 200
    assert client.get(f"/console/documents/{secret.pk}/pages/1/?q=muc+tieu").status_code == 200
    entries = AuditEntry.objects.filter(object_type="documents.document", object_id=str(secret.pk))
    assert entries.count() == before + 2
    client.get("/console/documents/", {"q": "muc tieu"})  # listed in results: a read too
    listed = entries.filter(action="search").get()
    assert listed.reason == "muc tieu"
    assert {entry.actor for entry in entries} == {hanoi_force["lanhdao.caugiay"]}


def test_an_officer_cannot_mark_above_their_clearance(client: Client, hanoi_force: dict[str, Any]) -> None:
    document = make_document(hanoi_force["cau_giay"], "Công văn thường")
    client.force_login(hanoi_force["canbo.caugiay"])
    client.post(f"/console/documents/{document.pk}/correct/", {"security": "toi_mat"})
    assert Document.objects.get(pk=document.pk).security == ""


def test_console_upload_many_files_then_batch_status_polls(
    client: Client, hanoi_force: dict[str, Any]
) -> None:
    client.force_login(hanoi_force["canbo.caugiay"])
    files = [
        SimpleUploadedFile("a.png", png_bytes((40, 30))),
        SimpleUploadedFile("b.png", png_bytes((41, 30))),
    ]
    response = client.post("/console/documents/upload/", {"files": files})
    assert response.status_code == 302
    page = client.get(response["Location"])
    content = page.content.decode()
    assert content.count('hx-trigger="every 2s"') == 2
    document = Document.objects.get(filename="a.png")
    Document.objects.filter(pk=document.pk).update(status=Status.FAILED, failure="corrupt")
    row = client.get(f"/console/documents/{document.pk}/status/").content.decode()
    assert "hx-trigger" not in row and "hỏng" in row


def test_batch_row_of_a_marked_record_hides_its_fields_until_opened(
    client: Client, hanoi_force: dict[str, Any]
) -> None:
    """The polled row shows no number of a marked record: reading it happens on the audited page."""
    document = make_document(hanoi_force["cau_giay"], "Kế hoạch bảo vệ mục tiêu", security="mat")
    Document.objects.filter(pk=document.pk).update(status=Status.DONE, number="77/KH-CAP")
    client.force_login(hanoi_force["lanhdao.caugiay"])
    before = AuditEntry.objects.count()
    row = client.get(f"/console/documents/{document.pk}/status/")
    assert row.status_code == 200
    content = row.content.decode()
    assert "77/KH-CAP" not in content and f"/console/documents/{document.pk}/" in content
    assert AuditEntry.objects.count() == before
    client.get(f"/console/documents/{document.pk}/")
    assert AuditEntry.objects.count() == before + 1


def test_console_search_page_highlight_and_tags(
    client: Client, hanoi_force: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    document = make_document(hanoi_force["cau_giay"], "Kế hoạch tuần tra đêm khu vực hồ Nghĩa Tân")
    client.force_login(hanoi_force["canbo.caugiay"])
    listing = client.get("/console/documents/", {"q": "nghia tan"}).content.decode()
    assert f"/console/documents/{document.pk}/" in listing and "<mark>Nghĩa Tân</mark>" in listing
    page = client.get(f"/console/documents/{document.pk}/pages/1/", {"q": "nghia tan"}).content.decode()
    assert page.count('class="page-hit"') == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/console/documents/{document.pk}/organise/", {"tags": "tuần tra, đêm", "retention_years": "10"}
        )
    document.refresh_from_db()
    assert sorted(t.name for t in document.tags.all()) == ["tuần tra", "đêm"]
    assert document.retain_until is not None and document.retain_until.year == 2034
    tagged = client.get("/console/documents/", {"q": "nghia tan", "tag": "đêm"}).content.decode()
    assert tagged.count('class="result document-result"') == 1
    other = client.get("/console/documents/", {"q": "nghia tan", "tag": "ngày"}).content.decode()
    assert other.count('class="result document-result"') == 0


def test_a_failed_document_can_be_queued_again(client: Client, hanoi_force: dict[str, Any]) -> None:
    import io

    from django_tasks_db.models import DBTaskResult

    from thanglong.documents.services import intake

    document = intake.ingest(io.BytesIO(png_bytes()), "a.png", unit=hanoi_force["cau_giay"])
    Document.objects.filter(pk=document.pk).update(status=Status.FAILED, failure="ocr_error", attempts=1)
    client.force_login(hanoi_force["canbo.caugiay"])
    assert "Nhận dạng lại" in client.get(f"/console/documents/{document.pk}/").content.decode()
    response = client.post(f"/console/documents/{document.pk}/reprocess/")
    assert response.status_code == 302 and response["Location"].endswith(f"?ids={document.pk}")
    document.refresh_from_db()
    assert (document.status, document.failure, document.attempts) == (Status.QUEUED, "", 0)
    assert DBTaskResult.objects.filter(args_kwargs__args=[document.pk]).count() == 2
    client.post(f"/console/documents/{document.pk}/reprocess/")  # still queued: refused, nothing added
    assert DBTaskResult.objects.filter(args_kwargs__args=[document.pk]).count() == 2
