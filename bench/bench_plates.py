"""Licence plates: reading accuracy (synthetic and real), detection recall, speed; Tesseract beside us.

* **Synthetic, held out** — plates rendered and degraded with a seed the training never used
  (``SEED``); the recogniser reads the crop (rows known from the crop's aspect, as in the reader),
  then grammar repair. Exact match is on the canonical text; character accuracy is
  1 − Levenshtein / length over the folded text (alphanumerics only).
* **Real crops** (``../shared/data/plates-vn-crops``, evaluation only, no licence to train on):
  the labels checked by eye in ``bench/data/plates_checked.csv`` (Vietnamese plates only) and,
  separately, the raw automatic labels of the 2,145 crops (recogniser on all, end to end
  on every 4th; about a fifth of two-row labels are wrong,
  and foreign plates are in there, so that figure is a floor). Two ways to read: the **reader**
  end to end (detector, crop, recogniser, grammar; wider crops and the whole frame re-read when
  the box fills or touches the frame or the read is doubtful, see ``plates/crops.py``) and the
  **recogniser** alone on the whole crop
  (the crop is the plate). Tesseract (``--psm 7``, character whitelist, ``OMP_THREAD_LIMIT=1``; a
  two-row plate is split into its rows, each read as a line) reads the same checked crops.
* **Real plates in scenes**: each checked crop shrunk to a camera's plate size (110–260 px wide for
  one row, 60–150 for two) and pasted into a synthetic 1280×720 street frame with clutter and text;
  the reader must find it (IoU ≥ 0.3) and read it. Stands in for whole photos of vehicles, which the
  set lacks.
* **Detection recall** on the checked real crops: a box covering at least 30 % of the crop (the plate
  fills most of each crop; the set has no boxes), and on synthetic 1280×720 frames: IoU ≥ 0.5.
* **Speed** per core: onnxruntime with one thread, median over synthetic 1280×720 frames of
  detect + read; and per-crop recognition time beside Tesseract's.
"""

from __future__ import annotations

import csv
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein

HERE = Path(__file__).resolve().parent
CHECKED = HERE / "data" / "plates_checked.csv"
SEED = 20261123  # the training scripts use 7 and 11 (and +1000 for their validation)
SYNTHETIC_PLATES = 400
FRAMES = 30
RAW_END_TO_END_EVERY = 4
SCENE_SIZE = (1280, 720)


def _fold(text: str) -> str:
    from thanglong.cameras.plates.grammar import fold_plate

    return fold_plate(text)


