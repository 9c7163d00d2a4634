"""Full-text search over OCR'd pages: accent-insensitive, exact-diacritic matches ranked first.

The embedded default is SQLite FTS5 in a file of its own (``THANGLONG_DOCUMENTS_INDEX``), beside
either database: no server, and rebuilt from the database by ``thanglong documents reindex`` at any
time (the database is the truth; the index is derived). Each page is indexed twice — as written
(lower-cased, tone marks kept) and accent-folded (``đ`` → ``d``, FTS5's own folding misses it) —
and BM25 weighs the exact column ten times the folded one, so "Quyết định" ranks pages with
"Quyết định" above pages with "quyết đính" while "quyet dinh" finds both.

Scoping is done in the index (unit and clearance columns) so a page of results is always full.
A server deployment implements :class:`SearchIndex` on PostgreSQL full text (see README).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from thanglong.core.text import fold, nfc, strip_accents

ROWS_PER_DOCUMENT = 100_000  # rowid = document id * this + page number: a document's rows are a range
# BM25 is computed for at most this many matching pages, newest first. FTS5 must score every match
# to order by rank, and a query of everyday words ("quyết định") matches most of an archive; walking
# the match list in rowid order stops early, so a broad query costs the same at 10^5 or 10^7 pages
# and ranks the most recent candidates. Selective queries (fewer matches) are ranked exactly.
RANK_CANDIDATES = 1000
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass
class IndexedPage:
    document_id: int
    page: int
    text: str
    unit_id: int
    doc_type: str = ""
    agency: str = ""
    issued_on: str = ""
    clearance: int = 0  # 0 ordinary … 3 tuyệt mật
    tags: str = ""


@dataclass
class Filters:
    doc_type: str = ""
    agency: str = ""
    date_from: str = ""
    date_to: str = ""
    unit_ids: Sequence[int] | None = None  # None: every unit
    tag: str = ""
    max_clearance: int = 0
    exclude_document: int | None = None


@dataclass
class Hit:
    document_id: int
    page: int
    score: float
    pages_matched: int = 1
    extra_pages: list[int] = field(default_factory=list)


class SearchIndex(Protocol):
    def replace_document(self, document_id: int, pages: Iterable[IndexedPage]) -> None: ...
    def remove_document(self, document_id: int) -> None: ...
    def search(self, query: str, filters: Filters, limit: int = 20) -> list[Hit]: ...
    def search_any(self, words: list[str], filters: Filters, limit: int = 20) -> list[Hit]: ...
    def clear(self) -> None: ...
    def count(self) -> int: ...


def has_diacritics(text: str) -> bool:
    return strip_accents(nfc(text)) != nfc(text)


def query_terms(query: str) -> list[list[str]]:
    """User words as phrases of index tokens: "123/QĐ-CAHN" is the phrase "123 qđ cahn"."""
    return [tokens for word in nfc(query).split() if (tokens := _TOKEN.findall(word.lower()))]


def _phrase(tokens: list[str]) -> str:
    return '"' + " ".join(token.replace('"', "") for token in tokens) + '"'


def match_expression(query: str) -> str:
    terms = query_terms(query)
    if not terms:
        return ""
    folded = " AND ".join(f"folded : {_phrase([fold(t) for t in tokens])}" for tokens in terms)
    if not has_diacritics(query):
        return folded
    exact = " AND ".join(f"exact : {_phrase(tokens)}" for tokens in terms)
    return f"({exact}) OR ({folded})"


SCHEMA_VERSION = 2
_INSERT = (
    "INSERT INTO pages(rowid, exact, folded, scope, document_id, page, unit_id, doc_type, agency, "
    "issued_on, clearance, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _type_token(doc_type: str) -> str:
    return "t" + fold(doc_type).replace(" ", "")


def filter_conditions(
    filters: Filters, placeholder: str, where: list[str], params: list[object]
) -> tuple[list[str], list[object]]:
    """``where`` and ``params`` with the filters both indexes keep as columns (agency, dates, tag,
    excluded document); ``placeholder`` is the driver's (``?`` or ``%s``)."""
    if filters.agency:
        where.append(f"agency LIKE {placeholder}")
        params.append(f"%{fold(filters.agency)}%")
    if filters.date_from:
        where.append(f"issued_on >= {placeholder}")
        params.append(filters.date_from)
    if filters.date_to:
        where.append(f"issued_on <> '' AND issued_on <= {placeholder}")
        params.append(filters.date_to)
    if filters.tag:
        where.append(f"tags LIKE {placeholder}")
        params.append(f"%|{fold(filters.tag)}|%")
    if filters.exclude_document is not None:
        where.append(f"document_id <> {placeholder}")
        params.append(filters.exclude_document)
    return where, params


