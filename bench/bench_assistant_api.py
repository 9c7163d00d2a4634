"""The assistant through the real HTTP server: questions per second and p50/p99, beside a baseline.

gunicorn (2 workers × 4 threads, production settings) serves a throwaway database holding the
procedure catalogue (the procedures demo loader; ../shared/data/procedures-dvc when present).
Client threads post the evaluation questions of bench/data to ``POST /api/v1/assistant/ask``:

* first sight — each question once, 8 clients: nothing cached in the workers;
* again — the same questions with 32 clients: the workers' caches see repeats, as a busy day would;
* baseline — ``GET /api/v1/core/health`` with the same clients: the framework's floor here.

Every answer is stored (conversation + turn) before the response, as in production.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.httpload import Database, Server, load

DATA = Path(__file__).resolve().parent / "data"
WORKERS, THREADS = 2, 4


def _questions() -> list[str]:
    questions = []
    for name in ("assistant_questions.jsonl", "assistant_questions_heldout.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["q"])
    return questions


def run() -> dict[str, Any]:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return {"skipped": "gunicorn is not installed"}
    questions = _questions()
    workdir = Path(tempfile.mkdtemp(prefix="thanglong-bench-assistant-"))
    database: Database | None = None
    server: Server | None = None
    try:
        try:
            database = Database(workdir, setup_code="from thanglong.procedures import demo; demo.load(str)")
        except Exception as error:  # no PostgreSQL reachable, migrations failing…: say so, do not crash
            return {"skipped": f"could not prepare the bench database: {error!r}"}
        server = Server(workdir, database, workers=WORKERS, threads=THREADS)
        if not server.ready(timeout=90):
            return {"skipped": f"gunicorn did not start: {server.log.read_text(errors='replace')[-500:]}"}

        def ask(number: int) -> tuple[str, str, bytes, dict[str, str]]:
            body = json.dumps({"question": questions[number % len(questions)]}).encode()
            return "POST", "/api/v1/assistant/ask", body, {"Content-Type": "application/json"}

        def health(number: int) -> tuple[str, str, bytes, dict[str, str]]:
            return "GET", "/api/v1/core/health", b"", {}

        # Each worker builds its catalogue index on its first question (embeddings of every
        # procedure): one unrelated question per worker thread first, so that is not timed.
        load(server.port, WORKERS * THREADS, WORKERS * THREADS * 2, lambda n: _warm(n))
        first_sight = load(server.port, 8, len(questions), ask)
        again = load(server.port, 32, len(questions), ask)
        baseline_8 = load(server.port, 8, len(questions), health)
        baseline_32 = load(server.port, 32, len(questions), health)
        rows = [
            ("POST /ask, first sight", first_sight, baseline_8),
            ("POST /ask, repeated questions", again, baseline_32),
            ("GET /health (baseline)", baseline_8, None),
            ("GET /health (baseline)", baseline_32, None),
        ]
        table: list[list[Any]] = [
            ["scenario", "clients", "requests", "ok", "req/s", "p50 ms", "p99 ms", "vs baseline"]
        ]
        for label, outcome, reference in rows:
            outcome.pop("codes", None)
            ratio = (
                f"{outcome['per_s'] / reference['per_s']:.2f}×" if reference and reference["per_s"] else ""
            )
            table.append(
                [label, outcome["clients"], outcome["requests"], outcome["ok"], outcome["per_s"],
                 outcome["p50_ms"], outcome["p99_ms"], ratio]
            )  # fmt: skip
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        return {
            "database": database.engine,
            "cores": cores,
            "server": f"gunicorn {WORKERS} workers × {THREADS} threads",
            "questions": len(questions),
            "results": {"first_sight": first_sight, "again": again, "baseline_8": baseline_8,
                        "baseline_32": baseline_32},
            "table": table,
            "notes": [
                f"{database.engine}; {cores} CPU cores shared by server, database and client threads",
                f"{len(questions)} questions of bench/data; issue goal ≥ 200 questions/s through the API",
                "each answer also writes its conversation and turn before responding",
            ],
        }  # fmt: skip
    finally:
        if server is not None:
            server.stop()
        if database is not None:
            database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def _warm(number: int) -> tuple[str, str, bytes, dict[str, str]]:
    body = json.dumps({"question": f"xin chào {number}"}).encode()
    return "POST", "/api/v1/assistant/ask", body, {"Content-Type": "application/json"}
