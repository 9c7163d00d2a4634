"""The assistant's retriever on real legal text: find the article that answers a question, against BM25.

Data: ``$THANGLONG_DATA_DIR/legal-qa-alqac/alqac_public.csv`` (see its SOURCE.txt: ALQAC via ViLQA, research
use): rows of (article text, question, answer). Every distinct article is a document; each question must
bring back the article it was written from. No catalogue is involved: this measures the retrieval layer
(folded syllables and syllable pairs in BM25, fused with multilingual-e5 embeddings) on statute language.

Baseline: ``rank_bm25.BM25Okapi`` over raw lower-cased, whitespace-split article text.
"""

from __future__ import annotations

import csv
import os
import statistics
import time
from pathlib import Path
from typing import Any

PASSAGE_CHARS = 600  # e5-small reads 512 tokens at most; the article heading and opening carry its topic


def data_file() -> Path:
    root = os.environ.get("THANGLONG_DATA_DIR")
    base = Path(root) if root else Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    return base / "legal-qa-alqac" / "alqac_public.csv"


def score(rank: Any, rows: list[dict[str, str]], articles: list[str]) -> dict[str, Any]:
    position = {text: index for index, text in enumerate(articles)}
    top1 = top3 = 0
    timings: list[float] = []
    for row in rows:
        started = time.perf_counter()
        order = rank(row["question"])
        timings.append((time.perf_counter() - started) * 1000)
        expected = position[row["context"]]
        top1 += order[0] == expected
        top3 += expected in order[:3]
    timings.sort()
    return {
        "top1": top1 / len(rows),
        "top3": top3 / len(rows),
        "latency_ms": {
            "p50": statistics.median(timings),
            "p99": timings[min(len(timings) - 1, int(len(timings) * 0.99))],
        },
    }


def run() -> dict[str, Any]:
    path = data_file()
    if not path.is_file():
        return {"skipped": f"{path} not found (set THANGLONG_DATA_DIR)"}
    from rank_bm25 import BM25Okapi

    from thanglong.assistant.engine.retrieval import (
        BM25Retriever,
        DenseRetriever,
        Document,
        HybridRetriever,
        shared_embedder,
    )
    from thanglong.core.text import fold

    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    articles = list(dict.fromkeys(row["context"] for row in rows))
    documents = [
        Document(
            key=str(index),
            # The first line of an article is its title ("Tội phản bội Tổ quốc"): weighted like a name.
            fields=((fold(text.split("\n", 1)[0]), 2.0), (fold(text), 1.0)),
            passages=(text[:PASSAGE_CHARS],),
        )
        for index, text in enumerate(articles)
    ]
    started = time.perf_counter()
    lexical = BM25Retriever(documents)
    dense = DenseRetriever(documents, shared_embedder())
    build_s = time.perf_counter() - started
    hybrid = HybridRetriever(lexical, dense)

    def ours(question: str) -> list[int]:
        return hybrid.rank(fold(question), question).order

    def ours_lexical(question: str) -> list[int]:
        scores = lexical.scores(fold(question))
        return sorted(range(len(scores)), key=lambda index: -scores[index])

    def ours_dense(question: str) -> list[int]:
        scores = dense.scores("", question)
        return sorted(range(len(scores)), key=lambda index: -scores[index])

    baseline_index = BM25Okapi([text.lower().split() for text in articles])

    def baseline(question: str) -> list[int]:
        scores = baseline_index.get_scores(question.lower().split())
        return sorted(range(len(scores)), key=lambda index: -scores[index])

    results = {
        "hybrid": score(ours, rows, articles),
        "lexical_only": score(ours_lexical, rows, articles),
        "dense_only": score(ours_dense, rows, articles),
        "baseline": score(baseline, rows, articles),
    }

    def pct(value: float) -> str:
        return f"{value * 100:.1f} %"

    names = ["hybrid", "lexical_only", "dense_only", "baseline"]
    table: list[list[Any]] = [
        ["metric", "thanglong hybrid", "lexical only", "dense only", "rank-bm25", "ratio"]
    ]
    for key, label in [("top1", "top-1 article"), ("top3", "top-3 article")]:
        values = [results[name][key] for name in names]
        table.append([label, *map(pct, values), f"{values[0] / values[3]:.2f}×" if values[3] else "-"])
    for stat in ("p50", "p99"):
        table.append(
            [f"latency {stat} (ms)", *(f"{results[name]['latency_ms'][stat]:.2f}" for name in names), ""]
        )
    return {
        "dataset": str(path),
        "questions": len(rows),
        "articles": len(articles),
        "index_build_s": round(build_s, 2),
        "results": results,
        "table": table,
        "notes": [
            f"{len(rows)} questions over {len(articles)} distinct articles; index (with embeddings) built in "
            f"{build_s:.1f} s",
            f"dense passages are the first {PASSAGE_CHARS} characters of each article",
        ],
    }
