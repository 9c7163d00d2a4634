"""Shared training plumbing: seeds, thread limits, progress lines, ONNX export."""

from __future__ import annotations

import math
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import torch

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


def setup(seed: int, threads: int) -> np.random.Generator:
    torch.set_num_threads(threads)
    cv2.setNumThreads(1)  # rendering tiny images: OpenCV's thread pool only adds overhead
    torch.manual_seed(seed)
    random.seed(seed)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    return np.random.default_rng(seed)


def learning_rate(peak: float, progress: float, warmup: float = 0.05) -> float:
    """Linear warm-up, then cosine decay to zero; ``progress`` in [0, 1]."""
    if progress < warmup:
        return peak * max(progress, 0.01) / warmup
    return peak * 0.5 * (1 + math.cos(math.pi * min(1.0, (progress - warmup) / (1 - warmup))))


class Budget:
    """Training length as steps and, optionally, minutes: the shared machine's speed varies, so the
    schedule follows whichever runs out first and the run always ends annealed."""

    def __init__(self, steps: int, minutes: float | None) -> None:
        self.steps = steps
        self.seconds = minutes * 60 if minutes else None
        self.started = time.perf_counter()

    def progress(self, step: int) -> float:
        done = step / self.steps
        if self.seconds:
            done = max(done, (time.perf_counter() - self.started) / self.seconds)
        return min(1.0, done)


class Progress:
    """One line per report: step, elapsed time, steps/s and whatever figures the caller passes."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.started = time.perf_counter()

    def report(self, step: int, **figures: float) -> None:
        elapsed = time.perf_counter() - self.started
        rate = step / elapsed if elapsed else 0.0
        eta = (self.total - step) / rate if rate else 0.0
        shown = " ".join(f"{k}={v:.4f}" for k, v in figures.items())
        print(
            f"[{step:>6}/{self.total}] {elapsed:7.0f}s {rate:5.2f} step/s eta {eta:5.0f}s {shown}", flush=True
        )
        sys.stdout.flush()


def export_onnx(
    model: torch.nn.Module,
    example: torch.Tensor,
    path: Path,
    *,
    outputs: Sequence[str],
    dynamic: dict[str, dict[int, str]],
) -> None:
    model.eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.onnx.export(
        model,
        (example,),
        str(tmp),
        input_names=["input"],
        output_names=list(outputs),
        dynamic_axes=dynamic,
        opset_version=17,
        dynamo=False,
    )
    tmp.replace(path)
