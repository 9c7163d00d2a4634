"""The assistant engine on citizen-style questions over the published catalogue, against a BM25 baseline.

Data: ``bench/data/assistant_questions.jsonl`` (tuned on) and ``assistant_questions_heldout.jsonl`` (never
tuned on): ``{"q", "code", "asked", "lang"}`` per procedure question, ``{"q", "intent", "lang"}`` for
emergencies, reports, out-of-scope and the like. Where the portal lists a procedure once per level, a
question that names no level expects the level a Hanoi citizen reaches first (commune, then city); the
"same procedure, any level" row scores the family instead.

The catalogue is built in a temporary SQLite database: migrations, then the procedures demo loader (the
22 portal pages from ``$THANGLONG_DATA_DIR/procedures-dvc`` and our four authored entries).

Baseline: ``rank_bm25.BM25Okapi`` over each procedure's raw lower-cased, whitespace-split name, steps and
documents, queried with the raw lower-cased question.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
SETS = {"tuned": "assistant_questions.jsonl", "held-out": "assistant_questions_heldout.jsonl"}


def load(name: str) -> list[dict[str, Any]]:
    path = DATA / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@contextmanager
def temporary_catalogue() -> Iterator[None]:
    """Point the default database at a fresh SQLite file, migrate it and load the catalogue."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from thanglong.procedures import demo

    database = connections["default"]
    original = dict(database.settings_dict)
    with tempfile.TemporaryDirectory() as directory:
        database.close()
        database.settings_dict.update(
            {"ENGINE": "django.db.backends.sqlite3", "NAME": str(Path(directory) / "bench.sqlite3")}
        )
        settings.DATABASES["default"] = database.settings_dict
        try:
            call_command("migrate", verbosity=0, interactive=False)
            demo.load(lambda _line: None)
            yield
        finally:
            database.close()
            database.settings_dict.clear()
            database.settings_dict.update(original)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def evaluate(engine: Any, rows: list[dict[str, Any]], families: dict[str, str]) -> dict[str, Any]:
    from thanglong.assistant.engine import DialogueState

    top1 = top3 = family1 = asked = clarified = procedure_total = 0
    intent_right = intent_total = misrouted = language_right = 0
    timings: list[float] = []
    misses: list[dict[str, Any]] = []
    for row in rows:
        started = time.perf_counter()
        reply = engine.reply(row["q"], state=DialogueState())
        timings.append((time.perf_counter() - started) * 1000)
        language_right += reply.lang == row["lang"]
        if "code" not in row:
            intent_total += 1
            intent_right += reply.intent == row["intent"]
            if reply.intent != row["intent"]:
                misses.append({"q": row["q"], "expected": row["intent"], "got": reply.intent})
            continue
        procedure_total += 1
        ranked = list(reply.procedure_codes)
        ranked += [candidate.code for candidate in reply.candidates if candidate.code not in ranked]
        top1 += ranked[:1] == [row["code"]]
        top3 += row["code"] in ranked[:3]
        family1 += bool(ranked) and families.get(ranked[0]) == families[row["code"]]
        asked += reply.asked == row["asked"]
        clarified += reply.needs_clarification
        misrouted += reply.intent != "procedure"
        if ranked[:1] != [row["code"]] or reply.asked != row["asked"]:
            misses.append(
                {
                    "q": row["q"],
                    "expected": [row["code"], row["asked"]],
                    "got": [ranked[:3], reply.asked, reply.intent, reply.needs_clarification],
                }
            )
    return {
        "questions": len(rows),
        "procedure_questions": procedure_total,
        "top1": top1 / procedure_total,
        "top3": top3 / procedure_total,
        "family_top1": family1 / procedure_total,
        "asked": asked / procedure_total,
        "clarification_rate": clarified / procedure_total,
        "procedure_misrouted": misrouted / procedure_total,
        "intent": intent_right / intent_total if intent_total else None,
        "intent_questions": intent_total,
        "language": language_right / len(rows),
        "latency_ms": {"p50": statistics.median(timings), "p99": percentile(timings, 0.99)},
        "misses": misses,
    }


def baseline(rows: list[dict[str, Any]], entries: list[Any], families: dict[str, str]) -> dict[str, Any]:
    from rank_bm25 import BM25Okapi

    corpus = [
        " ".join([entry.name, *entry.steps, *(document.name for document in entry.documents)]).lower().split()
        for entry in entries
    ]
    bm25 = BM25Okapi(corpus)
    codes = [entry.code for entry in entries]
    top1 = top3 = family1 = total = 0
    timings: list[float] = []
    for row in rows:
        if "code" not in row:
            continue
        total += 1
        started = time.perf_counter()
        scores = bm25.get_scores(row["q"].lower().split())
        ranked = [codes[index] for index in sorted(range(len(codes)), key=lambda index: -scores[index])]
        timings.append((time.perf_counter() - started) * 1000)
        top1 += ranked[0] == row["code"]
        top3 += row["code"] in ranked[:3]
        family1 += families[ranked[0]] == families[row["code"]]
    return {
        "top1": top1 / total,
        "top3": top3 / total,
        "family_top1": family1 / total,
        "latency_ms": {"p50": statistics.median(timings), "p99": percentile(timings, 0.99)},
    }


