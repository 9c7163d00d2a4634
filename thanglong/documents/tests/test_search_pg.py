"""The PostgreSQL full-text index behaves like the embedded one (runs in the PostgreSQL test pass)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from thanglong.documents.search import Filters, IndexedPage
from thanglong.documents.services.archive import SearchRequest, search_documents, similar_documents
from thanglong.documents.tests.factories import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(settings: Any) -> Any:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full text: runs with DATABASE_URL on PostgreSQL")
    settings.THANGLONG_DOCUMENTS_SEARCH = "postgres"
    from thanglong.documents.search_pg import PostgresIndex

    index = PostgresIndex()
    for page in [
        IndexedPage(1, 1, "Quyết định thành lập tổ công tác", unit_id=1, doc_type="Quyết định"),
        IndexedPage(2, 1, "Kết quả quyết đính sai dấu do nhận dạng", unit_id=1),
        IndexedPage(3, 1, "Đường Đê La Thành ngập úng", unit_id=2, issued_on="2023-01-05", tags="ngập"),
        IndexedPage(4, 1, "Số: 123/QĐ-CAHN về đảm bảo an ninh", unit_id=2, clearance=1),
    ]:
        index.replace_document(page.document_id, [page])
    return index


def test_accents_exact_first_phrases_and_filters(index: Any) -> None:
    assert {h.document_id for h in index.search("quyet dinh", Filters())} == {1, 2}
    assert [h.document_id for h in index.search("quyết đính", Filters())] == [2, 1]
    assert [h.document_id for h in index.search("quyết định", Filters())] == [1, 2]
    assert [h.document_id for h in index.search("duong de la thanh", Filters())] == [3]
    assert index.search("123/QĐ-CAHN", Filters()) == []  # classified
    assert [h.document_id for h in index.search("123/qd-cahn", Filters(max_clearance=1))] == [4]
    assert index.search("ngap", Filters(unit_ids=[1])) == []
    assert [h.document_id for h in index.search("ngap", Filters(tag="Ngập", date_from="2023-01-01"))] == [3]
    assert [h.document_id for h in index.search("quyet", Filters(doc_type="Quyết định"))] == [1]
    index.replace_document(1, [IndexedPage(1, 1, "nội dung mới", unit_id=1)])
    assert index.search("thanh lap", Filters()) == []
    assert index.search("it's ' & | !", Filters()) == []  # query syntax is data


def test_the_archive_services_work_on_postgres(index: Any, hanoi_force: dict[str, Any]) -> None:
    unit = hanoi_force["cau_giay"]
    base = make_document(
        unit, "Phòng cháy chữa cháy chung cư mini, kiểm tra bình chữa cháy và lối thoát hiểm"
    )
    related = make_document(unit, "Kiểm tra phòng cháy chữa cháy tại chung cư mini, lối thoát hiểm bị khoá")
    make_document(unit, "Đăng ký tạm trú cho sinh viên thuê nhà", security="mat")
    officer = hanoi_force["canbo.caugiay"]
    found = search_documents(officer, SearchRequest(query="chung cu mini"))
    assert {r.document.pk for r in found} == {base.pk, related.pk}
    assert search_documents(officer, SearchRequest(query="tam tru")) == []
    assert [
        r.document.pk
        for r in search_documents(hanoi_force["lanhdao.caugiay"], SearchRequest(query="tam tru"))
    ]
    assert [r.document.pk for r in similar_documents(officer, base)][:1] == [related.pk]
