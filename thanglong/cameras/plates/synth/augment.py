"""Camera-like degradations for synthetic plates and scenes: geometry, optics, weather, light."""

from __future__ import annotations

import cv2
import numpy as np


def random_background(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Procedural clutter: gradients, noise texture, blocks and lines (car bodies, roads, walls)."""
    grey = rng.random() < 0.6  # streets are mostly grey; keep some colour
    base = np.full(3, rng.uniform(0, 255)) if grey else rng.uniform(0, 255, 3)
    other = base + rng.normal(0, 60, 3)
    corners = np.stack([base, other, other * 0.5 + base * 0.5, base * 0.8 + 20]).reshape(2, 2, 3)
    image = cv2.resize(corners.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    sh, sw = max(2, height // 16), max(2, width // 16)
    texture = rng.normal(0, rng.uniform(5, 40), (sh, sw, 1 if grey else 3)).astype(np.float32)
    grown: np.ndarray = cv2.resize(texture, (width, height), interpolation=cv2.INTER_LINEAR)
    image = image + (grown if grown.ndim == 3 else grown[:, :, None])
    for _ in range(int(rng.integers(2, 12))):
        colour = tuple(float(c) for c in rng.uniform(0, 255, 3))
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1, y1 = x0 + int(rng.integers(5, max(6, width // 2))), y0 + int(rng.integers(5, max(6, height // 2)))
        if rng.random() < 0.6:
            cv2.rectangle(
                image, (x0, y0), (x1, y1), colour, -1 if rng.random() < 0.7 else int(rng.integers(1, 5))
            )
        else:
            cv2.line(image, (x0, y0), (x1, y1), colour, int(rng.integers(1, 6)))
    out = np.clip(image, 0, 255).astype(np.uint8)
    noise = np.abs(rng.normal(0, rng.uniform(1, 8), out.shape)).astype(np.uint8)
    return cv2.add(out, noise)


def perspective(
    image: np.ndarray, rng: np.random.Generator, *, strength: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Warp a flat plate as a camera sees it; returns the warped RGBA-like pair (image, mask) cropped
    to the warped quad's bounding box, plus nothing else: callers paste it with the mask."""
    h, w = image.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    angle = np.deg2rad(rng.normal(0, 5 * strength))
    shear = rng.normal(0, 0.12 * strength)
    yaw = rng.normal(0, 0.10 * strength)  # one side shorter: the plate turned away
    pitch = rng.normal(0, 0.08 * strength)
    dst = src.copy()
    dst[:, 0] += shear * (dst[:, 1] - h / 2)
    dst[1:3, 1] = h / 2 + (dst[1:3, 1] - h / 2) * (1 - yaw)
    dst[[0, 1], 0] = w / 2 + (dst[[0, 1], 0] - w / 2) * (1 - pitch)
    centre = dst.mean(axis=0)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    dst = (dst - centre) @ rot.T + centre
    dst -= dst.min(axis=0)
    out_w, out_h = int(np.ceil(dst[:, 0].max())) + 1, int(np.ceil(dst[:, 1].max())) + 1
    matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(image, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, (out_w, out_h))
    return warped, mask


def paste(canvas: np.ndarray, patch: np.ndarray, mask: np.ndarray, x: int, y: int) -> None:
    h, w = patch.shape[:2]
    region = canvas[y : y + h, x : x + w]
    alpha = (mask[: region.shape[0], : region.shape[1]].astype(np.float32) / 255.0)[:, :, None]
    region[:] = (region * (1 - alpha) + patch[: region.shape[0], : region.shape[1]] * alpha).astype(np.uint8)


def _motion_kernel(rng: np.random.Generator) -> np.ndarray:
    size = int(rng.integers(3, 9))
    kernel: np.ndarray = np.zeros((size, size), np.float32)
    kernel[size // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D((size / 2 - 0.5, size / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
    kernel = cv2.warpAffine(kernel, rot, (size, size))
    return kernel / max(kernel.sum(), 1e-6)


def degrade(image: np.ndarray, rng: np.random.Generator, *, strength: float = 1.0) -> np.ndarray:
    """Night, glare, rain, dirt, occlusion, blur, noise and JPEG, each applied at random."""
    out: np.ndarray = image.astype(np.float32)
    h, w = out.shape[:2]
    if rng.random() < 0.3 * strength:  # night / low light: dark, low contrast, warm cast
        out = out * rng.uniform(0.25, 0.6) + rng.uniform(0, 20)
        out[:, :, 2] *= rng.uniform(1.0, 1.25)
    else:
        out = (out - 128) * rng.uniform(0.6, 1.3) + 128 + rng.uniform(-40, 40)
    if rng.random() < 0.15 * strength:  # glare: a bright blob from headlights or sun
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        yy, xx = np.mgrid[0:h, 0:w]
        sigma = rng.uniform(0.1, 0.4) * max(h, w)
        out += (rng.uniform(60, 200) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma**2)))[
            :, :, None
        ]
    if rng.random() < 0.15 * strength:  # dirt: dark smudges
        for _ in range(int(rng.integers(1, 6))):
            centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            axes = (int(rng.integers(1, max(2, w // 10))), int(rng.integers(1, max(2, h // 6))))
            layer = out.copy()
            cv2.ellipse(layer, centre, axes, float(rng.uniform(0, 180)), 0, 360, (40, 50, 60), -1)
            out = out * 0.5 + layer * 0.5
    if rng.random() < 0.12 * strength:  # rain streaks
        layer = np.zeros((h, w), np.float32)
        slant = rng.uniform(-0.3, 0.3)
        for _ in range(int(rng.integers(10, 60))):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            length = rng.uniform(0.05, 0.25) * h
            cv2.line(layer, (int(x), int(y)), (int(x + slant * length), int(y + length)), 1.0, 1)
        out += layer[:, :, None] * rng.uniform(40, 110)
    if rng.random() < 0.1 * strength:  # partial occlusion at an edge (bracket, bumper, hand)
        bw = int(w * rng.uniform(0.03, 0.1))
        x0 = 0 if rng.random() < 0.5 else w - bw
        out[:, x0 : x0 + bw] = rng.uniform(0, 255, 3)
    if rng.random() < 0.35 * strength:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.4, 1.6))
    if rng.random() < 0.2 * strength:
        out = cv2.filter2D(out, -1, _motion_kernel(rng))
    if rng.random() < 0.2:  # camera sharpening: halos along the strokes
        soft = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.8, 2.0))
        out = out + rng.uniform(0.5, 1.5) * (out - soft)
    out += rng.normal(0, rng.uniform(0, 10 * strength), out.shape)
    result: np.ndarray = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        ok, buf = cv2.imencode(".jpg", result, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(15, 95))])
        if ok:
            result = cv2.imdecode(buf, cv2.IMREAD_COLOR)  # type: ignore[assignment]
    return result


def low_resolution(image: np.ndarray, rng: np.random.Generator, min_height: int) -> np.ndarray:
    """Lose detail as a distant plate does: shrink to a random height, then back."""
    h, w = image.shape[:2]
    target = int(rng.uniform(min_height, max(min_height + 1, h)))
    if target >= h:
        return image
    small = cv2.resize(image, (max(4, round(w * target / h)), target), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
