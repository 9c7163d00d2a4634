"""Shared training plumbing: options, seeds, thread limits, the training loop, progress lines, ONNX export."""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import cv2
import numpy as np
import torch

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
S = TypeVar("S")


def training_arguments(
    doc: str | None, *, steps: int, batch: int, pool: int, refresh: int, lr: float, seed: int, out: Path
) -> argparse.ArgumentParser:
    """The options both trainers take, with each model's defaults; a trainer adds its own."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=steps)
    parser.add_argument("--batch", type=int, default=batch)
    parser.add_argument("--pool", type=int, default=pool)
    parser.add_argument("--refresh", type=int, default=refresh, help="samples re-rendered per step")
    parser.add_argument("--lr", type=float, default=lr)
    parser.add_argument("--minutes", type=float, default=None, help="time budget; the schedule ends early")
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--every", type=int, default=100, help="report/checkpoint interval")
    parser.add_argument("--out", default=str(out))
    parser.add_argument("--init", default=None, help="continue from this ONNX export of the model")
    return parser


def train(
    model: torch.nn.Module,
    args: argparse.Namespace,
    rng: np.random.Generator,
    pool: list[S],
    render: Callable[[np.random.Generator], S],
    loss_of: Callable[[list[S]], torch.Tensor],
    checkpoint: Callable[[], dict[str, float]],
) -> int:
    """AdamW over a pool of rendered samples, a few re-rendered each step so the model sees a stream
    of fresh ones without waiting on rendering; warm-up then cosine over :class:`Budget`; gradients
    clipped at 5. Every ``--every`` steps and at the end: ``checkpoint()`` (validation figures,
    export) and a progress line. Returns the number of steps taken."""
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    progress = Progress(args.steps)
    budget = Budget(args.steps, args.minutes)
    running = 0.0
    step = 0
    while budget.progress(step) < 1.0:
        step += 1
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(args.lr, budget.progress(step - 1))
        for _ in range(args.refresh):
            pool[int(rng.integers(len(pool)))] = render(rng)
        loss = loss_of([pool[i] for i in rng.choice(len(pool), args.batch, replace=False)])
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimiser.step()
        value = float(loss.detach())
        running = 0.95 * running + 0.05 * value if step > 1 else value
        if step % args.every == 0 or budget.progress(step) >= 1.0:
            figures: dict[str, Any] = {"loss": running, **checkpoint()}
            progress.report(step, **figures)
            model.train()
    return step


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


def warm_start(model: torch.nn.Module, path: Path, calibration: torch.Tensor) -> float:
    """Start ``model`` from a shipped ONNX export of the same network; returns the largest output
    difference from the ONNX model on ``calibration``.

    The export folds each BatchNorm into the convolution before it, so only the fused weights
    survive. Each BatchNorm is set to pass its convolution's output through unchanged on data like
    ``calibration`` (running statistics and scale from that data, shift = the fused bias), in order,
    so training continues from the shipped model instead of from random weights.
    """
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    weights = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    modules = dict(model.named_modules())
    names = list(modules)
    fused: list[tuple[torch.nn.Module, torch.nn.Module, torch.Tensor]] = []
    with torch.no_grad():
        for node in graph.node:
            if node.op_type != "Conv":
                continue
            if node.input[1].endswith(".weight"):  # unfused: the parameter keeps its module's name
                name = node.input[1].removesuffix(".weight")
            else:  # "/features/features.0/features.0.0/Conv_output_0"
                name = node.output[0].split("/")[-2]
            conv = modules[name]
            assert isinstance(conv, torch.nn.Conv1d | torch.nn.Conv2d), name
            conv.weight.copy_(torch.from_numpy(weights[node.input[1]].copy()).reshape(conv.weight.shape))
            bias = torch.from_numpy(weights[node.input[2]].copy())
            after = modules[names[names.index(name) + 1]] if names.index(name) + 1 < len(names) else None
            if isinstance(after, torch.nn.BatchNorm1d | torch.nn.BatchNorm2d):
                if conv.bias is not None:
                    conv.bias.zero_()
                fused.append((conv, after, bias))
            else:
                assert conv.bias is not None, name
                conv.bias.copy_(bias)
        model.eval()
        captured: list[torch.Tensor] = []
        for conv, norm, bias in fused:
            captured.clear()
            hook = conv.register_forward_hook(lambda _m, _i, out: captured.append(out))
            model(calibration)
            hook.remove()
            out = captured[0].transpose(0, 1).reshape(captured[0].shape[1], -1)
            mean, var = out.mean(dim=1), out.var(dim=1)
            assert isinstance(norm, torch.nn.BatchNorm1d | torch.nn.BatchNorm2d)
            # torch's stubs type the running stats as optional; without torch (the `[train]` extra) the
            # checker sees nothing to ignore here, hence unused-ignore.
            norm.running_mean.copy_(mean)  # type: ignore[union-attr, unused-ignore]
            norm.running_var.copy_(var)  # type: ignore[union-attr, unused-ignore]
            norm.weight.copy_(torch.sqrt(var + norm.eps))
            norm.bias.copy_(mean + bias)
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        reference = session.run(None, {"input": calibration.numpy()})[0]
        ours = model(calibration)
        ours = ours[0] if isinstance(ours, tuple) else ours
    model.train()
    return float(np.abs(ours.numpy() - reference).max())
