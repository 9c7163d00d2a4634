"""Frame sources: RTSP/HLS/HTTP video and files through PyAV (FFmpeg), HTTP MJPEG and JPEG snapshots
read directly, and folders of images.

PyAV rather than OpenCV's VideoCapture for video: it reports a decode error per packet (so a corrupt
frame is skipped and counted instead of ending or silently freezing the stream), takes open/read
timeouts (a dead RTSP server cannot hang a worker thread), gives each frame its presentation time
(sampling at ``sample_fps`` follows the stream clock, not the decoder's speed), and converts and
downscales only the frames we keep, in one swscale call. MJPEG over HTTP is parsed here: each part
is a whole JPEG, and decoding them one by one lets a corrupt part be skipped and counted.
"""

from __future__ import annotations

import contextlib
import logging
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import av
import cv2
import numpy as np

log = logging.getLogger(__name__)

# Frames larger than this (longest side, px) are downscaled on arrival: 4K and 8K cameras gain
# nothing for plates or faces at CCTV distances and would multiply the engines' time.
MAX_FRAME_SIDE = 1920
OPEN_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 10.0
# This many consecutive undecodable packets/parts means the stream is broken, not one bad frame.
MAX_CONSECUTIVE_ERRORS = 200
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".m3u8", ".mp4", ".mkv", ".ts", ".avi", ".mov", ".flv", ".webm", ".h264", ".h265"}
LIVE_SCHEMES = {"rtsp", "rtsps", "rtmp", "http", "https", "udp", "srt", "tcp"}


class SourceError(Exception):
    """The source cannot be opened or has died: the caller reconnects with backoff."""


@dataclass(frozen=True)
class Frame:
    index: int  # decoded frame number in this source (0-based), sampled or not
    t: float  # seconds on the stream's clock since the source opened
    image: np.ndarray  # BGR uint8, longest side at most MAX_FRAME_SIDE


@dataclass
class SourceStats:
    decoded: int = 0
    sampled: int = 0
    corrupt: int = 0
    errors: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        self.corrupt += 1
        if len(self.errors) < 20:
            self.errors.append(message)


class FrameSource(Protocol):
    stats: SourceStats
    live: bool
    total_frames: int | None

    def frames(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...


class Sampler:
    """Keeps frames at ``fps`` on the stream clock; a clock that jumps back (a restarted stream) resets."""

    def __init__(self, fps: float) -> None:
        self.period = 1.0 / fps if fps > 0 else 0.0
        self.next_t: float | None = None
        self.last_t = 0.0

    def accept(self, t: float) -> bool:
        if self.next_t is None or t < self.last_t - 1.0:
            self.next_t = t
        self.last_t = t
        if t + 1e-6 >= self.next_t:
            # Keep the cadence, but after a gap start again from now rather than catch up.
            self.next_t += self.period
            if self.next_t <= t:
                self.next_t = t + self.period
            return True
        return False


def fit(image: np.ndarray, max_side: int = MAX_FRAME_SIDE) -> np.ndarray:
    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1.0:
        return image
    return cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)


def decode_jpeg(data: bytes) -> np.ndarray | None:
    if not data:
        return None
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    return image if image is not None and image.size else None


