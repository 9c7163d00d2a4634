"""Archive search latency over 100,000 indexed pages: the embedded FTS5 index beside a LIKE scan.

Pages are synthetic (timing only): ~150 syllables each drawn with a Zipf-like skew from the
vocabulary of the official-document specimens in ``bench/data/documents`` plus common administrative
words, with what makes real pages selective mixed in — people's names, streets, document numbers
and dates — spread over 60 units, 8 document types and two years, 3 % classified. The index is the
one the application uses (``thanglong.documents.search.Fts5Index``, its own SQLite file); queries go
through ``Fts5Index.search`` as the console does: a third everyday words (matching most pages), a
third names or streets, a third document numbers; half without diacritics; some with the unit scope
of a ward officer (4 units) or a type and date filter; top 20.

With ``THANGLONG_BENCH_POSTGRES_URL`` set, the same pages and queries also go through the server
option, ``search_pg.PostgresIndex`` (PostgreSQL full text, GIN), in a schema of its own.

The baseline is what an archive without a full-text index does: the same folded text in an ordinary
table, ``LIKE '%word%'`` per word, same filters, newest 20 first, in the same SQLite build and run.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import re
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from thanglong.core.text import fold, strip_accents
from thanglong.documents.search import Filters, Fts5Index, IndexedPage

PAGES = 100_000
WORDS_PER_PAGE = 150
QUERIES = 300
BASELINE_QUERIES = 40
DATA = Path(__file__).resolve().parent / "data" / "documents"
TYPES = ["Quyết định", "Công văn", "Báo cáo", "Kế hoạch", "Thông báo", "Tờ trình", "Biên bản", "Giấy mời"]
EXTRA = (
    "công an phường xã thành phố quận huyện ủy ban nhân dân cán bộ chiến sĩ tuần tra kiểm soát giao thông "
    "trật tự an ninh hộ khẩu cư trú căn cước định danh tạm trú vi phạm xử phạt hành chính phòng cháy chữa "
    "cháy cứu nạn cứu hộ ma túy tội phạm điều tra khám phá tiếp công dân khiếu nại tố cáo kiến nghị đất đai "
    "xây dựng môi trường vệ sinh an toàn thực phẩm lễ hội pháp luật tuyên truyền phổ biến giáo dục"
)


def vocabulary() -> list[str]:
    words: list[str] = EXTRA.split()
    for path in sorted(DATA.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        text = " ".join(data["body"] + data["summary"] + data["header_left"])
        words += [w.lower() for w in re.findall(r"\w+", text) if len(w) > 1 and not w.isdigit()]
    seen: dict[str, None] = dict.fromkeys(words)
    return list(seen)


SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trịnh",
    "Mai",
    "Tạ",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Quang",
    "Thu",
    "Ngọc",
    "Thanh",
    "Xuân",
    "Kim",
    "Bảo",
    "Gia",
    "Tuấn",
    "Hồng",
]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hòa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Ngân",
    "Phúc",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Trung",
    "Tú",
    "Uyên",
    "Việt",
    "Vinh",
    "Yến",
]
STREETS = [
    "Trần Hưng Đạo",
    "Lê Duẩn",
    "Nguyễn Chí Thanh",
    "Kim Mã",
    "Đội Cấn",
    "Hoàng Quốc Việt",
    "Xuân Thủy",
    "Cầu Giấy",
    "Láng Hạ",
    "Giải Phóng",
    "Tôn Đức Thắng",
    "Hàng Bài",
    "Tràng Tiền",
    "Lý Thường Kiệt",
    "Bà Triệu",
    "Phố Huế",
    "Minh Khai",
    "Tam Trinh",
    "Nguyễn Trãi",
    "Khuất Duy Tiến",
    "Phạm Hùng",
    "Trần Duy Hưng",
    "Lạc Long Quân",
    "Âu Cơ",
    "Nghi Tàm",
    "Thụy Khuê",
]
SYMBOLS = ["QĐ-CAP", "KH-CAHN", "BC-PC02", "TB-UBND", "UBND-KT", "TTr-PA09", "CAHN-PV01", "BB-CAP"]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _number(rng: random.Random) -> str:
    return f"{rng.randint(1, 4999)}/{rng.choice(SYMBOLS)}"


def synthetic_pages(rng: random.Random, words: list[str]) -> list[IndexedPage]:
    weights = [1 / (rank + 8) for rank in range(len(words))]  # Zipf-like: a few words everywhere
    pages = []
    for number in range(PAGES):
        tokens = rng.choices(words, weights=weights, k=WORDS_PER_PAGE)
        for _ in range(3):  # the parts that make a page findable: who, where, which document
            entity = rng.choice([_name(rng), "phố " + rng.choice(STREETS), "số " + _number(rng)])
            tokens.insert(rng.randrange(len(tokens)), entity)
        text = " ".join(tokens)
        pages.append(
            IndexedPage(
                document_id=number // 3 + 1,
                page=number % 3 + 1,
                text=text,
                unit_id=rng.randint(1, 60),
                doc_type=rng.choice(TYPES),
                agency="",
                issued_on=f"{rng.choice([2024, 2025])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                clearance=1 if rng.random() < 0.03 else 0,
            )
        )
    return pages


def queries(rng: random.Random, words: list[str]) -> list[tuple[str, Filters]]:
    out = []
    for i in range(QUERIES):
        if i % 3 == 0:
            text = " ".join(rng.sample(words[:200], rng.choice([1, 2, 2, 3])))
        elif i % 3 == 1:
            text = _name(rng) if i % 2 else rng.choice(STREETS)
        else:
            text = _number(rng)
        if i % 2:
            text = strip_accents(text)
        filters = Filters()
        if i % 4 == 1:
            filters = Filters(unit_ids=rng.sample(range(1, 61), 4))
        elif i % 4 == 2:
            filters = Filters(doc_type=rng.choice(TYPES), date_from="2025-01-01")
        out.append((text, filters))
    return out


def _baseline_table(connection: sqlite3.Connection, pages: list[IndexedPage]) -> None:
    connection.execute(
        "CREATE TABLE plain (document_id INT, page INT, folded TEXT, unit_id INT, doc_type TEXT, "
        "issued_on TEXT, clearance INT)"
    )
    with connection:
        connection.executemany(
            "INSERT INTO plain VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (p.document_id, p.page, fold(p.text), p.unit_id, fold(p.doc_type), p.issued_on, p.clearance)
                for p in pages
            ],
        )


def _baseline_search(connection: sqlite3.Connection, query: str, filters: Filters) -> list[Any]:
    where, params = ["clearance <= ?"], [filters.max_clearance]
    for word in fold(query).split():
        where.append("folded LIKE ?")
        params.append(f"%{word}%")
    if filters.unit_ids is not None:
        where.append(f"unit_id IN ({','.join('?' * len(filters.unit_ids))})")
        params.extend(filters.unit_ids)
    if filters.doc_type:
        where.append("doc_type = ?")
        params.append(fold(filters.doc_type))
    if filters.date_from:
        where.append("issued_on >= ?")
        params.append(filters.date_from)
    sql = f"SELECT document_id, page FROM plain WHERE {' AND '.join(where)} ORDER BY issued_on DESC LIMIT 20"  # noqa: S608
    return connection.execute(sql, params).fetchall()


def _postgres(url: str, pages: list[IndexedPage], workload: list[tuple[str, Filters]]) -> list[Any]:
    """The server option on the same pages and queries; None when PostgreSQL cannot be reached."""
    import psycopg

    from thanglong.documents.search_pg import PostgresIndex

    schema = f"bench_documents_{os.getpid()}"
    migration = importlib.import_module("thanglong.documents.migrations.0002_postgres_search")
    with psycopg.connect(url, autocommit=True) as database:
        database.execute(f"CREATE SCHEMA {schema}")
        try:
            database.execute(f"SET search_path TO {schema}")
            for statement in migration.CREATE:
                database.execute(statement)
            index = PostgresIndex(database)
            started = time.perf_counter()
            index.add_many(pages)
            database.execute("VACUUM ANALYZE documents_search_page")
            build = time.perf_counter() - started
            for text, filters in workload[:20]:
                index.search(text, filters)
            samples = []
            for text, filters in workload:
                t0 = time.perf_counter()
                index.search(text, filters, limit=20)
                samples.append((time.perf_counter() - t0) * 1000)
        finally:
            database.execute(f"DROP SCHEMA {schema} CASCADE")
    return [samples, build]


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return statistics.median(ordered), p95, ordered[-1]


def run() -> dict[str, Any]:
    rng = random.Random(20251123)
    words = vocabulary()
    rng.shuffle(words)
    folder = Path(tempfile.mkdtemp(prefix="bench-docsearch-"))
    index = Fts5Index(folder / "index.sqlite3")
    pages = synthetic_pages(rng, words)
    started = time.perf_counter()
    index.add_many(pages)
    index.optimize()
    build_seconds = time.perf_counter() - started
    size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6

    workload = queries(rng, words)
    for text, filters in workload[:20]:  # warm the page cache
        index.search(text, filters)
    ours: list[float] = []
    hits: list[int] = []
    for text, filters in workload:
        t0 = time.perf_counter()
        found = index.search(text, filters, limit=20)
        ours.append((time.perf_counter() - t0) * 1000)
        hits.append(len(found))

    baseline_db = sqlite3.connect(folder / "plain.sqlite3")
    _baseline_table(baseline_db, pages)
    baseline: list[float] = []
    for text, filters in workload[:BASELINE_QUERIES]:
        t0 = time.perf_counter()
        _baseline_search(baseline_db, text, filters)
        baseline.append((time.perf_counter() - t0) * 1000)
    baseline_db.close()
    index.close()
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()

    o50, o95, omax = _percentiles(ours)
    b50, b95, bmax = _percentiles(baseline)
    table = [
        ["engine", "queries", "p50 ms", "p95 ms", "max ms"],
        ["FTS5 index (Thăng Long), all", len(ours), f"{o50:.1f}", f"{o95:.1f}", f"{omax:.1f}"],
    ]
    for label, remainder in (("everyday words", 0), ("names, streets", 1), ("document numbers", 2)):
        part = [ms for i, ms in enumerate(ours) if i % 3 == remainder]
        p50, p95, top = _percentiles(part)
        table.append([f"  of which {label}", len(part), f"{p50:.1f}", f"{p95:.1f}", f"{top:.1f}"])
    table.append(["LIKE scan (baseline)", len(baseline), f"{b50:.1f}", f"{b95:.1f}", f"{bmax:.1f}"])
    postgres_url = os.environ.get("THANGLONG_BENCH_POSTGRES_URL", "")
    postgres_note = "PostgreSQL server option: set THANGLONG_BENCH_POSTGRES_URL to measure it"
    if postgres_url:
        samples, build = _postgres(postgres_url, pages, workload)
        q50, q95, qmax = _percentiles(samples)
        table.insert(
            5,
            ["PostgreSQL full text (server option)", len(samples), f"{q50:.1f}", f"{q95:.1f}", f"{qmax:.1f}"],
        )
        postgres_note = f"PostgreSQL: {PAGES:,} pages loaded and analysed in {build:.0f} s"
    notes = [
        f"{PAGES:,} pages x ~{WORDS_PER_PAGE} syllables + 3 names/streets/numbers each, "
        f"{len(words)} everyday words; index built in "
        f"{build_seconds:.0f} s, {size_mb:.0f} MB on disk",
        f"median hits per query {statistics.median(hits):.0f} (top 20, documents folded), "
        f"{sum(1 for h in hits if h == 0)} queries with none",
        f"p95 speed-up over the LIKE scan: x{b95 / o95:.0f}; goal p95 <= 100 ms",
        postgres_note,
    ]
    return {"table": table, "notes": notes, "p50_ms": o50, "p95_ms": o95, "baseline_p95_ms": b95}
