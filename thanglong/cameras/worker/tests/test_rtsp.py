"""The worker on a real RTSP camera: GStreamer's RTSP server on 127.0.0.1 serves a car passing.

The server (``rtsp_server.py``) runs under the system Python with Debian's GStreamer bindings
(``apt-get install python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good``); the tests skip
when they are missing. The worker pulls the stream over RTSP/TCP with PyAV, as it would from a camera.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import pytest

from thanglong.cameras.models import Camera, CameraEvent, CameraStatus
from thanglong.cameras.worker.analyse import FrameAnalyser
from thanglong.cameras.worker.runner import Backoff, CameraRunner
from thanglong.cameras.worker.sources import open_source
from thanglong.cameras.worker.tests.helpers import car_passing, free_port
from thanglong.cameras.worker.tests.test_worker import make_camera, media  # noqa: F401

SYSTEM_PYTHON = "/usr/bin/python3"
SERVER = Path(__file__).with_name("rtsp_server.py")
PLATE = "30A-123.45"


def _gstreamer_missing() -> str | None:
    probe = (
        "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0'); "
        "from gi.repository import Gst, GstRtspServer; Gst.init(None); "
        "assert Gst.ElementFactory.find('rtpjpegpay') and Gst.ElementFactory.find('avidemux')"
    )
    try:
        subprocess.run([SYSTEM_PYTHON, "-c", probe], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "GStreamer's RTSP server is missing (apt-get install python3-gi gir1.2-gst-rtsp-server-1.0)"
    return None


pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the RTSP test server runs on Linux")


class RtspServer:
    def __init__(self, video: Path) -> None:
        self.video = video
        self.port = free_port()
        self.url = f"rtsp://127.0.0.1:{self.port}/cam"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [SYSTEM_PYTHON, str(SERVER), str(self.port), str(self.video)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.strip() == "ready", line

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def car_passing_video(path: Path) -> Path:
    """5 s at 10 fps, Motion-JPEG: a car with plate 30A-123.45 crosses, gone for the last second."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10, (1280, 720))
    assert writer.isOpened()
    for frame in car_passing(PLATE):
        writer.write(frame)
    writer.release()
    return path


@pytest.fixture
def rtsp_camera(media: Path) -> Iterator[RtspServer]:  # noqa: F811 - the imported fixture
    missing = _gstreamer_missing()
    if missing:
        pytest.skip(missing)
    from thanglong.cameras.worker.analyse import plate_reader_or_none

    if plate_reader_or_none() is None:
        pytest.skip("plate models not built")
    server = RtspServer(car_passing_video(media / "car.avi"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _status(camera: Camera) -> tuple[str, str]:
    camera.refresh_from_db()
    return camera.status, camera.last_error


def test_rtsp_camera_read_then_lost_then_back(hanoi_force: dict[str, Any], rtsp_camera: RtspServer) -> None:
    """GIVEN a camera streaming over RTSP WHEN the worker reads it THEN the passing car gives one plate
    event while the camera shows online; WHEN the stream ends and the server is down THEN the camera
    is offline with the reason and the worker keeps retrying; WHEN the server is back THEN it reconnects."""
    from thanglong.cameras.plates.grammar import fold_plate

    camera = make_camera(
        hanoi_force, stream_url=rtsp_camera.url, read_plates=True, read_faces=False, sample_fps=5.0
    )
    stop = threading.Event()
    seen: dict[str, Any] = {"online_while_reading": None, "opens": 0}
    statuses: list[tuple[str, str]] = []

    def opener(url: str, *, sample_fps: float) -> Any:
        seen["opens"] += 1
        if seen["opens"] == 2:  # the first session ran to the end of the stream
            statuses.append(_status(camera))
            rtsp_camera.stop()  # and now the camera is unplugged
        elif seen["opens"] == 3:  # the open while it was down failed
            statuses.append(_status(camera))
            rtsp_camera.start()
        return open_source(url, sample_fps=sample_fps)

    class Analyser(FrameAnalyser):
        def process(self, frame: Any) -> list[CameraEvent]:
            if seen["opens"] >= 3:
                stop.set()  # reconnected: enough
                return []
            if seen["online_while_reading"] is None:
                seen["online_while_reading"] = _status(camera)[0]
            return super().process(frame)

    backoff = Backoff(initial=0.05, maximum=0.1)
    runner = CameraRunner(camera, stop=stop, backoff=backoff, opener=opener, analyser_factory=Analyser)
    watchdog = threading.Timer(90, stop.set)  # a hung stream must fail the test, not hang it
    watchdog.start()
    try:
        runner.run()
    finally:
        watchdog.cancel()
    assert seen["opens"] == 3 and runner.connects == 2 and runner.failures == 2
    assert seen["online_while_reading"] == CameraStatus.ONLINE
    assert statuses[0] == (CameraStatus.OFFLINE, "stream ended")
    assert statuses[1][0] == CameraStatus.OFFLINE and "cannot open" in statuses[1][1]
    events = list(CameraEvent.objects.filter(camera=camera, kind="plate"))
    assert len(events) == 1, [event.plate_text for event in events]
    assert events[0].plate_folded == fold_plate("30A12345")
    assert events[0].snapshot and events[0].crop