def _row(page: IndexedPage) -> tuple[object, ...]:
    # Unit, clearance and type are also tokens of an indexed column: FTS5 intersects their posting
    # lists with the query's instead of reading every candidate row's stored columns to filter it.
    scope = f"u{page.unit_id} c{page.clearance} {_type_token(page.doc_type)}"
    return (
        page.document_id * ROWS_PER_DOCUMENT + page.page,
        nfc(page.text).lower(),
        fold(page.text),
        scope,
        page.document_id,
        page.page,
        page.unit_id,
        fold(page.doc_type),
        fold(page.agency),
        page.issued_on,
        page.clearance,
        "|" + "|".join(fold(tag) for tag in page.tags.split("|") if tag) + "|",
    )


class Fts5Index:
    """SQLite FTS5 in its own file. Safe across threads and processes (WAL, one connection a thread)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            if connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                # An index from an older release: start empty; `thanglong documents reindex` refills it.
                connection.execute("DROP TABLE IF EXISTS pages")
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS pages USING fts5("
                "exact, folded, scope, document_id UNINDEXED, page UNINDEXED, unit_id UNINDEXED, "
                "doc_type UNINDEXED, agency UNINDEXED, issued_on UNINDEXED, clearance UNINDEXED, "
                "tags UNINDEXED, tokenize = 'unicode61 remove_diacritics 0')"
            )
            self._local.connection = connection
        return connection

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def replace_document(self, document_id: int, pages: Iterable[IndexedPage]) -> None:
        connection = self._connect()
        with connection:
            self._delete(connection, document_id)
            connection.executemany(_INSERT, [_row(page) for page in pages])

    def add_many(self, pages: Iterable[IndexedPage], batch: int = 2000) -> int:
        """Bulk load (reindex, benchmarks): no deletes, one transaction per batch."""
        connection = self._connect()
        written = 0
        buffer: list[IndexedPage] = []
        for page in pages:
            buffer.append(page)
            if len(buffer) >= batch:
                written += self._insert(connection, buffer)
                buffer = []
        if buffer:
            written += self._insert(connection, buffer)
        return written

    @staticmethod
    def _insert(connection: sqlite3.Connection, pages: list[IndexedPage]) -> int:
        with connection:
            connection.executemany(_INSERT, [_row(page) for page in pages])
        return len(pages)

    @staticmethod
    def _delete(connection: sqlite3.Connection, document_id: int) -> None:
        low = document_id * ROWS_PER_DOCUMENT
        connection.execute(
            "DELETE FROM pages WHERE rowid BETWEEN ? AND ?", (low, low + ROWS_PER_DOCUMENT - 1)
        )

    def remove_document(self, document_id: int) -> None:
        connection = self._connect()
        with connection:
            self._delete(connection, document_id)

    def clear(self) -> None:
        connection = self._connect()
        with connection:
            connection.execute("DELETE FROM pages")

    def optimize(self) -> None:
        connection = self._connect()
        with connection:
            connection.execute("INSERT INTO pages(pages) VALUES ('optimize')")

    def count(self) -> int:
        return int(self._connect().execute("SELECT count(*) FROM pages").fetchone()[0])

    def search(self, query: str, filters: Filters, limit: int = 20) -> list[Hit]:
        return self.search_expression(match_expression(query), filters, limit)

    def search_any(self, words: list[str], filters: Filters, limit: int = 20) -> list[Hit]:
        """Pages with any of ``words`` (folded), best first: the "similar documents" query."""
        return self.search_expression(similar_expression(words), filters, limit)

    def search_expression(self, expression: str, filters: Filters, limit: int = 20) -> list[Hit]:
        if not expression:
            return []
        scope = [" OR ".join(f"c{level}" for level in range(max(filters.max_clearance, 0) + 1))]
        if filters.unit_ids is not None:
            if not filters.unit_ids:
                return []
            scope.append(" OR ".join(f"u{int(unit)}" for unit in filters.unit_ids))
        if filters.doc_type:
            scope.append(_type_token(filters.doc_type))
        match = f"({expression}) AND " + " AND ".join(f"scope : ({part})" for part in scope)
        where = ["pages MATCH ?"]
        params: list[object] = [match]
        where, params = filter_conditions(filters, "?", where, params)
        # Pages, best first; several pages of one document fold into one hit.
        condition = " AND ".join(where)  # fixed fragments; every value is a placeholder
        sql = (
            "SELECT document_id, page, bm25(pages, 10.0, 1.0, 0.0) FROM pages "  # noqa: S608
            f"WHERE {condition} ORDER BY rowid DESC LIMIT ?"
        )
        params.append(RANK_CANDIDATES)
        rows = sorted(self._connect().execute(sql, params).fetchall(), key=lambda row: row[2])
        hits: dict[int, Hit] = {}
        for document_id, page, score in rows:
            hit = hits.get(document_id)
            if hit is None:
                if len(hits) < limit:
                    hits[document_id] = Hit(int(document_id), int(page), -float(score))
            else:
                hit.pages_matched += 1
                hit.extra_pages.append(int(page))
        return list(hits.values())


def significant_terms(text: str, count: int = 12) -> list[str]:
    """The words that make a document itself: long, frequent, not the boilerplate every document has."""
    frequency: dict[str, int] = {}
    for token in fold(text).split():
        if len(token) >= 4 and not token.isdigit() and token not in _BOILERPLATE:
            frequency[token] = frequency.get(token, 0) + 1
    ranked = sorted(frequency.items(), key=lambda item: (-item[1], -len(item[0]), item[0]))
    return [token for token, _ in ranked[:count]]


_BOILERPLATE = set(
    fold(
        "cộng hòa hội chủ nghĩa việt nam độc lập hạnh phúc ngày tháng năm công nơi nhận lưu "
        "theo thực hiện những các của được trong đồng thời việc này định điều khoản"
    ).split()
)


def similar_expression(terms: list[str]) -> str:
    return " OR ".join(f"folded : {_phrase(fold(term).split())}" for term in terms if fold(term))


def highlight_words(words: list[list[object]], query: str) -> list[list[object]]:
    """The page's OCR words that match the query (accent-insensitively), for boxes on the page image."""
    wanted = {fold(token) for tokens in query_terms(query) for token in tokens}
    wanted.discard("")
    return [word for word in words if wanted & set(fold(str(word[0])).split())]


def snippet(text: str, query: str, width: int = 180) -> tuple[str, str, str]:
    """(before, match, after) around the first accent-insensitive occurrence of a query word."""
    plain = nfc(text).replace("\n", " ")
    folded = "".join(strip_accents(ch).lower() or ch for ch in plain)  # one char per char: aligned
    terms = query_terms(query)
    phrases = [" ".join(token for tokens in terms for token in tokens)] + [" ".join(t) for t in terms]
    for phrase in phrases:
        needle = fold(phrase)
        if not needle:
            continue
        position = folded.find(needle)
        if position >= 0:
            start = max(0, position - width // 2)
            end = position + len(needle)
            return plain[start:position], plain[position:end], plain[end : end + width // 2]
    return plain[:width], "", ""
