"""The embedded index: accent-insensitive matching, exact diacritics first, filters, unit/clearance scope."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from thanglong.documents.search import (
    Filters,
    Fts5Index,
    IndexedPage,
    highlight_words,
    match_expression,
    snippet,
)
from thanglong.documents.services import archive
from thanglong.documents.services.archive import SearchRequest, search_documents
from thanglong.documents.tests.factories import make_document


def _index(tmp_path: Path) -> Fts5Index:
    index = Fts5Index(tmp_path / "fts.sqlite3")
    index.add_many(
        [
            IndexedPage(1, 1, "Quyết định thành lập tổ công tác", unit_id=1, doc_type="Quyết định"),
            IndexedPage(2, 1, "Kết quả quyết đính sai dấu do nhận dạng", unit_id=1),
            IndexedPage(3, 1, "Đường Đê La Thành ngập úng", unit_id=2, issued_on="2023-01-05", tags="ngập"),
            IndexedPage(4, 1, "Số: 123/QĐ-CAHN về đảm bảo an ninh", unit_id=2, clearance=1),
        ]
    )
    return index


def test_a_query_without_accents_finds_every_spelling(tmp_path: Path) -> None:
    hits = _index(tmp_path).search("quyet dinh", Filters())
    assert {hit.document_id for hit in hits} == {1, 2}


def test_exact_diacritics_rank_first(tmp_path: Path) -> None:
    index = _index(tmp_path)
    assert [hit.document_id for hit in index.search("quyết đính", Filters())] == [2, 1]
    assert [hit.document_id for hit in index.search("quyết định", Filters())] == [1, 2]


def test_d_with_stroke_folds_to_d(tmp_path: Path) -> None:
    assert [hit.document_id for hit in _index(tmp_path).search("duong de la thanh", Filters())] == [3]


def test_document_numbers_are_found_as_phrases(tmp_path: Path) -> None:
    index = _index(tmp_path)
    assert [h.document_id for h in index.search("123/QĐ-CAHN", Filters(max_clearance=1))] == [4]
    assert [h.document_id for h in index.search("123/qd-cahn", Filters(max_clearance=1))] == [4]


def test_filters_and_scope(tmp_path: Path) -> None:
    index = _index(tmp_path)
    assert index.search("an ninh", Filters()) == []  # classified: clearance 0 does not see it
    assert index.search("ngap", Filters(unit_ids=[1])) == []
    assert [h.document_id for h in index.search("ngap", Filters(tag="Ngập", date_from="2023-01-01"))] == [3]
    assert index.search("ngap", Filters(date_to="2022-12-31")) == []
    assert [h.document_id for h in index.search("quyet", Filters(doc_type="Quyết định"))] == [1]


def test_replacing_a_document_removes_its_old_pages(tmp_path: Path) -> None:
    index = _index(tmp_path)
    index.replace_document(1, [IndexedPage(1, 1, "nội dung mới", unit_id=1)])
    assert index.search("quyet dinh thanh lap", Filters()) == []
    assert [h.document_id for h in index.search("noi dung moi", Filters())] == [1]


def test_query_syntax_is_not_interpreted() -> None:
    assert match_expression('" OR * NEAR(') == 'folded : "or" AND folded : "near"'
    assert match_expression('"*') == ""
    assert match_expression("a OR b") == 'folded : "a" AND folded : "or" AND folded : "b"'


def test_highlight_and_snippet_are_accent_insensitive() -> None:
    words: list[list[Any]] = [["Quyết", 0, 0, 5, 5, 90], ["định", 6, 0, 9, 5, 90], ["khác", 10, 0, 14, 5, 90]]
    assert [w[0] for w in highlight_words(words, "quyet dinh")] == ["Quyết", "định"]
    before, match, after = snippet("Căn cứ Quyết định số 5 của Giám đốc", "quyet dinh")
    assert (before, match) == ("Căn cứ ", "Quyết định")
    assert after.startswith(" số 5")


@pytest.mark.django_db
def test_officers_see_their_units_and_leaders_see_classified(hanoi_force: dict[str, Any]) -> None:
    mine = make_document(
        hanoi_force["cau_giay"], "Kế hoạch tuần tra đêm phường Cầu Giấy", doc_type="Kế hoạch"
    )
    secret = make_document(
        hanoi_force["cau_giay"], "Kế hoạch tuần tra bí mật", doc_type="Kế hoạch", security="mat"
    )
    make_document(hanoi_force["hoan_kiem"], "Kế hoạch tuần tra Hoàn Kiếm", doc_type="Kế hoạch")

    def found(user: Any, **kwargs: Any) -> set[int]:
        return {
            r.document.pk for r in search_documents(user, SearchRequest(query="ke hoach tuan tra", **kwargs))
        }

    assert found(hanoi_force["canbo.caugiay"]) == {mine.pk}
    assert found(hanoi_force["lanhdao.caugiay"]) == {mine.pk, secret.pk}
    assert len(found(hanoi_force["chihuy"])) == 3
    assert found(hanoi_force["chihuy"], unit_id=hanoi_force["hoan_kiem"].pk) - {mine.pk, secret.pk}
    assert found(hanoi_force["canbo.caugiay"], unit_id=hanoi_force["hoan_kiem"].pk) == set()
    assert found(hanoi_force["chihuy"], date_from=dt.date(2025, 1, 1)) == set()


@pytest.mark.django_db
def test_similar_documents_share_distinctive_words(hanoi_force: dict[str, Any]) -> None:
    unit = hanoi_force["cau_giay"]
    base = make_document(
        unit, "Phòng cháy chữa cháy chung cư mini, kiểm tra bình chữa cháy và lối thoát hiểm"
    )
    related = make_document(unit, "Kiểm tra phòng cháy chữa cháy tại chung cư mini, lối thoát hiểm bị khoá")
    make_document(unit, "Đăng ký tạm trú cho sinh viên thuê nhà")
    similar = archive.similar_documents(hanoi_force["lanhdao.caugiay"], base)
    assert [r.document.pk for r in similar][:1] == [related.pk]
