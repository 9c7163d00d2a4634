"""The two small networks. Shapes are fixed by thanglong.cameras.plates.preprocess."""

from __future__ import annotations

import torch
from torch import nn

from thanglong.cameras.plates.preprocess import ALPHABET


def _block(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Recogniser(nn.Module):
    """CRNN: conv features over a 32×160 line → 40 time steps → temporal convolutions → CTC logits.

    Dilated 1-D convolutions give each step the context a BiGRU would, at a fraction of the CPU
    cost (a GRU's backward pass made training several times slower on two cores)."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            _block(1, 16), nn.MaxPool2d(2),  # 16×80
            _block(16, 48), nn.MaxPool2d(2),  # 8×40
            _block(48, 64), _block(64, 64), nn.MaxPool2d((2, 1)),  # 4×40
            _block(64, 96), nn.MaxPool2d((2, 1)),  # 2×40
            nn.Conv2d(96, 160, (2, 1)), nn.BatchNorm2d(160), nn.ReLU(inplace=True),  # 1×40
        )  # fmt: skip
        self.context = nn.Sequential(
            nn.Conv1d(160, 160, 3, padding=1), nn.BatchNorm1d(160), nn.ReLU(inplace=True),
            nn.Conv1d(160, 160, 3, padding=2, dilation=2), nn.BatchNorm1d(160), nn.ReLU(inplace=True),
        )  # fmt: skip
        self.head = nn.Conv1d(160, len(ALPHABET) + 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x).squeeze(2)  # (N, C, T)
        f = f + self.context(f)
        return self.head(f).permute(0, 2, 1)  # (N, T, classes) logits


class Detector(nn.Module):
    """CenterNet-style: heatmaps for one-row and two-row plates plus box size, at 1/4 resolution."""

    def __init__(self) -> None:
        super().__init__()
        self.s2 = nn.Sequential(_block(3, 16, 2), _block(16, 16))  # 1/2
        self.s4 = nn.Sequential(_block(16, 32, 2), _block(32, 32))  # 1/4
        self.s8 = nn.Sequential(_block(32, 48, 2), _block(48, 48))  # 1/8
        self.s16 = nn.Sequential(_block(48, 64, 2), _block(64, 64))  # 1/16
        self.s32 = nn.Sequential(_block(64, 96, 2), _block(96, 96), _block(96, 96))  # 1/32
        self.lat16 = nn.Conv2d(96, 64, 1)
        self.lat8 = nn.Conv2d(64, 48, 1)
        self.lat4 = nn.Conv2d(48, 32, 1)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.mix16 = _block(64, 64)
        self.mix8 = _block(48, 48)
        self.mix4 = _block(32, 32)
        self.heat = nn.Sequential(_block(32, 32), nn.Conv2d(32, 2, 1))
        self.size = nn.Sequential(_block(32, 32), nn.Conv2d(32, 2, 1))
        head = self.heat[1]
        assert isinstance(head, nn.Conv2d) and head.bias is not None
        nn.init.constant_(head.bias, -2.19)  # start at p≈0.1, as CenterNet does

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x4 = self.s4(self.s2(x))
        x8 = self.s8(x4)
        x16 = self.s16(x8)
        x32 = self.s32(x16)
        p16 = self.mix16(x16 + self.up(self.lat16(x32)))
        p8 = self.mix8(x8 + self.up(self.lat8(p16)))
        p4 = self.mix4(x4 + self.up(self.lat4(p8)))
        return torch.sigmoid(self.heat(p4)), self.size(p4)  # size: log(w/4), log(h/4) in output cells
