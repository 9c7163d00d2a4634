"""Plate detector at run time: ONNX CenterNet-style heatmaps → boxes, at two scales, merged by NMS."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from thanglong.cameras.plates.preprocess import DET_MAX_SIDE, DET_STRIDE, detector_input

Detection = tuple[float, float, float, float, float, int]  # x, y, w, h, score, rows


def decode(heat: np.ndarray, size: np.ndarray, *, threshold: float = 0.3, top: int = 20) -> list[Detection]:
    """Peaks of a (2, H, W) heatmap with their (log w/4, log h/4) sizes, in detector-input pixels."""
    detections: list[Detection] = []
    for channel in range(heat.shape[0]):
        h = heat[channel].astype(np.float32)
        peaks = (h >= threshold) & (h == cv2.dilate(h, np.ones((3, 3), np.uint8)))
        for y, x in zip(*np.nonzero(peaks), strict=True):
            w = float(np.exp(size[0, y, x])) * DET_STRIDE
            hh = float(np.exp(size[1, y, x])) * DET_STRIDE
            cx, cy = (x + 0.5) * DET_STRIDE, (y + 0.5) * DET_STRIDE
            detections.append((cx - w / 2, cy - hh / 2, w, hh, float(h[y, x]), channel + 1))
    detections.sort(key=lambda d: -d[4])
    return detections[:top]


def box_iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two (x, y, w, h, …) boxes; anything after the first four is ignored."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def nms(detections: list[Detection], *, iou: float = 0.4) -> list[Detection]:
    kept: list[Detection] = []
    for det in sorted(detections, key=lambda d: -d[4]):
        if all(box_iou(det, k) < iou for k in kept):
            kept.append(det)
    return kept


class OnnxDetector:
    # Two passes: full detail for distant plates, a coarse one whose receptive field covers a plate
    # that fills the frame (close-ups, uploaded crops).
    scales = (DET_MAX_SIDE, DET_MAX_SIDE // 2)

    def __init__(self, path: Path, *, threshold: float = 0.35) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.threshold = threshold

    def detect(self, image: np.ndarray) -> list[Detection]:
        found: list[Detection] = []
        height, width = image.shape[:2]
        for side in self.scales:
            scale = min(1.0, side / max(height, width))
            if side != self.scales[0] and scale >= 1.0:
                continue  # the small image was already seen whole
            small = (
                image
                if scale >= 1.0
                else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            )
            tensor, _ = detector_input(small)
            heat, size = self.session.run(None, {"input": tensor[None]})
            for x, y, w, h, score, rows in decode(heat[0], size[0], threshold=self.threshold):
                found.append((x / scale, y / scale, w / scale, h / scale, score, rows))
        kept = []
        for x, y, w, h, score, rows in nms(found):
            x0, y0 = max(0.0, x), max(0.0, y)
            x1, y1 = min(float(width), x + w), min(float(height), y + h)
            if x1 - x0 >= 4 and y1 - y0 >= 4:
                kept.append((x0, y0, x1 - x0, y1 - y0, score, rows))
        return kept
