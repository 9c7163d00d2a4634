"""Running cameras: one thread per camera, reconnecting dead streams with exponential backoff and
telling the registry (``services.heartbeat``) whether each camera is online.

Threads rather than processes within one worker: decoding (FFmpeg), dlib and onnxruntime do their
heavy work in C, and a process per group keeps the database connections and the models' memory
shared. More cores or machines: run more ``thanglong camera-worker --group`` processes.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import close_old_connections, connection
from django.utils import timezone

from thanglong.cameras.worker.analyse import FrameAnalyser
from thanglong.cameras.worker.sources import FrameSource, SourceError, open_source

if TYPE_CHECKING:
    from thanglong.cameras.models import Camera

log = logging.getLogger(__name__)

HEARTBEAT_S = 30.0


@dataclass
class Backoff:
    """1 s, 2 s, 4 s … up to ``maximum``, with ±20 % jitter so a hundred cameras behind one dead
    recorder do not all knock again in the same second."""

    initial: float = 1.0
    maximum: float = 120.0
    attempts: int = 0

    def next_delay(self) -> float:
        delay = min(self.maximum, self.initial * (2**self.attempts))
        self.attempts += 1
        return delay * random.uniform(0.8, 1.2)  # noqa: S311 (jitter, not security)

    def reset(self) -> None:
        self.attempts = 0


def _heartbeat(camera: Camera, *, online: bool, error: str = "") -> None:
    from thanglong.cameras.services import heartbeat

    try:
        heartbeat(camera, online=online, error=error)
    except Exception:  # the database being away must not kill the camera's thread
        log.exception("camera %s: heartbeat failed", camera.code)
        close_old_connections()


class CameraRunner:
    """Reads one camera until ``stop`` is set."""

    def __init__(
        self,
        camera: Camera,
        *,
        stop: threading.Event,
        backoff: Backoff | None = None,
        opener: Callable[..., FrameSource] = open_source,
        analyser_factory: Callable[..., FrameAnalyser] = FrameAnalyser,
    ) -> None:
        self.camera = camera
        self.stop = stop
        self.backoff = backoff or Backoff()
        self.opener = opener
        self.analyser_factory = analyser_factory
        self.connects = 0
        self.failures = 0
        self.corrupt = 0
        self.frames = 0
        self.events = 0
        self.delays: list[float] = []
        self.last_error = ""

    def run(self) -> None:
        while not self.stop.is_set():
            self._run_once()

    def run_in_thread(self) -> None:
        try:
            self.run()
        finally:
            connection.close()  # this thread's own connection

    def _run_once(self) -> None:
        camera = self.camera
        source: FrameSource | None = None
        analyser: FrameAnalyser | None = None
        try:
            source = self.opener(camera.stream_url, sample_fps=camera.sample_fps)
            self.connects += 1
            log.info("camera %s: connected", camera.code)
            analyser = self.analyser_factory(camera, origin=timezone.now())
            last_beat = 0.0
            for frame in source.frames():
                if self.stop.is_set():
                    break
                if time.monotonic() - last_beat >= HEARTBEAT_S:
                    _heartbeat(camera, online=True)
                    last_beat = time.monotonic()
                    self.backoff.reset()
                self.events += len(analyser.process(frame))
                self.frames += 1
            else:
                raise SourceError("stream ended")
        except (SourceError, OSError) as exc:
            self.failures += 1
            self.last_error = str(exc)[:500]
            delay = self.backoff.next_delay()
            self.delays.append(delay)
            log.warning("camera %s: %s; retrying in %.1f s", camera.code, exc, delay)
            _heartbeat(camera, online=False, error=self.last_error)
            self.stop.wait(delay)
        finally:
            if analyser is not None:
                self.events += len(analyser.flush())
            if source is not None:
                self.corrupt += source.stats.corrupt
                source.close()


class GroupRunner:
    """All active cameras of a group, one thread each; picks up added/removed cameras every minute."""

    def __init__(
        self, cameras: Callable[[], list[Camera]], *, stop: threading.Event, refresh_s: float = 60.0
    ):
        self.cameras = cameras
        self.stop = stop
        self.refresh_s = refresh_s
        self.threads: dict[str, tuple[threading.Thread, threading.Event, CameraRunner]] = {}

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self._sync()
                self.stop.wait(self.refresh_s)
        finally:
            for _thread, own_stop, _runner in self.threads.values():
                own_stop.set()
            for thread, _own_stop, _runner in self.threads.values():
                thread.join(timeout=30)

    def _sync(self) -> None:
        try:
            wanted = {camera.code: camera for camera in self.cameras()}
        except Exception:
            log.exception("listing the group's cameras failed")
            close_old_connections()
            return
        for code in list(self.threads):
            thread, own_stop, _runner = self.threads[code]
            if code not in wanted or not thread.is_alive():
                own_stop.set()
                del self.threads[code]
                log.info("camera %s: stopped", code)
        for code, camera in wanted.items():
            if code not in self.threads:
                own_stop = _linked_event(self.stop)
                runner = CameraRunner(camera, stop=own_stop)
                thread = threading.Thread(target=runner.run_in_thread, name=f"camera-{code}", daemon=True)
                thread.start()
                self.threads[code] = (thread, own_stop, runner)
                log.info("camera %s: started (%s, %.1f fps)", code, camera.kind, camera.sample_fps)

    def summary(self) -> dict[str, Any]:
        return {
            code: {"frames": r.frames, "events": r.events, "failures": r.failures, "corrupt": r.corrupt}
            for code, (_t, _s, r) in self.threads.items()
        }


class _LinkedEvent(threading.Event):
    """Set when either it or its parent is set (the group's stop stops every camera)."""

    def __init__(self, parent: threading.Event) -> None:
        super().__init__()
        self.parent = parent

    def is_set(self) -> bool:
        return super().is_set() or self.parent.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            remaining = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
            if remaining <= 0:
                return False
            super().wait(remaining)
        return True


def _linked_event(parent: threading.Event) -> threading.Event:
    return _LinkedEvent(parent)
