"""Faces: dlib verification accuracy on deepface's pairs, detection/embedding time, and 1:N search.

Data: ``$THANGLONG_DATA_DIR/faces-deepface`` (deepface's MIT test fixtures; see its SOURCE.txt):
``master.csv`` and ``face-recognition-pivot.csv`` list image pairs with a Yes/No "same person".

Verification: one descriptor per image (the largest face); a pair is "same" when the Euclidean
distance is at most the threshold. Reported at dlib's convention 0.6 and at a threshold chosen by
10-fold cross-validation (picked on nine folds, scored on the tenth; never on the scored fold).
Images recur across pairs, so folds share people: the CV figure is optimistic for unseen people.

Search: N synthetic descriptors drawn around the real ones (a real descriptor plus Gaussian noise,
σ chosen so synthetic "people" are as far apart as real different people), queries are enrolled
vectors plus noise at a typical same-person distance. usearch HNSW (the production index, same
parameters) against exact brute force in numpy, same vectors, same run, one query at a time as
the worker asks (20 results: ``match`` looks 4× past its k=5); recall@1 = the index's nearest is the
exact nearest, recall@5 = share of the exact five nearest among the index's five. The production
search beam is measured next to half and twice it (a query-time setting, same graph).
``THANGLONG_BENCH_FACE_SIZES`` (default ``100000,1000000``) sets the sizes,
``THANGLONG_BENCH_FACE_THREADS`` (default 1) the threads that build the index.

The synthetic set is harder for HNSW than real descriptors, so its recall is a lower bound: the
noise is isotropic (all 128 directions alike) and as large as the real spread between people,
while real descriptors concentrate their variance in fewer directions. The note "spread over
directions" shows it: the participation ratio (Σλ)²/Σλ² of the covariance of the real photos' 61
descriptors next to 61 synthetic ones and 61 draws of pure isotropic noise.
"""

from __future__ import annotations

import csv
import os
import statistics
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

FILES = ("master.csv", "face-recognition-pivot.csv")
SEED = 2026


def data_dir() -> Path:
    root = os.environ.get("THANGLONG_DATA_DIR")
    base = Path(root) if root else Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    return base / "faces-deepface"


def read_pairs(path: Path) -> list[tuple[str, str, bool]]:
    pairs = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            a, b = Path(row["file_x"]).name, Path(row["file_y"]).name
            pairs.append((a, b, row["decision"].strip().lower() == "yes"))
    return pairs


def distance(a: np.ndarray | None, b: np.ndarray | None) -> float:
    assert a is not None and b is not None
    return float(np.linalg.norm(a - b))


def accuracy(distances: np.ndarray, same: np.ndarray, threshold: float) -> float:
    return float(np.mean((distances <= threshold) == same))


