"""1:N search of a face descriptor over the enrolled watch-list templates (usearch HNSW).

Metric: squared L2 on dlib's raw descriptors, not cosine on normalised ones. dlib trained its
ResNet so that one person's photos lie within Euclidean distance 0.6 of each other, and its
descriptors are not unit length (their norms vary, ~1.4–1.6); normalising would change every
distance and the 0.6 convention (and thresholds tuned by ``python -m bench faces``) would no longer
carry over. With ``l2sq`` the index returns exactly dlib's distance squared.

The index is built from ``FaceTemplate`` rows of active watch-list persons and saved under
``VAR_DIR/faces/`` with a fingerprint of the rows it holds (count, id sum, latest id, latest change
of a person). Each process re-checks the fingerprint before a search (at most every
``RECHECK_SECONDS``; at once after ``invalidate()``), loads the saved file when another process
already built it, and rebuilds otherwise.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.db.models import Count, Max, QuerySet, Sum
from django.utils import timezone
from usearch.index import Index

if TYPE_CHECKING:
    from thanglong.cameras.models import FaceTemplate

log = logging.getLogger(__name__)

DIMENSIONS = 128
# The fingerprint is one aggregate query (~1 ms) next to a ~70 ms descriptor: by default it is checked
# before every search, so a template added or a person deactivated counts at once in every process.
RECHECK_SECONDS = 0.0
FORMAT_VERSION = 1
# HNSW parameters (python -m bench faces): 16 links per node, build beam 64 (half the build time of
# 128). Search beam 256: on 200k clustered synthetic descriptors recall@1 was 98.4 % at 128, 98.8 %
# at 256, 99.2 % at 512 (p50 1.2 / 1.9 / 3.3 ms): 256 keeps p99 well under the 20 ms goal.
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 256


@dataclass(frozen=True)
class FaceMatch:
    template_id: int
    person_id: int
    distance: float  # Euclidean, dlib's scale


def new_index() -> Index:
    return Index(
        ndim=DIMENSIONS,
        metric="l2sq",
        dtype="f32",
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


def embedding_from_bytes(raw: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype="<f4").astype(np.float32)


def embedding_to_bytes(embedding: np.ndarray) -> bytes:
    return np.asarray(embedding, dtype="<f4").reshape(DIMENSIONS).tobytes()


class FaceIndex:
    """The templates' index plus, per key (template id), its person and the person's expiry."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.RLock()
        self._index: Index | None = None
        self._person: dict[int, int] = {}
        self._expires: dict[int, float] = {}  # person id -> POSIX time
        self._fingerprint = ""
        self._checked_at = 0.0

    # --- freshness -----------------------------------------------------------------------------
    def invalidate(self) -> None:
        with self._lock:
            self._checked_at = 0.0
            self._fingerprint = ""  # rebuild (or reload) even if the rows' fingerprint looks the same

    @staticmethod
    def _templates() -> QuerySet[FaceTemplate]:
        from thanglong.cameras.models import FaceTemplate

        return FaceTemplate.objects.filter(person__active=True)

    def fingerprint(self) -> str:
        stats = self._templates().aggregate(
            n=Count("id"), total=Sum("id"), last=Max("id"), changed=Max("person__updated_at")
        )
        changed = int(stats["changed"].timestamp() * 1000) if stats["changed"] else 0
        return f"v{FORMAT_VERSION}-{stats['n'] or 0}-{stats['total'] or 0}-{stats['last'] or 0}-{changed}"

    def _ensure_fresh(self) -> None:
        now = time.monotonic()
        if self._index is not None and 0 < now - self._checked_at < RECHECK_SECONDS:
            return
        with self._lock:
            fingerprint = self.fingerprint()
            if fingerprint != self._fingerprint or self._index is None:
                self._load_or_build(fingerprint)
            self._checked_at = time.monotonic()

    def _paths(self, fingerprint: str) -> tuple[Path, Path]:
        return self.directory / f"faces-{fingerprint}.usearch", self.directory / f"faces-{fingerprint}.npz"

    def _load_or_build(self, fingerprint: str) -> None:
        index_path, meta_path = self._paths(fingerprint)
        index = new_index()
        if index_path.exists() and meta_path.exists():
            try:
                index.load(str(index_path))
                meta = np.load(meta_path)
                keys, persons, expires = meta["keys"], meta["persons"], meta["expires"]
                log.info("face index %s loaded (%d templates)", fingerprint, len(index))
            except (OSError, ValueError, KeyError, RuntimeError) as exc:
                log.warning("face index %s unreadable (%s): rebuilding", fingerprint, exc)
                index = new_index()
                keys, persons, expires = self._build(index)
                self._save(index, keys, persons, expires, fingerprint)
        else:
            keys, persons, expires = self._build(index)
            self._save(index, keys, persons, expires, fingerprint)
        self._index = index
        self._person = dict(zip(keys.tolist(), persons.tolist(), strict=True))
        self._expires = dict(zip(persons.tolist(), expires.tolist(), strict=True))
        self._fingerprint = fingerprint

    def _build(self, index: Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = list(self._templates().values_list("id", "person_id", "person__expires_at", "embedding"))
        keys = np.array([row[0] for row in rows], dtype=np.uint64)
        persons = np.array([row[1] for row in rows], dtype=np.int64)
        expires = np.array([row[2].timestamp() for row in rows], dtype=np.float64)
        if rows:
            vectors = np.stack([embedding_from_bytes(row[3]) for row in rows])
            index.add(keys, vectors, threads=os.cpu_count() or 1)
        log.info("face index built from %d templates", len(rows))
        return keys, persons, expires

    def _save(
        self, index: Index, keys: np.ndarray, persons: np.ndarray, expires: np.ndarray, fp: str
    ) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        index_path, meta_path = self._paths(fp)
        pid = os.getpid()
        tmp_index = index_path.with_suffix(f".{pid}.tmp")
        tmp_meta = meta_path.with_suffix(f".{pid}.tmp.npz")
        index.save(str(tmp_index))
        np.savez(tmp_meta, keys=keys, persons=persons, expires=expires)
        # Metadata first: a reader that finds the index file also finds its metadata.
        tmp_meta.replace(meta_path)
        tmp_index.replace(index_path)
        for old in self.directory.glob("faces-*"):
            if not old.name.startswith(f"faces-{fp}.") and ".tmp" not in old.name:
                old.unlink(missing_ok=True)

    # --- search --------------------------------------------------------------------------------
    def __len__(self) -> int:
        self._ensure_fresh()
        return len(self._index) if self._index is not None else 0

    def match(self, embedding: np.ndarray, *, k: int = 5, threshold: float | None = None) -> list[FaceMatch]:
        """The closest enrolled persons within ``threshold``: best template per person, nearest first."""
        limit = settings.THANGLONG_FACE_MATCH_THRESHOLD if threshold is None else threshold
        self._ensure_fresh()
        index = self._index
        if index is None or len(index) == 0:
            return []
        vector = np.asarray(embedding, dtype=np.float32).reshape(DIMENSIONS)
        # Several templates per person: look further than k so k distinct persons can come back.
        found = index.search(vector, min(len(index), k * 4))
        now = timezone.now().timestamp()
        best: dict[int, FaceMatch] = {}
        for key, squared in zip(found.keys.tolist(), found.distances.tolist(), strict=True):
            distance = float(np.sqrt(max(squared, 0.0)))
            person = self._person.get(int(key))
            if person is None or distance > limit or self._expires.get(person, 0.0) <= now:
                continue
            if person not in best or distance < best[person].distance:
                best[person] = FaceMatch(template_id=int(key), person_id=person, distance=round(distance, 4))
        return sorted(best.values(), key=lambda match: match.distance)[:k]


_shared: FaceIndex | None = None
_shared_lock = threading.Lock()


def shared_index() -> FaceIndex:
    global _shared
    with _shared_lock:
        directory = Path(settings.VAR_DIR) / "faces"
        if _shared is None or _shared.directory != directory:
            _shared = FaceIndex(directory)
        return _shared


def match(embedding: np.ndarray, *, k: int = 5, threshold: float | None = None) -> list[FaceMatch]:
    return shared_index().match(embedding, k=k, threshold=threshold)


def invalidate() -> None:
    """Called by the watch-list services after a template is added or removed or a person changes."""
    shared_index().invalidate()
