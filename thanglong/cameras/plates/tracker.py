"""Follow plates across frames and emit one pass per vehicle, read by per-position voting.

A single frame is often misread in one character (motion blur, a reflection); the same plate read
in several frames usually is not misread in the same place, so each character position takes the
confidence-weighted majority of the reads of that pass.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from thanglong.cameras.engines import PlateRead
from thanglong.cameras.plates.detector import box_iou
from thanglong.cameras.plates.grammar import fold_plate, normalise_plate


@dataclass(frozen=True)
class PlatePass:
    text: str
    confidence: float
    first_seen: float  # seconds, stream clock
    last_seen: float
    best: PlateRead
    best_frame: int
    reads: int  # frames it was read in


@dataclass
class _Track:
    first_seen: float
    last_seen: float
    box: tuple[int, int, int, int]
    observations: list[tuple[int, PlateRead]] = field(default_factory=list)

    def folded(self) -> list[str]:
        return [fold_plate(read.text or read.raw) for _, read in self.observations]


class PlateTracker:
    def __init__(self, *, max_gap_s: float = 2.0, min_reads: int = 2) -> None:
        self.max_gap_s = max_gap_s
        self.min_reads = min_reads
        self._tracks: list[_Track] = []

    def update(self, t: float, frame_index: int, reads: list[PlateRead]) -> list[PlatePass]:
        """Add one frame's reads; returns the passes that ended (not seen for max_gap_s)."""
        ended = [track for track in self._tracks if t - track.last_seen > self.max_gap_s]
        self._tracks = [track for track in self._tracks if track not in ended]
        claimed: set[int] = set()
        for read in sorted(reads, key=lambda r: -r.confidence):
            track = self._match(read, claimed)
            if track is None:
                track = _Track(first_seen=t, last_seen=t, box=read.box)
                self._tracks.append(track)
            claimed.add(id(track))
            track.last_seen = t
            track.box = read.box
            track.observations.append((frame_index, read))
        return self._finish(ended)

    def flush(self) -> list[PlatePass]:
        """End every open pass (end of stream)."""
        ended, self._tracks = self._tracks, []
        return self._finish(ended)

    def _match(self, read: PlateRead, claimed: set[int]) -> _Track | None:
        folded = fold_plate(read.text or read.raw)
        best: tuple[float, _Track] | None = None
        for track in self._tracks:
            if id(track) in claimed:
                continue
            texts = track.folded()
            distance = min((Levenshtein.distance(folded, other) for other in texts if other), default=99)
            overlap = box_iou(read.box, track.box)
            # Same plate: nearly the same text, or (for an unreadable frame) the same place.
            score = -1.0
            if folded and distance <= max(1, len(folded) // 4):
                score = 2.0 - distance * 0.3 + overlap
            elif overlap > 0.3:
                score = overlap
            if score > 0 and (best is None or score > best[0]):
                best = (score, track)
        return best[1] if best else None

    def _finish(self, tracks: list[_Track]) -> list[PlatePass]:
        passes = []
        for track in tracks:
            frames = {frame for frame, _ in track.observations}
            if len(frames) < self.min_reads:
                continue
            passes.append(self._vote(track, len(frames)))
        return passes

    def _vote(self, track: _Track, frames: int) -> PlatePass:
        observations = [(f, r, fold_plate(r.text or r.raw)) for f, r in track.observations]
        lengths = Counter(len(text) for _, _, text in observations if text)
        voted = ""
        agreement = 0.0
        if lengths:
            length = lengths.most_common(1)[0][0]
            same = [(r, text) for _, r, text in observations if len(text) == length]
            chars = []
            shares = []
            for position in range(length):
                weights: defaultdict[str, float] = defaultdict(float)
                for read, text in same:
                    weights[text[position]] += max(read.confidence, 1e-3) + (0.5 if read.valid else 0.0)
                char, weight = max(weights.items(), key=lambda item: item[1])
                chars.append(char)
                shares.append(weight / sum(weights.values()))
            rows = Counter(r.rows for r, _ in same).most_common(1)[0][0]
            voted = normalise_plate("".join(chars), rows=rows)
            agreement = min(shares) if shares else 0.0
        candidates = [(f, r) for f, r, text in observations if voted and text == fold_plate(voted)]
        if not voted or not candidates:
            # Voting made no valid plate: fall back to the most confident valid single read.
            valid = [(f, r) for f, r, _ in observations if r.valid] or [(f, r) for f, r, _ in observations]
            frame, best = max(valid, key=lambda item: item[1].confidence)
            return PlatePass(
                best.text, best.confidence * 0.5, track.first_seen, track.last_seen, best, frame, frames
            )
        frame, best = max(candidates, key=lambda item: item[1].confidence)
        confidence = min(1.0, 0.5 * agreement + 0.5 * max(r.confidence for _, r in candidates))
        return PlatePass(voted, confidence, track.first_seen, track.last_seen, best, frame, frames)