def _score(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """(exact, character accuracy) over (truth, read) pairs, compared folded."""
    if not pairs:
        return 0.0, 0.0
    exact = sum(_fold(t) == _fold(r) for t, r in pairs) / len(pairs)
    chars = sum(max(0, len(_fold(t)) - Levenshtein.distance(_fold(t), _fold(r))) for t, r in pairs)
    return exact, chars / sum(len(_fold(t)) for t, _ in pairs)


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def _tesseract(crop: np.ndarray, rows: int, workdir: Path) -> str:
    whitelist = "0123456789ABCDEFGHKLMNPRSTUVXYZ-."
    parts = [crop] if rows == 1 else [crop[: crop.shape[0] // 2], crop[crop.shape[0] // 2 :]]
    text = []
    for index, part in enumerate(parts):
        path = workdir / f"line{index}.png"
        gray = cv2.cvtColor(part, cv2.COLOR_BGR2GRAY)
        scale = 64 / max(1, gray.shape[0])  # Tesseract reads best at ~30–60 px glyphs
        cv2.imwrite(str(path), cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC))
        result = subprocess.run(  # noqa: S603
            ["tesseract", str(path), "stdout", "--psm", "7", "-c", f"tessedit_char_whitelist={whitelist}"],  # noqa: S607
            capture_output=True,
            text=True,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            check=False,
        )
        text.append(result.stdout.strip())
    return " ".join(text)


def _synthetic(recogniser: Any) -> dict[str, Any]:
    from thanglong.cameras.plates.grammar import repair
    from thanglong.cameras.plates.preprocess import rows_from_box
    from thanglong.cameras.plates.synth.scene import plate_crop

    rng = np.random.default_rng(SEED)
    pairs = []
    for _ in range(SYNTHETIC_PLATES):
        crop, spec = plate_crop(rng)
        rows = rows_from_box(crop.shape[1], crop.shape[0])
        (line,) = recogniser.read([(crop, rows)])
        text, _ = repair(line.candidates, rows=rows, split=line.first_half if rows == 2 else None)
        pairs.append((spec.text, text or line.text))
    return {"pairs": pairs}


def _frames(reader: Any) -> dict[str, Any]:
    from thanglong.cameras.plates.detector import box_iou
    from thanglong.cameras.plates.synth.scene import detector_scene

    rng = np.random.default_rng(SEED + 1)
    times, det_times, found, total = [], [], 0, 0
    for _ in range(FRAMES):
        frame, boxes = detector_scene(rng, 1280, 720, max_plates=3)
        started = time.perf_counter()
        reader.detector.detect(frame)
        det_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        reads = reader.read(frame)
        times.append(time.perf_counter() - started)
        for x, y, w, h, _ in boxes:
            total += 1
            found += any(box_iou((x, y, w, h), r.box) >= 0.5 for r in reads)
    return {
        "read_s": statistics.median(times),
        "detect_s": statistics.median(det_times),
        "recall": found / max(1, total),
    }


def _read_crop(reader: Any, image: np.ndarray, rows: int) -> tuple[str, bool]:
    """(end-to-end text, detected) for one real crop: the most confident read."""
    reads = reader.read(image)
    area = image.shape[0] * image.shape[1]
    detected = any(r.box[2] * r.box[3] >= 0.3 * area for r in reads)
    if not reads:
        return "", detected
    best = max(reads, key=lambda r: (r.valid, r.confidence))
    return best.text or best.raw, detected


def _in_scene(reader: Any, crop: np.ndarray, rng: np.random.Generator) -> str:
    """The read of a real crop pasted, at a camera's size, into a synthetic 1280×720 street frame:
    the detector has to find a real plate among clutter, as in a whole photo of a vehicle."""
    from thanglong.cameras.plates.detector import box_iou
    from thanglong.cameras.plates.synth.augment import random_background
    from thanglong.cameras.plates.synth.scene import _distractor_text

    frame = random_background(rng, SCENE_SIZE[1], SCENE_SIZE[0])
    _distractor_text(rng, frame)
    long_plate = crop.shape[1] > 2.6 * crop.shape[0]
    width = int(rng.uniform(110, 260) if long_plate else rng.uniform(60, 150))
    height = max(8, round(width * crop.shape[0] / crop.shape[1]))
    small = cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA)
    x = int(rng.integers(0, SCENE_SIZE[0] - width))
    y = int(rng.integers(SCENE_SIZE[1] // 3, SCENE_SIZE[1] - height))  # plates sit low in the frame
    frame[y : y + height, x : x + width] = small
    reads = [r for r in reader.read(frame) if box_iou((x, y, width, height), r.box) >= 0.3]
    if not reads:
        return ""
    best = max(reads, key=lambda r: (r.valid, r.confidence))
    return str(best.text or best.raw)


def _recognise_whole(recogniser: Any, image: np.ndarray, rows: int) -> str:
    from thanglong.cameras.plates.grammar import repair

    (line,) = recogniser.read([(image, rows)])
    text, _ = repair(line.candidates, rows=rows, split=line.first_half if rows == 2 else None)
    return text or line.text


def run() -> dict[str, Any]:
    from django.conf import settings

    from thanglong.cameras.plates.reader import MODELS_DIR, OnnxPlateReader

    if not (MODELS_DIR / "detector.onnx").exists() or not (MODELS_DIR / "recogniser.onnx").exists():
        return {"skipped": f"no plate models in {MODELS_DIR}"}
    reader = OnnxPlateReader()
    recogniser = reader.recogniser
    table: list[list[Any]] = [
        ["set", "n", "reader exact", "reader char acc", "Tesseract exact", "Tesseract char acc"]
    ]
    notes = ["Figures taken on a shared 2-core machine; onnxruntime and Tesseract on one thread each."]
    result: dict[str, Any] = {}

    synthetic = _synthetic(recogniser)
    exact, chars = _score(synthetic["pairs"])
    table.append(
        ["synthetic held-out (recogniser on crop)", len(synthetic["pairs"]), _pct(exact), _pct(chars), "", ""]
    )
    result["synthetic"] = {"exact": exact, "char_accuracy": chars, "n": len(synthetic["pairs"])}

    frames = _frames(reader)
    result["frames"] = frames
    notes.append(
        f"1280×720 synthetic frames: detect+read median {1000 * frames['read_s']:.0f} ms → "
        f"{1 / frames['read_s']:.1f} frames/s per core (detect only {1000 * frames['detect_s']:.0f} ms); "
        f"synthetic detection recall (IoU ≥ 0.5, read kept) {_pct(frames['recall'])}."
    )

    crops_dir = Path(settings.DATA_DIR) / "plates-vn-crops"
    if not (crops_dir / "labels.csv").exists():
        notes.append(f"real crops skipped: {crops_dir} absent")
        return {"table": table, "notes": notes, **result}
    checked = [row for row in csv.DictReader(CHECKED.open(encoding="utf-8")) if row["plate"]]
    has_tesseract = shutil.which("tesseract") is not None
    e2e, whole, tess, scene, detected = [], [], [], [], 0
    scene_rng = np.random.default_rng(SEED + 2)
    ours_s, tess_s = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for row in checked:
            image = cv2.imread(str(crops_dir / "images" / row["file"]))
            if image is None:
                continue
            rows = int(row["rows"])
            text, hit = _read_crop(reader, image, rows)
            detected += hit
            e2e.append((row["plate"], text))
            scene.append((row["plate"], _in_scene(reader, image, scene_rng)))
            started = time.perf_counter()
            whole.append((row["plate"], _recognise_whole(recogniser, image, rows)))
            ours_s.append(time.perf_counter() - started)
            if has_tesseract:
                started = time.perf_counter()
                tess.append((row["plate"], _tesseract(image, rows, Path(tmp))))
                tess_s.append(time.perf_counter() - started)
    for label, subset in (("all", None), ("1-row", "1"), ("2-row", "2")):
        keep = [i for i, row in enumerate(checked) if subset is None or row["rows"] == subset][: len(e2e)]
        e_exact, e_chars = _score([e2e[i] for i in keep])
        w_exact, w_chars = _score([whole[i] for i in keep])
        s_exact, s_chars = _score([scene[i] for i in keep])
        t_exact, t_chars = _score([tess[i] for i in keep]) if tess else (0.0, 0.0)
        tess_cells = [_pct(t_exact), _pct(t_chars)] if tess else ["n/a", "n/a"]
        table.append(
            [f"real checked {label}, end to end", len(keep), _pct(e_exact), _pct(e_chars), *tess_cells]
        )
        table.append(
            [f"real checked {label}, recogniser on crop", len(keep), _pct(w_exact), _pct(w_chars), "", ""]
        )
        table.append(
            [f"real checked {label}, in a 1280×720 scene", len(keep), _pct(s_exact), _pct(s_chars), "", ""]
        )
        result[f"real_checked_{label}"] = {
            "n": len(keep), "end_to_end": [e_exact, e_chars], "recogniser_on_crop": [w_exact, w_chars],
            "in_scene": [s_exact, s_chars],
            "tesseract": [t_exact, t_chars] if tess else None,
        }  # fmt: skip
    recall = detected / max(1, len(e2e))
    result["real_detection_recall"] = recall
    notes.append(
        f"Detection recall on the {len(e2e)} checked real crops (box ≥ 30 % of the crop): {_pct(recall)}."
    )
    if tess_s:
        ratio = statistics.median(tess_s) / statistics.median(ours_s)
        notes.append(
            f"Per real crop: recogniser {1000 * statistics.median(ours_s):.1f} ms, "
            f"Tesseract {1000 * statistics.median(tess_s):.0f} ms (×{ratio:.0f})."
        )

    raw = list(csv.DictReader((crops_dir / "labels.csv").open(encoding="utf-8")))
    raw_pairs, raw_whole = [], []
    for index, row in enumerate(raw):
        image = cv2.imread(str(crops_dir / "images" / row["file"]))
        if image is None:
            continue
        rows = int(row["rows"])
        if index % RAW_END_TO_END_EVERY == 0:  # end to end is ~20× the recogniser's time: a sample
            raw_pairs.append((row["plate"], _read_crop(reader, image, rows)[0]))
        raw_whole.append((row["plate"], _recognise_whole(recogniser, image, rows)))
    r_exact, r_chars = _score(raw_pairs)
    w_exact, w_chars = _score(raw_whole)
    table.append(
        [
            "real, raw auto labels (every 4th, incl. foreign), end to end",
            len(raw_pairs),
            _pct(r_exact),
            _pct(r_chars),
            "",
            "",
        ]
    )
    table.append(
        [
            "real, raw auto labels (all), recogniser on crop",
            len(raw_whole),
            _pct(w_exact),
            _pct(w_chars),
            "",
            "",
        ]
    )
    result["real_raw"] = {
        "n": len(raw_pairs),
        "end_to_end": [r_exact, r_chars],
        "recogniser_on_crop": [w_exact, w_chars],
    }
    return {"table": table, "notes": notes, **result}