def best_threshold(distances: np.ndarray, same: np.ndarray) -> float:
    candidates = np.unique(np.concatenate([distances, [0.6]]))
    mids = np.concatenate([[0.0], (candidates[:-1] + candidates[1:]) / 2, [candidates[-1] + 1e-3]])
    scores = [accuracy(distances, same, t) for t in mids]
    best = max(scores)
    # Among equally good thresholds take the middle one: furthest from both classes.
    ties = [t for t, s in zip(mids, scores, strict=True) if s == best]
    return float(ties[len(ties) // 2])


def cross_validated(distances: np.ndarray, same: np.ndarray, folds: int = 10) -> tuple[float, list[float]]:
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(distances))
    chunks = np.array_split(order, folds)
    correct = 0
    thresholds = []
    for k, test in enumerate(chunks):
        train = np.concatenate([c for j, c in enumerate(chunks) if j != k])
        threshold = best_threshold(distances[train], same[train])
        thresholds.append(threshold)
        correct += int(np.sum((distances[test] <= threshold) == same[test]))
    return correct / len(distances), thresholds


def embed_all(folder: Path, names: set[str]) -> tuple[dict[str, np.ndarray | None], list[dict[str, Any]]]:
    from thanglong.cameras.faces.engine import default_engine

    engine = default_engine()
    embeddings: dict[str, np.ndarray | None] = {}
    timings = []
    for name in sorted(names):
        image = cv2.imread(str(folder / name))
        if image is None:
            embeddings[name] = None
            continue
        started = time.perf_counter()
        detected = engine.detect(image)
        detect_s = time.perf_counter() - started
        faces = engine.find(image, embed=True)
        embeddings[name] = faces[0].embedding if faces else None
        rgb = np.ascontiguousarray(image[:, :, ::-1])
        embed_times = []
        for box, _score in detected:
            started = time.perf_counter()
            engine.describe(rgb, box, embed=True)
            embed_times.append(time.perf_counter() - started)
        timings.append(
            {
                "pixels": image.shape[0] * image.shape[1],
                "detect_s": detect_s,
                "embed_per_face_s": statistics.median(embed_times) if embed_times else 0.0,
                "faces": len(faces),
            }
        )
    return embeddings, timings


def detection_at_sizes(folder: Path) -> list[list[Any]]:
    """Detection on whole frames of common camera sizes (a face photo letterboxed into each)."""
    from thanglong.cameras.faces.engine import default_engine

    engine = default_engine()
    photo = cv2.imread(str(folder / "img1.jpg"))
    assert photo is not None
    rows = []
    for width, height in ((640, 480), (1280, 720), (1920, 1080)):
        frame = np.full((height, width, 3), 90, np.uint8)
        side = height // 3
        patch = cv2.resize(photo, (round(side * photo.shape[1] / photo.shape[0]), side))
        y, x = height // 3, width // 2 - patch.shape[1] // 2
        frame[y : y + side, x : x + patch.shape[1]] = patch
        times = []
        for _ in range(5):
            started = time.perf_counter()
            found = engine.find(frame, embed=False)
            times.append(time.perf_counter() - started)
        rows.append([f"{width}×{height}", len(found), round(statistics.median(times) * 1000, 1)])
    return rows


def verification(folder: Path) -> tuple[list[list[Any]], dict[str, Any], dict[str, np.ndarray | None], list]:
    sets = {name: read_pairs(folder / name) for name in FILES if (folder / name).is_file()}
    names = {n for pairs in sets.values() for a, b, _ in pairs for n in (a, b)}
    embeddings, timings = embed_all(folder, names)
    rows: list[list[Any]] = []
    detail: dict[str, Any] = {}
    everything: list[tuple[str, str, bool]] = [p for pairs in sets.values() for p in pairs]
    for label, pairs in [*sets.items(), ("all", everything)]:
        usable = [
            (a, b, s) for a, b, s in pairs if embeddings.get(a) is not None and embeddings.get(b) is not None
        ]
        missing = len(pairs) - len(usable)
        distances = np.array([distance(embeddings[a], embeddings[b]) for a, b, _ in usable])
        same = np.array([s for _a, _b, s in usable])
        at_default = accuracy(distances, same, 0.6)
        cv_accuracy, thresholds = cross_validated(distances, same)
        # A pair whose image has no detectable face counts as wrong in the "all pairs" figures.
        total = len(pairs)
        rows.append(
            [
                label,
                total,
                int(same.sum()),
                missing,
                f"{at_default * 100:.1f} %",
                f"{at_default * len(usable) / total * 100:.1f} %",
                f"{cv_accuracy * 100:.1f} %",
                f"{statistics.median(thresholds):.3f}",
            ]
        )
        detail[label] = {
            "pairs": total,
            "same": int(same.sum()),
            "no_face": missing,
            "accuracy_at_0_6": at_default,
            "accuracy_cv": cv_accuracy,
            "cv_thresholds": thresholds,
            "same_distance_median": float(np.median(distances[same])) if same.any() else None,
            "different_distance_median": float(np.median(distances[~same])) if (~same).any() else None,
        }
    return rows, detail, embeddings, timings


def synthetic(real: np.ndarray, n: int, rng: np.random.Generator, sigma: float) -> np.ndarray:
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        count = min(step, n - start)
        base = real[rng.integers(0, len(real), count)]
        out[start : start + count] = base + rng.normal(0, sigma, (count, real.shape[1])).astype(np.float32)
    return out


def exact_top(vectors: np.ndarray, norms: np.ndarray, queries: np.ndarray, k: int = 5) -> np.ndarray:
    """The exact k nearest of each query (ids, nearest first), in chunks to bound memory."""
    ids, values = [], []
    chunk = 50_000
    for start in range(0, len(vectors), chunk):
        distances = norms[start : start + chunk, None] - 2 * vectors[start : start + chunk] @ queries.T
        part = np.argpartition(distances, k, axis=0)[:k]
        ids.append(part + start)
        values.append(np.take_along_axis(distances, part, 0))
    all_ids, all_values = np.concatenate(ids), np.concatenate(values)
    order = np.argsort(all_values, axis=0)[:k]
    return np.take_along_axis(all_ids, order, 0).T


def participation_ratio(vectors: np.ndarray) -> float:
    """(Σλ)²/Σλ² of the covariance: how many directions the spread really uses."""
    centred = vectors.astype(np.float64) - vectors.mean(axis=0)
    eigen = np.linalg.svd(centred, compute_uv=False) ** 2
    return float(eigen.sum() ** 2 / (eigen**2).sum())


def spread_note(real: np.ndarray, sigma: float) -> str:
    rng = np.random.default_rng(SEED)
    draws = [participation_ratio(synthetic(real, len(real), rng, sigma)) for _ in range(20)]
    noise = [participation_ratio(rng.normal(size=real.shape)) for _ in range(20)]
    return (
        f"spread over directions (participation ratio, {len(real)} vectors): real descriptors "
        f"{participation_ratio(real):.1f}, synthetic {statistics.median(draws):.1f}, isotropic noise "
        f"{statistics.median(noise):.1f}: the synthetic set is harder for HNSW than real faces"
    )


def timed_search(index: Any, queries: np.ndarray, exact: np.ndarray) -> dict[str, Any]:
    times, hits, found_in_top = [], 0, 0
    for i, query in enumerate(queries):
        started = time.perf_counter()
        found = index.search(query, 20)
        times.append(time.perf_counter() - started)
        keys = found.keys.astype(np.int64)
        hits += int(len(keys) > 0 and keys[0] == exact[i, 0])
        found_in_top += len(set(keys[:5].tolist()) & set(exact[i].tolist()))
    return {
        "p50_ms": percentile_ms(times, 50),
        "p99_ms": percentile_ms(times, 99),
        "recall_at_1": hits / len(queries),
        "recall_at_5": found_in_top / (5 * len(queries)),
    }


def percentile_ms(times: list[float], q: float) -> float:
    return round(float(np.percentile(np.array(times) * 1000, q)), 3)


def search(real: np.ndarray, sizes: list[int]) -> tuple[list[list[Any]], dict[str, Any]]:
    from thanglong.cameras.faces import index as face_index

    rng = np.random.default_rng(SEED)
    threads = int(os.environ.get("THANGLONG_BENCH_FACE_THREADS", "1"))
    production = face_index.EXPANSION_SEARCH
    beams = [production // 2, production, production * 2]
    # Real different people are ~0.8–1.0 apart; two draws around one real descriptor should be
    # too: E|a-b| = σ·sqrt(2·128) ⇒ σ ≈ 0.05 puts them ~0.8 apart.
    sigma, probe_sigma = 0.05, 0.3 / np.sqrt(128)
    rows: list[list[Any]] = []
    detail: dict[str, Any] = {}
    for n in sizes:
        vectors = synthetic(real, n, rng, sigma)
        norms = np.einsum("ij,ij->i", vectors, vectors)
        targets = rng.integers(0, n, 1000)
        queries = vectors[targets] + rng.normal(0, probe_sigma, (1000, 128)).astype(np.float32)
        exact = exact_top(vectors, norms, queries)

        index = face_index.new_index()
        started = time.perf_counter()
        index.add(np.arange(n, dtype=np.uint64), vectors, threads=threads)
        build_s = time.perf_counter() - started
        by_beam = {}
        for beam in beams:
            index.expansion_search = beam  # type: ignore[misc]  # usearch's setter; mypy misreads it
            by_beam[beam] = timed_search(index, queries, exact)

        brute_times = []
        for query in queries[:100]:
            started = time.perf_counter()
            distances = norms - 2 * (vectors @ query)
            np.argpartition(distances, 5)[:5]
            brute_times.append(time.perf_counter() - started)

        b50, b99 = percentile_ms(brute_times, 50), percentile_ms(brute_times, 99)
        for beam, result in by_beam.items():
            label = f"usearch HNSW, beam {beam}" + (" (production)" if beam == production else "")
            rows.append(
                [
                    f"{n:,}",
                    label,
                    result["p50_ms"],
                    result["p99_ms"],
                    f"{result['recall_at_1'] * 100:.1f} %",
                    f"{result['recall_at_5'] * 100:.1f} %",
                    round(build_s, 1),
                ]
            )
        rows.append([f"{n:,}", "numpy brute force", b50, b99, "100.0 %", "100.0 %", 0])
        chosen = by_beam[production]
        detail[str(n)] = {
            "usearch_p50_ms": chosen["p50_ms"],
            "usearch_p99_ms": chosen["p99_ms"],
            "brute_p50_ms": b50,
            "brute_p99_ms": b99,
            "speedup_p50": round(b50 / chosen["p50_ms"], 1) if chosen["p50_ms"] else None,
            "recall_at_1": chosen["recall_at_1"],
            "recall_at_5": chosen["recall_at_5"],
            "build_s": round(build_s, 1),
            "build_threads": threads,
            "index_bytes": int(index.memory_usage),
            "index_file_bytes": int(index.serialized_length),
            "connectivity": face_index.CONNECTIVITY,
            "expansion_add": face_index.EXPANSION_ADD,
            "dtype": face_index.DTYPE,
            "expansion_search": production,
            "by_expansion_search": {str(beam): result for beam, result in by_beam.items()},
        }
        del index, vectors, norms
    return rows, detail


def run() -> dict[str, Any]:
    from thanglong.cameras.faces import index as face_index

    folder = data_dir()
    if not any((folder / name).is_file() for name in FILES):
        return {"skipped": f"no pairs file in {folder}"}
    missing_files = [name for name in FILES if not (folder / name).is_file()]
    verify_rows, verify_detail, embeddings, timings = verification(folder)
    detect_ms = statistics.median(t["detect_s"] for t in timings) * 1000
    embed_ms = statistics.median(t["embed_per_face_s"] for t in timings if t["faces"]) * 1000
    size_rows = detection_at_sizes(folder)

    real = np.stack([e for e in embeddings.values() if e is not None])
    sizes = [int(s) for s in os.environ.get("THANGLONG_BENCH_FACE_SIZES", "100000,1000000").split(",") if s]
    search_rows, search_detail = search(real, sizes)
    search_threads = os.environ.get("THANGLONG_BENCH_FACE_THREADS", "1")

    table: list[list[Any]] = [
        [
            "pairs file",
            "pairs",
            "same",
            "no face",
            "acc @0.6 (faces found)",
            "acc @0.6 (all pairs)",
            "acc CV threshold",
            "CV threshold (median)",
        ],
        *verify_rows,
    ]
    notes = [
        f"detection: median {detect_ms:.0f} ms per image ({len(timings)} photos, median "
        f"{statistics.median(t['pixels'] for t in timings) / 1e6:.1f} MP; downscaled to ≤1600 px first); "
        f"embedding: median {embed_ms:.0f} ms per face",
        "detection per frame size (ms, median of 5): "
        + ", ".join(f"{size}: {ms} ms ({found} face)" for size, found, ms in size_rows),
        f"1:N search, one query at a time (ms): size | engine | p50 | p99 | recall@1 vs exact | recall@5 | "
        f"build s ({search_threads} thread(s)); HNSW {face_index.CONNECTIVITY} links, build beam "
        f"{face_index.EXPANSION_ADD}, {face_index.DTYPE}",
        *[" | ".join(str(c) for c in row) for row in search_rows],
        spread_note(real, 0.05),
        "figures taken on a shared 2-core machine: compare ratios within this run",
    ]
    if missing_files:
        notes.append(f"not in the shared data, not scored: {', '.join(missing_files)}")
    return {
        "table": table,
        "notes": notes,
        "verification": verify_detail,
        "detect_ms_median": round(detect_ms, 1),
        "embed_ms_median": round(embed_ms, 1),
        "detection_by_size": size_rows,
        "search": search_detail,
    }
