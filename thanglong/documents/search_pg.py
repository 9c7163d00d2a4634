"""The search index on PostgreSQL full text: the server option for a city deployment.

Same behaviour as the embedded FTS5 index (``search.Fts5Index``) behind the same Protocol, in a table
of the main database (migration 0002, PostgreSQL only): two ``tsvector`` columns — as written and
accent-folded — with GIN indexes, the ``simple`` configuration (no stemming: Vietnamese has none),
phrases with ``<->``, exact matches weighted ten times, the same unit/clearance/type filters and the
same cap on how many newest candidates are ranked. Writes join the caller's transaction, so the index
never disagrees with the database. Chosen with ``THANGLONG_DOCUMENTS_SEARCH=postgres``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from thanglong.core.text import fold, nfc
from thanglong.documents.search import (
    RANK_CANDIDATES,
    ROWS_PER_DOCUMENT,
    Filters,
    Hit,
    IndexedPage,
    filter_conditions,
    has_diacritics,
    query_terms,
)

TABLE = "documents_search_page"


def _tsquery(terms: list[list[str]], *, folded: bool, operator: str = " & ") -> str:
    phrases = []
    for tokens in terms:
        words = [fold(token) if folded else token for token in tokens]
        words = [w for word in words for w in word.split() if w]  # folding may split "a-b"
        if words:
            phrases.append("(" + " <-> ".join(f"'{word}'" for word in words) + ")")
    return operator.join(phrases)


_INSERT = (
    f"INSERT INTO {TABLE} (id, document_id, page, unit_id, doc_type, agency, issued_on, "  # noqa: S608
    "clearance, tags, exact, folded) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, "
    "to_tsvector('simple', %s), to_tsvector('simple', %s))"
)


def _row(page: IndexedPage) -> list[Any]:
    return [
        page.document_id * ROWS_PER_DOCUMENT + page.page,
        page.document_id,
        page.page,
        page.unit_id,
        fold(page.doc_type),
        fold(page.agency),
        page.issued_on,
        page.clearance,
        "|" + "|".join(fold(tag) for tag in page.tags.split("|") if tag) + "|",
        nfc(page.text).lower(),
        fold(page.text),
    ]


class PostgresIndex:
    """``database``: a DB-API connection (psycopg); by default Django's, inside its transactions."""

    def __init__(self, database: Any = None) -> None:
        self._database = database

    def _cursor(self) -> Any:
        return (self._database or connection).cursor()

    def replace_document(self, document_id: int, pages: Iterable[IndexedPage]) -> None:
        with self._cursor() as cursor:
            self._delete(cursor, document_id)
            cursor.executemany(_INSERT, [_row(page) for page in pages])

    def add_many(self, pages: Iterable[IndexedPage], batch: int = 2000) -> int:
        written = 0
        buffer: list[list[Any]] = []
        with self._cursor() as cursor:
            for page in pages:
                buffer.append(_row(page))
                if len(buffer) >= batch:
                    cursor.executemany(_INSERT, buffer)
                    written, buffer = written + len(buffer), []
            if buffer:
                cursor.executemany(_INSERT, buffer)
                written += len(buffer)
        return written

    @staticmethod
    def _delete(cursor: Any, document_id: int) -> None:
        low = document_id * ROWS_PER_DOCUMENT
        cursor.execute(f"DELETE FROM {TABLE} WHERE id BETWEEN %s AND %s", [low, low + ROWS_PER_DOCUMENT - 1])  # noqa: S608

    def remove_document(self, document_id: int) -> None:
        with self._cursor() as cursor:
            self._delete(cursor, document_id)

    def clear(self) -> None:
        with self._cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608

    def count(self) -> int:
        with self._cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
            return int(cursor.fetchone()[0])

    def search(self, query: str, filters: Filters, limit: int = 20) -> list[Hit]:
        terms = query_terms(query)
        folded = _tsquery(terms, folded=True)
        if not folded:
            return []
        exact = _tsquery(terms, folded=False) if has_diacritics(query) else ""
        return self._run(folded, exact, filters, limit)

    def search_any(self, words: list[str], filters: Filters, limit: int = 20) -> list[Hit]:
        folded = _tsquery([[word] for word in words], folded=True, operator=" | ")
        return self._run(folded, "", filters, limit) if folded else []

    def _run(self, folded: str, exact: str, filters: Filters, limit: int) -> list[Hit]:
        where = ["clearance <= %s"]
        params: list[Any] = [filters.max_clearance]
        if exact:
            where.append("(folded @@ to_tsquery('simple', %s) OR exact @@ to_tsquery('simple', %s))")
            params += [folded, exact]
        else:
            where.append("folded @@ to_tsquery('simple', %s)")
            params.append(folded)
        if filters.unit_ids is not None:
            if not filters.unit_ids:
                return []
            where.append("unit_id = ANY(%s)")
            params.append(list(filters.unit_ids))
        if filters.doc_type:
            where.append("doc_type = %s")
            params.append(fold(filters.doc_type))
        where, params = filter_conditions(filters, "%s", where, params)
        rank = "ts_rank(folded, to_tsquery('simple', %s))"
        rank_params: list[Any] = [folded]
        if exact:
            rank += " + 10 * ts_rank(exact, to_tsquery('simple', %s))"
            rank_params.append(exact)
        sql = (
            f"SELECT document_id, page, {rank} AS score FROM ("  # noqa: S608 - fixed fragments only
            f"SELECT document_id, page, exact, folded FROM {TABLE} WHERE {' AND '.join(where)} "
            "ORDER BY id DESC LIMIT %s) AS candidates ORDER BY score DESC, document_id DESC"
        )
        with self._cursor() as cursor:
            cursor.execute(sql, [*rank_params, *params, RANK_CANDIDATES])
            rows = cursor.fetchall()
        hits: dict[int, Hit] = {}
        for document_id, page, score in rows:
            hit = hits.get(document_id)
            if hit is None:
                if len(hits) < limit:
                    hits[document_id] = Hit(int(document_id), int(page), float(score))
            else:
                hit.pages_matched += 1
                hit.extra_pages.append(int(page))
        return list(hits.values())
