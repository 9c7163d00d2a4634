"""1:N search of a face descriptor over the enrolled watch-list templates (usearch HNSW).

Metric: squared L2 on dlib's raw descriptors, not cosine on normalised ones. dlib trained its
ResNet so that one person's photos lie within Euclidean distance 0.6 of each other, and its
descriptors are not unit length (their norms vary, ~1.4–1.6); normalising would change every
distance and the 0.6 convention (and thresholds tuned by ``python -m bench faces``) would no longer
carry over. With ``l2sq`` the index returns exactly dlib's distance squared.

The index is built from ``FaceTemplate`` rows of active watch-list persons and saved under
``VAR_DIR/faces/`` with a fingerprint of the rows it holds (count, id sum, latest id, latest change
of a person) and of the graph's build parameters (``index_params()``): usearch's ``load`` silently
adopts the connectivity and dtype stored in the file, so without them in the file name an index
built with older parameters would be reused as it is. Each process re-checks the fingerprint before
a search (at most every ``RECHECK_SECONDS``; at once after ``invalidate()``), loads the saved file
when another process already built it, applies a small change (an enrolment, a deactivation) to the
graph it holds, and rebuilds otherwise.
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
# HNSW parameters, measured with ``python -m bench faces`` (synthetic descriptors around the real
# ones, 1,000 probes, recall@1 = the index's nearest is the exact nearest; shared 2-core machine).
# Before: 16 links, build beam 64, f32, search beam 256: recall@1 97.8 % at 100k and 90.9 % at 1M
# (p99 4.6 ms). At 100k (one build thread) that graph stalls at 99.1 % even with a search beam of
# 2,048: the misses are nodes the graph barely reaches, so a wider search beam cannot fix it.
# 16 links with build beam 200: 99.6–99.7 %. 32 links with build beam 128: 100.0 % from search beam
# 256 on, f32 and f16 alike; f16 built faster (97 s vs 129 s at 100k) and halves the vectors'
# memory. dlib's components are small (|x| ≤ 0.54 in the test photos): f16 moved their distances
# by at most 1.6e-4, far below the spread of tuned thresholds (0.60–0.65).
# At 1M (f16, 32/128; build 48 min on one thread of the shared machine, the old graph 21 min on two)
# search beam 256 / 512 / 1,024 gave recall@1 98.9 / 99.4 / 99.6 %, p99 7.7 / 12.0 / 19.9 ms: 512 is
# the smallest beam at ≥ 99 % and keeps p99 well under the 20 ms goal. The beam is set per search
# (no rebuild needed to change it).
CONNECTIVITY = 32
EXPANSION_ADD = 128
DTYPE = "f16"
EXPANSION_SEARCH = 512
# Changes up to this many templates (or a tenth of the index, if more) are applied to the loaded graph.
MIN_REBUILD_CHANGE = 1000


@dataclass(frozen=True)
class FaceMatch:
    template_id: int
    person_id: int
    distance: float  # Euclidean, dlib's scale


def new_index() -> Index:
    return Index(
        ndim=DIMENSIONS,
        metric="l2sq",
        dtype=DTYPE,
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


def index_params() -> str:
    """Part of the saved file's name: an index built with other parameters is rebuilt, never loaded."""
    return f"c{CONNECTIVITY}a{EXPANSION_ADD}{DTYPE}"


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
        self.builds = 0  # whole graphs built by this process (reported by the tests and the bench)
        self.updates = 0  # in-place updates

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
        rows = f"{stats['n'] or 0}-{stats['total'] or 0}-{stats['last'] or 0}-{changed}"
        return f"v{FORMAT_VERSION}-{index_params()}-{rows}"

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
        if self._index is not None and self._update_in_place(fingerprint):
            return
        index_path, meta_path = self._paths(fingerprint)
        index = new_index()
        if index_path.exists() and meta_path.exists():
            try:
                index.load(str(index_path))
                # A query-time setting, not the file's. (usearch declares this setter away from its
                # getter, which mypy takes for a read-only property.)
                index.expansion_search = EXPANSION_SEARCH  # type: ignore[misc]
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

    def _update_in_place(self, fingerprint: str) -> bool:
        """Add new templates to the loaded graph and drop removed ones, instead of rebuilding it.

        Enrolling one wanted person must not cost a rebuild of the whole graph (about 2 minutes at
        100,000 templates, most of an hour at 1,000,000, and the first search waits for it). A change
        larger than a tenth of the index is rebuilt: many deletions leave holes in the graph that
        lower recall. The result is saved under the new fingerprint, so other processes and restarts
        load it instead of rebuilding.
        """
        index = self._index
        assert index is not None
        rows = list(self._templates().values_list("id", "person_id", "person__expires_at"))
        current = {int(row[0]): (int(row[1]), row[2].timestamp()) for row in rows}
        added = sorted(current.keys() - self._person.keys())
        removed = sorted(self._person.keys() - current.keys())
        if len(added) + len(removed) > max(MIN_REBUILD_CHANGE, len(current) // 10):
            return False
        if removed:
            index.remove(np.array(removed, dtype=np.uint64))
        if added:
            from thanglong.cameras.models import FaceTemplate

            embeddings = dict(FaceTemplate.objects.filter(id__in=added).values_list("id", "embedding"))
            added = [key for key in added if key in embeddings]  # deleted since the first query
            if added:
                vectors = np.stack([embedding_from_bytes(embeddings[key]) for key in added])
                index.add(np.array(added, dtype=np.uint64), vectors, threads=os.cpu_count() or 1)
        self._person = {key: person for key, (person, _) in current.items()}
        self._expires = dict(current.values())
        keys = np.array(list(self._person), dtype=np.uint64)
        persons = np.array(list(self._person.values()), dtype=np.int64)
        expires = np.array([self._expires[person] for person in self._person.values()], dtype=np.float64)
        if not all(path.exists() for path in self._paths(fingerprint)):
            # Every process applies the same change to its own graph; the first one to finish saves it.
            self._save(index, keys, persons, expires, fingerprint)
        self._fingerprint = fingerprint
        self.updates += 1
        log.info("face index updated in place: +%d −%d templates", len(added), len(removed))
        return True

    def _build(self, index: Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self.builds += 1
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
