"""Generated footage for the worker's tests: videos written with OpenCV and a local MJPEG server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import numpy as np


def scene(width: int = 640, height: int = 480, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[: height // 2] = np.linspace(190, 130, height // 2, dtype=np.uint8)[:, None, None]
    image[height // 2 :] = 85
    noise = rng.normal(0, 6, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def with_face(background: np.ndarray, face_photo: np.ndarray, side: int = 220) -> np.ndarray:
    """The photo's centre pasted into the scene at ``side`` px (the face fills most of it)."""
    h, w = face_photo.shape[:2]
    square = face_photo[max(0, (h - w) // 2) : max(0, (h - w) // 2) + min(h, w), : min(h, w)]
    patch = cv2.resize(square, (side, side), interpolation=cv2.INTER_AREA)
    out = background.copy()
    y, x = (out.shape[0] - side) // 2, (out.shape[1] - side) // 2
    out[y : y + side, x : x + side] = patch
    return out


def car_passing(plate_text: str = "30A-123.45", frames: int = 50) -> list[np.ndarray]:
    """1280×720 frames of a car carrying a one-row plate across the scene, 12 px a frame; the last
    tenth of the frames are the empty street (the car has gone)."""
    from thanglong.cameras.plates.synth import PlateSpec, render_plate

    spec = PlateSpec(lines=(plate_text,), colour="white", category="civil", size_mm=(520, 110))
    plate = render_plate(spec, np.random.default_rng(1), px_per_mm=0.5).image
    empty = scene(1280, 720)
    out = []
    for i in range(frames):
        frame = empty.copy()
        if i < frames * 4 // 5:
            x, y = 200 + 12 * i, 420
            cv2.rectangle(frame, (x - 60, y - 150), (x + plate.shape[1] + 60, y + 80), (70, 70, 150), -1)
            frame[y : y + plate.shape[0], x : x + plate.shape[1]] = plate
        out.append(frame)
    return out


def write_video(path: Path, frames: list[np.ndarray], fps: float = 10.0) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def mjpeg_server(parts: Callable[[int], bytes | None], fps: float = 10.0) -> Iterator[str]:
    """Serves ``multipart/x-mixed-replace`` JPEG parts from ``parts(i)`` until it returns None."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
            self.end_headers()
            i = 0
            try:
                while (body := parts(i)) is not None:
                    self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\n")
                    self.wfile.write(f"Content-Length: {len(body)}\r\n\r\n".encode())
                    self.wfile.write(body + b"\r\n")
                    self.wfile.flush()
                    i += 1
                    time.sleep(1.0 / fps)
                self.wfile.write(b"--frame--\r\n")
            except (BrokenPipeError, ConnectionResetError):
                return

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/video"
    finally:
        server.shutdown()
        server.server_close()


def jpeg(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes()
