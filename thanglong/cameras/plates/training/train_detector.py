"""Train the plate detector (CenterNet-style heatmaps + sizes) on synthetic scenes; export to ONNX.

    nice -n 10 python -m thanglong.cameras.plates.training.train_detector --steps 1500 --seed 11

Targets at 1/4 resolution: a Gaussian peak at each plate's centre in channel 0 (one row) or 1
(two rows), and log(width/4), log(height/4) regressed at the peak. Loss: CenterNet focal loss on the
heatmap plus L1 on the sizes at the centres.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from thanglong.cameras.plates.detector import box_iou, decode
from thanglong.cameras.plates.preprocess import DET_STRIDE
from thanglong.cameras.plates.synth.scene import Box, detector_scene
from thanglong.cameras.plates.training.common import (
    MODELS_DIR,
    export_onnx,
    setup,
    train,
    training_arguments,
    warm_start,
)
from thanglong.cameras.plates.training.nets import Detector

Sample = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[Box]]


def targets(boxes: list[Box], size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    out = size // DET_STRIDE
    heat = np.zeros((2, out, out), np.float32)
    wh = np.zeros((2, out, out), np.float32)
    mask = np.zeros((out, out), np.float32)
    yy, xx = np.mgrid[0:out, 0:out]
    for x, y, w, h, rows in boxes:
        cx, cy = (x + w / 2) / DET_STRIDE, (y + h / 2) / DET_STRIDE
        sx, sy = max(0.8, w / DET_STRIDE / 6), max(0.8, h / DET_STRIDE / 6)
        g = np.exp(-((xx - cx) ** 2) / (2 * sx**2) - ((yy - cy) ** 2) / (2 * sy**2))
        channel = 0 if rows == 1 else 1
        heat[channel] = np.maximum(heat[channel], g)
        ix, iy = min(out - 1, int(cx)), min(out - 1, int(cy))
        heat[channel, iy, ix] = 1.0
        wh[:, iy, ix] = np.log(w / DET_STRIDE), np.log(h / DET_STRIDE)
        mask[iy, ix] = 1.0
    return heat, wh, mask


def sample(rng: np.random.Generator, size: int, close_ups: float = 0.2) -> Sample:
    image, boxes = detector_scene(rng, size, size, close_ups=close_ups)
    heat, wh, mask = targets(boxes, size)
    return image, heat.astype(np.float16), wh.astype(np.float16), mask, boxes  # small: the pool is large


def _tensor(images: list[np.ndarray]) -> torch.Tensor:
    """BGR uint8 images → (N, 3, H, W) RGB float in [0, 1], as preprocess.detector_input makes."""
    rgb = np.stack([image[:, :, ::-1].transpose(2, 0, 1) for image in images]).astype(np.float32) / 255.0
    return torch.from_numpy(rgb)


def focal_loss(pred: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    pred = pred.clamp(1e-4, 1 - 1e-4)
    pos = gt.eq(1).float()
    neg = 1 - pos
    pos_loss = torch.log(pred) * (1 - pred) ** 2 * pos
    neg_loss = torch.log(1 - pred) * pred**2 * (1 - gt) ** 4 * neg
    count = pos.sum().clamp(min=1)
    return -(pos_loss.sum() + neg_loss.sum()) / count


def recall(model: nn.Module, val: list[Sample]) -> float:
    """Share of plates with a detection of IoU ≥ 0.5 (threshold 0.3), the cheap progress figure."""
    model.eval()
    found = total = 0
    with torch.no_grad():
        for image, _, _, _, boxes in val:
            heat, size = model(_tensor([image]))
            dets = decode(heat[0].numpy(), size[0].numpy(), threshold=0.3)
            for x, y, w, h, _ in boxes:
                total += 1
                found += any(box_iou((x, y, w, h), d) >= 0.5 for d in dets)
    model.train()
    return found / max(total, 1)


def main() -> None:
    parser = training_arguments(
        __doc__,
        steps=1500,
        batch=12,
        pool=1200,
        refresh=4,
        lr=2e-3,
        seed=11,
        out=MODELS_DIR / "detector.onnx",
    )
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--close-ups", type=float, default=0.2, help="share of frame-filling plates")
    args = parser.parse_args()

    rng = setup(args.seed, args.threads)
    val_rng = np.random.default_rng(args.seed + 1000)
    print(f"rendering {args.pool} training and 60 validation scenes …", flush=True)
    pool = [sample(rng, args.size, args.close_ups) for _ in range(args.pool)]
    val = [sample(val_rng, args.size) for _ in range(60)]
    model = Detector()
    if args.init:
        gap = warm_start(model, Path(args.init), _tensor([p[0] for p in pool[:64]]))
        print(f"started from {args.init} (max output difference {gap:.1e})", flush=True)
    print(f"validation recall before training: {recall(model, val):.4f}", flush=True)

    def loss_of(picks: list[Sample]) -> torch.Tensor:
        rgb = _tensor([p[0] for p in picks])
        heat_gt = torch.from_numpy(np.stack([p[1] for p in picks]).astype(np.float32))
        wh_gt = torch.from_numpy(np.stack([p[2] for p in picks]).astype(np.float32))
        mask = torch.from_numpy(np.stack([p[3] for p in picks]))[:, None]
        heat, size = model(rgb)
        size_loss = (torch.abs(size - wh_gt) * mask).sum() / mask.sum().clamp(min=1)
        return focal_loss(heat, heat_gt) + size_loss

    def checkpoint() -> dict[str, float]:
        val_recall = recall(model, val)
        export_onnx(
            model, torch.zeros(1, 3, args.size, args.size), Path(args.out), outputs=["heat", "size"],
            dynamic={"input": {0: "n", 2: "h", 3: "w"}, "heat": {0: "n", 2: "hh", 3: "ww"},
                     "size": {0: "n", 2: "hh", 3: "ww"}},
        )  # fmt: skip
        return {"val_recall": val_recall}

    def render(generator: np.random.Generator) -> Sample:
        return sample(generator, args.size, args.close_ups)

    step = train(model, args, rng, pool, render, loss_of, checkpoint)
    print(f"saved {args.out} after {step} steps")


if __name__ == "__main__":
    main()