def throughput(engine: Any, questions: list[str], seconds: float = 3.0) -> float:
    from thanglong.assistant.engine import DialogueState

    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for question in questions:
            engine.reply(question, state=DialogueState())
            done += 1
    return done / (time.perf_counter() - started)


def run() -> dict[str, Any]:
    from django.conf import settings

    directory = Path(settings.DATA_DIR) / "procedures-dvc"
    if not directory.is_dir():
        return {"skipped": f"{directory} not found (set THANGLONG_DATA_DIR)"}
    from thanglong.assistant.engine.assistant import AssistantConfig, CatalogueAssistant

    sets = {label: load(name) for label, name in SETS.items()}
    with temporary_catalogue():
        hybrid = CatalogueAssistant(AssistantConfig(refresh_seconds=3600))
        started = time.perf_counter()
        index = hybrid.index()
        build_s = time.perf_counter() - started
        lexical = CatalogueAssistant(AssistantConfig(dense=False, refresh_seconds=3600))
        lexical.index()
        entries = list(index.entries)
        families = {entry.code: entry.family for entry in entries}
        results: dict[str, Any] = {}
        for label, rows in sets.items():
            results[label] = {
                "hybrid": evaluate(hybrid, rows, families),
                "lexical_only": evaluate(lexical, rows, families),
                "baseline": baseline(rows, entries, families),
            }
        all_questions = [row["q"] for rows in sets.values() for row in rows]
        repeated_qps = throughput(hybrid, all_questions)
        # Distinct questions never seen before: the embedding cache cannot help.
        fresh = CatalogueAssistant(AssistantConfig(refresh_seconds=3600))
        fresh.index()
        fresh_questions = [f"{question} ({number})" for number, question in enumerate(all_questions)]
        started = time.perf_counter()
        for question in fresh_questions:
            fresh.reply(question)
        distinct_qps = len(fresh_questions) / (time.perf_counter() - started)

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value * 100:.1f} %"

    table: list[list[Any]] = [["metric", "set", "thanglong (hybrid)", "lexical only", "rank-bm25", "ratio"]]
    for label in SETS:
        ours, lex, base = results[label]["hybrid"], results[label]["lexical_only"], results[label]["baseline"]
        for key, name in [
            ("top1", "top-1 procedure"),
            ("top3", "top-3 procedure"),
            ("family_top1", "top-1 any level"),
        ]:
            ratio = f"{ours[key] / base[key]:.2f}×" if base[key] else "-"
            table.append([name, label, pct(ours[key]), pct(lex[key]), pct(base[key]), ratio])
        table.append(["asked part", label, pct(ours["asked"]), pct(lex["asked"]), "-", ""])
        table.append(["intent (non-procedure)", label, pct(ours["intent"]), pct(lex["intent"]), "-", ""])
        table.append(["procedure → other intent", label, pct(ours["procedure_misrouted"]), "", "-", ""])
        table.append(
            [
                "clarification rate",
                label,
                pct(ours["clarification_rate"]),
                pct(lex["clarification_rate"]),
                "-",
                "",
            ]
        )
        table.append(["language", label, pct(ours["language"]), "", "-", ""])
        for stat in ("p50", "p99"):
            mine, theirs = ours["latency_ms"][stat], base["latency_ms"][stat]
            table.append(
                [
                    f"latency {stat} (ms)",
                    label,
                    f"{mine:.1f}",
                    f"{lex['latency_ms'][stat]:.1f}",
                    f"{theirs:.2f}",
                    "",
                ]
            )
    table.append(["throughput, repeated questions (q/s)", "all", f"{repeated_qps:.0f}", "", "", ""])
    table.append(["throughput, distinct questions (q/s)", "all", f"{distinct_qps:.0f}", "", "", ""])
    return {
        "results": results,
        "index_build_s": round(build_s, 2),
        "throughput_qps": {"repeated": round(repeated_qps, 1), "distinct": round(distinct_qps, 1)},
        "table": table,
        "notes": [
            f"{sum(len(rows) for rows in sets.values())} questions "
            f"({', '.join(f'{label}: {len(rows)}' for label, rows in sets.items())}); "
            f"{len(entries)} published procedures",
            f"index built in {build_s:.2f} s (embeddings of every procedure; once per process and "
            "catalogue revision)",
            "latency: one reply per question, single thread, index warm, the question not yet in the cache",
            "top-k counts the clarifying question's choices first, then the ranked candidates",
            "misses are listed under results.<set>.hybrid.misses in the JSON",
        ],
    }