class VideoSource:
    """Anything FFmpeg opens: RTSP, HLS, HTTP video, files."""

    def __init__(self, url: str, *, sample_fps: float, live: bool) -> None:
        self.url = url
        self.live = live
        self.stats = SourceStats()
        self.sampler = Sampler(sample_fps)
        options = {"rtsp_transport": "tcp"} if url.startswith("rtsp") else {}
        try:
            self.container: Any = av.open(url, options=options, timeout=(OPEN_TIMEOUT_S, READ_TIMEOUT_S))
        except (av.FFmpegError, OSError) as exc:
            raise SourceError(f"cannot open: {exc}") from exc
        if not self.container.streams.video:
            self.container.close()
            raise SourceError("no video stream")
        self.stream = self.container.streams.video[0]
        self.stream.thread_type = "AUTO"
        self.total_frames: int | None = int(self.stream.frames) or None

    def frames(self) -> Iterator[Frame]:
        consecutive = 0
        index = -1
        rate = float(self.stream.average_rate or 25)
        try:
            packets = self.container.demux(self.stream)
            while True:
                try:
                    packet = next(packets)
                except StopIteration:
                    break
                except av.FFmpegError as exc:
                    # A read error is the connection; a demux error mid-file is one bad packet.
                    if self.live:
                        raise SourceError(f"read failed: {exc}") from exc
                    self.stats.error(f"demux: {exc}")
                    consecutive += 1
                    if consecutive > MAX_CONSECUTIVE_ERRORS:
                        raise SourceError(f"too many read errors: {exc}") from exc
                    continue
                try:
                    decoded = packet.decode()
                except av.FFmpegError as exc:
                    self.stats.error(f"decode: {exc}")
                    consecutive += 1
                    if consecutive > MAX_CONSECUTIVE_ERRORS:
                        raise SourceError(f"too many decode errors: {exc}") from exc
                    continue
                for frame in decoded:
                    consecutive = 0
                    index += 1
                    self.stats.decoded += 1
                    if frame.is_corrupt:
                        # FFmpeg concealed damage (smeared blocks): no reading plates off that.
                        self.stats.error(f"frame {index}: corrupt (concealed by the decoder)")
                        continue
                    t = float(frame.time) if frame.time is not None else index / rate
                    if not self.sampler.accept(t):
                        continue
                    yield Frame(index=index, t=t, image=self._to_bgr(frame))
                    self.stats.sampled += 1
        finally:
            self.close()
        if self.live:
            raise SourceError("stream ended")

    @staticmethod
    def _to_bgr(frame: Any) -> np.ndarray:
        width, height = frame.width, frame.height
        scale = min(1.0, MAX_FRAME_SIDE / max(width, height))
        if scale < 1.0:
            out = frame.reformat(
                width=round(width * scale) // 2 * 2, height=round(height * scale) // 2 * 2, format="bgr24"
            )
            return np.asarray(out.to_ndarray())
        return np.asarray(frame.to_ndarray(format="bgr24"))

    def close(self) -> None:
        # Closing a broken stream must not mask the error that broke it.
        with contextlib.suppress(av.FFmpegError, OSError):
            self.container.close()


class MjpegSource:
    """HTTP ``multipart/x-mixed-replace`` MJPEG (most IP cameras' /video endpoints)."""

    def __init__(self, response: Any, boundary: bytes, *, sample_fps: float) -> None:
        self.response = response
        self.boundary = b"--" + boundary.lstrip(b"-")
        self.live = True
        self.total_frames: int | None = None
        self.stats = SourceStats()
        self.sampler = Sampler(sample_fps)

    def _parts(self) -> Iterator[bytes]:
        buffer = b""
        while True:
            try:
                chunk = self.response.read1(65536)
            except (OSError, ValueError) as exc:
                raise SourceError(f"read failed: {exc}") from exc
            if not chunk:
                raise SourceError("stream ended")
            buffer += chunk
            while True:
                start = buffer.find(self.boundary)
                if start < 0:
                    buffer = buffer[-len(self.boundary) :] if len(buffer) > 8 * 1024 * 1024 else buffer
                    break
                end = buffer.find(self.boundary, start + len(self.boundary))
                if end < 0:
                    buffer = buffer[start:]
                    break
                part = buffer[start + len(self.boundary) : end]
                buffer = buffer[end:]
                _head, sep, body = part.partition(b"\r\n\r\n")
                if sep:
                    yield body.rstrip(b"\r\n")

    def frames(self) -> Iterator[Frame]:
        started = time.monotonic()
        consecutive = 0
        try:
            for index, body in enumerate(self._parts()):
                self.stats.decoded += 1
                t = time.monotonic() - started
                if not self.sampler.accept(t):
                    continue
                image = decode_jpeg(body)
                if image is None:
                    self.stats.error(f"part {index}: not a decodable JPEG ({len(body)} bytes)")
                    consecutive += 1
                    if consecutive > MAX_CONSECUTIVE_ERRORS:
                        raise SourceError("too many undecodable parts")
                    continue
                consecutive = 0
                self.stats.sampled += 1
                yield Frame(index=index, t=t, image=fit(image))
        finally:
            self.close()

    def close(self) -> None:
        self.response.close()


