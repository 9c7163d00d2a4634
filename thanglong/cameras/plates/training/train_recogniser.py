"""Train the plate character recogniser (CRNN + CTC) on synthetic plates and export it to ONNX.

    nice -n 10 python -m thanglong.cameras.plates.training.train_recogniser --steps 2400 --seed 7
    # continue from a shipped model (see models/MODEL_CARD.md for the steps of the shipped one):
    nice -n 10 python -m thanglong.cameras.plates.training.train_recogniser --seed 8 --lr 1.5e-3 \
        --init thanglong/cameras/plates/models/recogniser.onnx --out /tmp/recogniser.onnx

A pool of rendered samples is kept in memory and a few are replaced every step, so the model sees a
stream of fresh plates without waiting on rendering. Progress and validation accuracy (held-out
synthetic plates, another seed) are printed; the ONNX file is rewritten at each checkpoint.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from thanglong.cameras.plates.preprocess import ALPHABET
from thanglong.cameras.plates.recogniser import greedy_decode
from thanglong.cameras.plates.synth.scene import recogniser_sample
from thanglong.cameras.plates.training.common import (
    MODELS_DIR,
    export_onnx,
    setup,
    train,
    training_arguments,
    warm_start,
)
from thanglong.cameras.plates.training.nets import Recogniser

INDEX = {c: i + 1 for i, c in enumerate(ALPHABET)}


def _batch(samples: list[tuple[np.ndarray, str, int]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    images = torch.from_numpy(np.stack([s[0] for s in samples]))
    targets = torch.tensor([INDEX[c] for s in samples for c in s[1]], dtype=torch.long)
    lengths = torch.tensor([len(s[1]) for s in samples], dtype=torch.long)
    return images, targets, lengths


def evaluate(model: nn.Module, samples: list[tuple[np.ndarray, str, int]]) -> float:
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(np.stack([s[0] for s in samples]))).numpy()
    model.train()
    hits = sum(greedy_decode(row)[0] == s[1] for row, s in zip(logits, samples, strict=True))
    return hits / len(samples)


def main() -> None:
    parser = training_arguments(
        __doc__,
        steps=2400,
        batch=48,
        pool=5000,
        refresh=8,
        lr=3e-3,
        seed=7,
        out=MODELS_DIR / "recogniser.onnx",
    )
    args = parser.parse_args()

    rng = setup(args.seed, args.threads)
    val_rng = np.random.default_rng(args.seed + 1000)
    print(f"rendering {args.pool} training and 400 validation plates …", flush=True)
    pool = [recogniser_sample(rng) for _ in range(args.pool)]
    val = [recogniser_sample(val_rng) for _ in range(400)]
    model = Recogniser()
    if args.init:
        calibration = torch.from_numpy(np.stack([sample[0] for sample in pool[:256]]))
        gap = warm_start(model, Path(args.init), calibration)
        print(f"started from {args.init} (max output difference {gap:.1e})", flush=True)
    progress_start = evaluate(model, val)
    print(f"validation exact before training: {progress_start:.4f}", flush=True)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)

    def loss_of(picks: list[tuple[np.ndarray, str, int]]) -> torch.Tensor:
        images, targets, lengths = _batch(picks)
        log_probs = model(images).log_softmax(2).permute(1, 0, 2)  # (T, N, C)
        input_lengths = torch.full((images.shape[0],), log_probs.shape[0], dtype=torch.long)
        loss: torch.Tensor = ctc(log_probs, targets, input_lengths, lengths)
        return loss

    def checkpoint() -> dict[str, float]:
        val_exact = evaluate(model, val)
        export_onnx(
            model, torch.zeros(1, 1, 32, 160), Path(args.out), outputs=["logits"],
            dynamic={"input": {0: "n"}, "logits": {0: "n"}},
        )  # fmt: skip
        return {"val_exact": val_exact}

    step = train(model, args, rng, pool, recogniser_sample, loss_of, checkpoint)
    print(f"saved {args.out} after {step} steps")


if __name__ == "__main__":
    main()
