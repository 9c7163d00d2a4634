"""City-scale camera events: ``thanglong cameras scale`` (and ``thanglong demo --scale city``) tops the
event table up to N plate reads (default 5,000,000) over the last 60 days, so search and routes can be
measured at the size of Hà Nội.

Vehicles are drawn from a pool with a heavy head (some cars pass cameras every day, most a few times),
cameras weighted (arterial roads busier), hours of the day like traffic. Rows go straight into the
table: PostgreSQL's COPY, batched inserts elsewhere. A load generator for demo and benchmark
databases, never run against real data. Needs cameras (``thanglong demo``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from thanglong.cameras.models import Camera, CameraEvent

Out = Callable[[str], None]
CITY_EVENTS = 5_000_000
BATCH = 10_000
HANOI_CODES = ["29", "30", "30", "30", "31", "32", "33", "40", "88", "89", "99", "14", "17", "34", "36"]
SERIES = "ABCDEFGHKLMNPSTUVXYZ"
HOUR_WEIGHTS = [1, 1, 1, 1, 2, 4, 8, 12, 11, 8, 7, 7, 7, 7, 7, 8, 10, 12, 11, 8, 6, 4, 3, 2]
COLUMNS = [
    "camera_id",
    "kind",
    "observed_at",
    "received_at",
    "ward_id",
    "plate_text",
    "plate_folded",
    "confidence",
    "attributes",
    "snapshot",
    "crop",
    "source",
    "external_id",
    "keep",
]


def plate(rng: random.Random) -> tuple[str, str]:
    """A Hanoi-like plate: ``30A-123.45`` (car) or ``29B1-234.56`` (motorbike), and its folded form."""
    code = rng.choice(HANOI_CODES)
    digits = f"{rng.randrange(100000):05d}"
    if rng.random() < 0.55:
        series = rng.choice(SERIES) + str(rng.randrange(1, 10))
    else:
        series = rng.choice(SERIES) + (rng.choice(SERIES) if rng.random() < 0.05 else "")
    text = f"{code}{series}-{digits[:3]}.{digits[3:]}"
    return text, f"{code}{series}{digits}"


def rows(
    total: int,
    cameras: list[tuple[int, str]],
    now: datetime,
    *,
    days: int = 60,
    seed: int = 2026,
    vehicles: int = 400_000,
) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)  # noqa: S311 — reproducible demo data
    pool = [plate(rng) for _ in range(vehicles)]
    camera_weights = [rng.paretovariate(1.5) for _ in cameras]
    span = days * 86400
    attributes = json.dumps({"colour": "white", "rows": 1})
    hours = list(range(24))
    for start in range(0, total, BATCH):
        size = min(BATCH, total - start)
        picks = rng.choices(cameras, weights=camera_weights, k=size)
        day_offsets = [rng.randrange(days) for _ in range(size)]
        hour_picks = rng.choices(hours, weights=HOUR_WEIGHTS, k=size)
        for (camera_id, ward_id), day, hour in zip(picks, day_offsets, hour_picks, strict=True):
            # A power law on the pool: a few vehicles pass often, most rarely.
            text, folded = pool[min(vehicles - 1, int(vehicles * rng.random() ** 2.5))]
            seconds = day * 86400 + hour * 3600 + rng.randrange(3600)
            observed = now - timedelta(seconds=span - seconds)
            if observed > now:
                observed = now - timedelta(seconds=rng.randrange(3600))
            yield (
                camera_id,
                "plate",
                observed,
                observed + timedelta(seconds=2),
                ward_id,
                text,
                folded,
                round(0.6 + 0.4 * rng.random(), 3),
                attributes,
                "",
                "",
                "worker",
                "",
                False,
            )


def generate(total: int = CITY_EVENTS, *, out: Out = print, progress: bool = True, days: int = 60) -> int:
    """Top the event table up to ``total`` rows; returns how many were added."""
    from tqdm import tqdm

    existing = CameraEvent.objects.count()
    count = max(0, total - existing)
    if count == 0:
        out(f"  camera events: already {existing}, nothing to add")
        return 0
    cameras = list(Camera.objects.order_by("pk").values_list("pk", "ward_id"))
    if not cameras:
        out("  camera events: no cameras — run `thanglong demo` first")
        return 0
    out(f"  camera events: generating {count:,} plate reads over {days} days on {len(cameras)} cameras…")
    bar = tqdm(total=count, disable=not progress, unit=" events", desc="camera events")
    source = rows(count, cameras, timezone.now(), days=days)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Loading more than the table holds: drop the secondary indexes and build them once at the
            # end (several times faster than maintaining four B-trees row by row). In the transaction,
            # so a failed load leaves them as they were.
            rebuild = _drop_indexes() if count > existing else []
            _copy(source, bar)
            bar.close()
            if rebuild:
                out(f"  camera events: rebuilding {len(rebuild)} indexes…")
                with connection.cursor() as cursor:
                    # Django's foreign keys are deferred: check them now, CREATE INDEX refuses to run
                    # with the checks still pending.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    for statement in rebuild:
                        cursor.execute(statement)
        else:
            _insert(source, bar)
    bar.close()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cameras_cameraevent")
    out(f"  camera events: {count:,} added ({existing + count:,} in all)")
    return count


def _drop_indexes() -> list[str]:
    """Drop the event table's plain (non-unique) indexes; returns the statements that recreate them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cameras_cameraevent' "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _name, definition in indexes]


def _copy(source: Iterator[tuple[Any, ...]], bar: Any) -> None:
    names = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        with cursor.copy(f"COPY cameras_cameraevent ({names}) FROM STDIN") as copy:
            for index, row in enumerate(source, start=1):
                copy.write_row(row)
                if index % BATCH == 0:
                    bar.update(BATCH)
        bar.update(bar.total - bar.n)


def _insert(source: Iterator[tuple[Any, ...]], bar: Any) -> None:
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        f"INSERT INTO cameras_cameraevent ({', '.join(quote(c) for c in COLUMNS)}) "  # noqa: S608 — our columns
        f"VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    )
    chunk: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in source:
            chunk.append(tuple(adapt(v) if isinstance(v, datetime) else v for v in row))
            if len(chunk) == BATCH:
                cursor.executemany(sql, chunk)
                bar.update(len(chunk))
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            bar.update(len(chunk))
