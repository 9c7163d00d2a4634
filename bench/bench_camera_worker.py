"""Camera worker throughput: frames per second per CPU core on 1280×720 video, by stage.

A synthetic clip (8 s, 25 fps, 1280×720, MPEG-4 part 2) shows two cars crossing the frame with
Vietnamese plates rendered by ``thanglong.cameras.plates.synth`` and, when the shared data is
there, a face from ``faces-deepface``. Each stage runs over the same decoded frames:

- decode only (PyAV, every frame converted to BGR) — the baseline;
- plates: detector + recogniser (``get_plate_reader()``) and the tracker;
- faces: dlib HOG detection + descriptors (``get_face_engine()``);
- both, as the worker runs a camera with plates and faces on.

"Per core" is frames per CPU-second of this process (user + system time of all its threads), so
the figure does not depend on how many cores the engines happened to use or on other load.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

WIDTH, HEIGHT, FPS, SECONDS = 1280, 720, 25, 8
ENGINE_FRAMES = 40  # frames each engine stage analyses (spread over the clip)


def data_dir() -> Path:
    root = os.environ.get("THANGLONG_DATA_DIR")
    base = Path(root) if root else Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    return base / "faces-deepface"


def background(rng: np.random.Generator) -> np.ndarray:
    image = np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8)
    image[: HEIGHT // 3] = np.linspace(200, 150, HEIGHT // 3, dtype=np.uint8)[:, None, None]
    image[HEIGHT // 3 :] = 80
    for x in range(0, WIDTH, 160):  # lane markings
        cv2.rectangle(image, (x, HEIGHT * 2 // 3), (x + 80, HEIGHT * 2 // 3 + 8), (220, 220, 220), -1)
    noise = rng.normal(0, 5, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def plates(rng: np.random.Generator) -> list[tuple[np.ndarray, str]]:
    try:
        from thanglong.cameras.plates.synth import random_spec, render_plate

        out = []
        for _ in range(2):
            spec = random_spec(rng)
            out.append((render_plate(spec, rng, px_per_mm=0.9).image, spec.text))
        return out
    except Exception:  # no fonts / package not there: the clip has no plates
        return []


def make_clip(path: Path, rng: np.random.Generator) -> dict[str, Any]:
    base = background(rng)
    rendered = plates(rng)
    face = None
    photo = cv2.imread(str(data_dir() / "img1.jpg"))
    if photo is not None:
        face = cv2.resize(photo, (150, round(150 * photo.shape[0] / photo.shape[1])))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), FPS, (WIDTH, HEIGHT))
    frames = FPS * SECONDS
    for i in range(frames):
        frame = base.copy()
        for k, (plate, _text) in enumerate(rendered):
            # Car k crosses from left to right during its half of the clip.
            start, length = k * frames // 2, frames // 2
            if not start <= i < start + length:
                continue
            progress = (i - start) / length
            car_w, car_h = 420, 260
            x = int(-car_w + progress * (WIDTH + car_w))
            y = HEIGHT // 2 - 40
            x0, x1 = max(0, x), min(WIDTH, x + car_w)
            if x1 <= x0:
                continue
            cv2.rectangle(frame, (x0, y), (x1, y + car_h), (60, 60, 160 + 40 * k), -1)
            ph, pw = plate.shape[:2]
            px, py = x + (car_w - pw) // 2, y + car_h - ph - 20
            if px >= 0 and px + pw <= WIDTH:
                frame[py : py + ph, px : px + pw] = plate
        if face is not None and FPS * 2 <= i < FPS * 5:
            fh, fw = face.shape[:2]
            frame[40 : 40 + fh, WIDTH - fw - 60 : WIDTH - 60] = face
        writer.write(frame)
    writer.release()
    return {"frames": frames, "plates": [text for _plate, text in rendered], "face": face is not None}


def cpu_and_wall(work: Callable[[], int]) -> tuple[int, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    count = work()
    return count, time.process_time() - cpu, time.perf_counter() - wall


def run() -> dict[str, Any]:
    from thanglong.cameras.worker.analyse import face_engine_or_none, plate_reader_or_none
    from thanglong.cameras.worker.sources import open_source

    rng = np.random.default_rng(2026)
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        info = make_clip(clip, rng)

        def decode_all() -> int:
            return sum(1 for _ in open_source(str(clip), sample_fps=1000.0).frames())

        decoded, decode_cpu, decode_wall = cpu_and_wall(decode_all)
        step = max(1, info["frames"] // ENGINE_FRAMES)
        frames = [f for f in open_source(str(clip), sample_fps=1000.0).frames() if f.index % step == 0]

    reader = plate_reader_or_none()
    engine = face_engine_or_none()
    decode_per_frame = decode_cpu / decoded
    rows: list[list[Any]] = [["stage", "frames", "CPU ms/frame", "frames/s per core", "× decode-only time"]]
    rows.append(["decode only (baseline)", decoded, round(decode_per_frame * 1000, 2),
                 round(1 / decode_per_frame, 1), 1.0])  # fmt: skip
    shown = ", ".join(info["plates"]) or "none"
    face = "yes" if info["face"] else "no (shared data absent)"
    notes = [f"clip: {WIDTH}×{HEIGHT}, {FPS} fps, {SECONDS} s; plates shown: {shown}; face shown: {face}"]
    detail: dict[str, Any] = {"decode_wall_fps": round(decoded / decode_wall, 1)}
    stages: list[tuple[str, Callable[[np.ndarray], Any]]] = []
    if reader is not None:
        stages.append(("plates: detect + read", reader.read))
    else:
        notes.append("plate reader unavailable (models not built?): plates not measured")
    if engine is not None:
        stages.append(("faces: detect + descriptor", lambda image: engine.find(image, embed=True)))
    if reader is not None and engine is not None:
        stages.append(("plates + faces", lambda image: (reader.read(image), engine.find(image, embed=True))))
    for name, stage in stages:
        stage(frames[0].image)  # warm up (model load, allocator)
        outputs: list[Any] = []

        def analyse_all(stage: Callable[[np.ndarray], Any] = stage, outputs: list[Any] = outputs) -> int:
            for frame in frames:
                outputs.append(stage(frame.image))
            return len(frames)

        count, cpu, wall = cpu_and_wall(analyse_all)
        per_frame = cpu / count + decode_per_frame
        rows.append([name, count, round(per_frame * 1000, 1), round(1 / per_frame, 2),
                     round(per_frame / decode_per_frame, 1)])  # fmt: skip
        detail[name] = {"cpu_ms_per_frame": per_frame * 1000, "wall_ms_per_frame": wall / count * 1000}
        if name.startswith("plates:"):
            texts = sorted({read.text for reads in outputs for read in reads if read.text})
            detail["plates_read"] = texts
            notes.append(f"plates read in the sampled frames: {', '.join(texts) or 'none'}")
    notes.append(
        "each engine stage includes one frame's decoding; a camera sampled at F fps needs about "
        "F / (frames/s per core) cores for analysis, plus decoding of every frame at the stream's rate"
    )
    notes.append("figures taken on a shared 2-core machine; per-core figures use process CPU time")
    return {"table": rows, "notes": notes, **detail}