class SnapshotSource:
    """An HTTP URL that answers one JPEG per request: polled at ``sample_fps``."""

    def __init__(self, url: str, first: bytes, *, sample_fps: float) -> None:
        self.url = url
        self.first: bytes | None = first
        self.period = 1.0 / sample_fps if sample_fps > 0 else 1.0
        self.live = True
        self.total_frames: int | None = None
        self.stats = SourceStats()

    def frames(self) -> Iterator[Frame]:
        started = time.monotonic()
        index = 0
        while True:
            body = self.first if self.first is not None else _fetch(self.url)
            self.first = None
            self.stats.decoded += 1
            image = decode_jpeg(body)
            if image is None:
                self.stats.error(f"snapshot {index}: not a decodable image")
            else:
                self.stats.sampled += 1
                yield Frame(index=index, t=time.monotonic() - started, image=fit(image))
            index += 1
            time.sleep(self.period)

    def close(self) -> None:
        self.first = None


def _fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=READ_TIMEOUT_S) as response:  # noqa: S310
            return bytes(response.read())
    except OSError as exc:
        raise SourceError(f"read failed: {exc}") from exc


class FolderSource:
    """Every image in a folder, in name order, one frame each (``t`` spaced at ``sample_fps``)."""

    def __init__(self, folder: Path, *, sample_fps: float) -> None:
        self.paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        self.period = 1.0 / sample_fps if sample_fps > 0 else 1.0
        self.live = False
        self.total_frames: int | None = len(self.paths)
        self.stats = SourceStats()

    def frames(self) -> Iterator[Frame]:
        for index, path in enumerate(self.paths):
            self.stats.decoded += 1
            image = decode_jpeg(path.read_bytes())
            if image is None:
                self.stats.error(f"{path.name}: not a decodable image")
                continue
            self.stats.sampled += 1
            yield Frame(index=index, t=index * self.period, image=fit(image))

    def close(self) -> None:
        return None


def open_source(url: str, *, sample_fps: float) -> FrameSource:
    """Opens a camera's stream URL, a video file or a folder of images; raises SourceError."""
    if not url:
        raise SourceError("no stream URL")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"", "file"} or len(scheme) == 1:  # a path (a one-letter scheme is a Windows drive)
        path = Path(parts.path if scheme == "file" else url)
        if path.is_dir():
            return FolderSource(path, sample_fps=sample_fps)
        if not path.is_file():
            raise SourceError(f"no such file: {path}")
        return VideoSource(str(path), sample_fps=sample_fps, live=False)
    if scheme not in LIVE_SCHEMES:
        raise SourceError(f"unsupported stream scheme: {scheme}")
    if scheme in {"http", "https"} and Path(parts.path).suffix.lower() not in VIDEO_SUFFIXES:
        # Ask the server what it sends: MJPEG and snapshots are read here, anything else by FFmpeg.
        try:
            response: Any = urllib.request.urlopen(url, timeout=OPEN_TIMEOUT_S)  # noqa: S310
        except OSError as exc:
            raise SourceError(f"cannot open: {exc}") from exc
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith("multipart/"):
            boundary = ""
            for param in content_type.split(";")[1:]:
                key, _, value = param.strip().partition("=")
                if key.lower() == "boundary":
                    boundary = value.strip('"')
            if not boundary:
                response.close()
                raise SourceError("multipart stream without a boundary")
            return MjpegSource(response, boundary.encode(), sample_fps=sample_fps)
        if content_type.startswith("image/"):
            body = response.read()
            response.close()
            return SnapshotSource(url, body, sample_fps=sample_fps)
        response.close()
    return VideoSource(url, sample_fps=sample_fps, live=scheme in LIVE_SCHEMES)
