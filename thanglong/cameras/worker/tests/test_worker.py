"""The worker end to end: generated video files, a live MJPEG stream on 127.0.0.1, a dead URL."""

from __future__ import annotations

import io
import os
import signal
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from thanglong.cameras.faces.index import embedding_to_bytes, invalidate
from thanglong.cameras.models import (
    Alert,
    Camera,
    CameraEvent,
    CameraStatus,
    FaceTemplate,
    WatchPerson,
    WatchReason,
)
from thanglong.cameras.worker.analyse import FrameAnalyser, analyse_image
from thanglong.cameras.worker.runner import Backoff, CameraRunner
from thanglong.cameras.worker.sources import open_source
from thanglong.cameras.worker.tests.helpers import (
    car_passing,
    free_port,
    jpeg,
    mjpeg_server,
    scene,
    with_face,
    write_video,
)


@pytest.fixture
def media(tmp_path: Path) -> Any:
    with override_settings(MEDIA_ROOT=tmp_path / "media", VAR_DIR=tmp_path / "var"):
        invalidate()
        yield tmp_path


@pytest.fixture
def faces(shared_data: Path) -> dict[str, np.ndarray]:
    folder = shared_data / "faces-deepface"
    if not (folder / "img1.jpg").is_file():
        pytest.skip("faces-deepface not in the shared data")
    images = {name: cv2.imread(str(folder / f"{name}.jpg")) for name in ("img1", "img17")}
    return {name: image for name, image in images.items() if image is not None}


def make_camera(force: dict[str, Any], **fields: Any) -> Camera:
    unit = force["cau_giay"]
    defaults: dict[str, Any] = {
        "code": "CG-001",
        "name": "Ngã tư Cầu Giấy",
        "ward": unit.ward,
        "owner_unit": unit,
        "sample_fps": 2.0,
        "read_plates": False,
        "read_faces": True,
    }
    return Camera.objects.create(**(defaults | fields))


def wanted(force: dict[str, Any], embedding: np.ndarray) -> WatchPerson:
    person = WatchPerson.objects.create(
        full_name="Nguyễn Văn Truy",
        reason=WatchReason.WANTED,
        legal_basis="Quyết định truy nã 15/QĐ-CSHS",
        owner_unit=force["pc06"],
        expires_at=timezone.now() + timedelta(days=30),
    )
    FaceTemplate.objects.create(person=person, embedding=embedding_to_bytes(embedding), quality=0.9)
    invalidate()
    return person


def face_video(path: Path, faces: dict[str, np.ndarray], seconds: float = 6.0, fps: float = 10) -> Path:
    """img1's person for 2 s, an empty street for 1 s, img17's person for 2 s, empty again."""
    empty = scene()
    first, second = with_face(empty, faces["img1"]), with_face(empty, faces["img17"])
    frames = []
    for i in range(int(seconds * fps)):
        t = i / fps
        frames.append(first if t < 2.0 else second if 3.0 <= t < 5.0 else empty)
    return write_video(path, frames, fps=fps)


@pytest.mark.shared_data
def test_video_file_gives_one_event_per_appearance_and_an_alert(
    hanoi_force: dict[str, Any], media: Path, faces: dict[str, np.ndarray]
) -> None:
    from thanglong.cameras.faces.engine import default_engine

    camera = make_camera(hanoi_force)
    probe = default_engine().find(with_face(scene(), faces["img1"]))[0].embedding
    assert probe is not None
    person = wanted(hanoi_force, probe)
    video = face_video(media / "clip.mp4", faces)
    start = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    out = io.StringIO()
    call_command("camera_worker", file=str(video), camera=camera.code, start=start.isoformat(),
                 no_progress=True, stdout=out)  # fmt: skip
    assert "60 frames decoded, 12 analysed, 0 corrupt" in out.getvalue()
    events = list(CameraEvent.objects.filter(camera=camera).order_by("observed_at"))
    assert [e.kind for e in events] == ["face", "face"]  # two people, each once despite 4 frames
    assert events[0].observed_at == start and events[1].observed_at == start + timedelta(seconds=3)
    assert events[0].snapshot and events[0].crop and events[0].embedding
    assert events[0].attributes["quality"] > 0.3
    alerts = list(Alert.objects.all())
    assert len(alerts) == 1 and alerts[0].event == events[0] and alerts[0].person == person
    assert alerts[0].distance is not None and alerts[0].distance < 0.3


@pytest.mark.shared_data
def test_analyse_image_records_faces(
    hanoi_force: dict[str, Any], media: Path, faces: dict[str, np.ndarray]
) -> None:
    camera = make_camera(hanoi_force)
    at = timezone.now().replace(microsecond=0)
    events = analyse_image(camera, with_face(scene(), faces["img17"]), observed_at=at)
    assert len(events) == 1 and events[0].kind == "face" and events[0].source == "upload"
    assert events[0].observed_at == at
    assert analyse_image(camera, scene(), observed_at=at) == []


def test_dead_stream_backs_off_and_marks_the_camera_offline(hanoi_force: dict[str, Any], media: Path) -> None:
    camera = make_camera(hanoi_force, stream_url=f"http://127.0.0.1:{free_port()}/video", read_faces=False)
    stop = threading.Event()
    attempts: list[str] = []

    def opener(url: str, *, sample_fps: float) -> Any:
        attempts.append(url)
        if len(attempts) >= 4:
            stop.set()
        return open_source(url, sample_fps=sample_fps)

    runner = CameraRunner(camera, stop=stop, backoff=Backoff(initial=0.01, maximum=0.04), opener=opener)
    runner.run()
    assert runner.failures == 4 and runner.connects == 0
    # 0.01, 0.02, 0.04, then capped at 0.04, each ±20 %: doubling keeps the first three apart whatever
    # the jitter (a cap just above a doubled step would let two neighbours swap).
    assert runner.delays[0] < runner.delays[1] < runner.delays[2]
    assert max(runner.delays) <= 0.04 * 1.2
    camera.refresh_from_db()
    assert camera.status == CameraStatus.OFFLINE and "cannot open" in camera.last_error


@pytest.mark.shared_data
def test_live_mjpeg_stream_online_with_a_corrupt_frame(
    hanoi_force: dict[str, Any], media: Path, faces: dict[str, np.ndarray]
) -> None:
    good = jpeg(with_face(scene(), faces["img1"]))

    def parts(i: int) -> bytes | None:
        return b"\xff\xd8\xff garbage" if i == 2 else good

    with mjpeg_server(parts, fps=10) as url:
        # Every part sampled (0 = no sampling): parts are sampled on arrival, before decoding, and a
        # reader busy with a face falls behind and reads a burst of buffered parts, keeping only the
        # first; at 5 fps the broken part 2 could be skipped unseen on a slow machine.
        camera = make_camera(hanoi_force, stream_url=url, sample_fps=0.0)
        stop = threading.Event()
        seen: list[int] = []

        class CountingAnalyser(FrameAnalyser):
            def process(self, frame: Any) -> list[CameraEvent]:
                seen.append(frame.index)
                if len(seen) >= 4:
                    stop.set()
                return super().process(frame)

        runner = CameraRunner(camera, stop=stop, analyser_factory=CountingAnalyser)
        runner.run()
    camera.refresh_from_db()
    assert camera.status == CameraStatus.ONLINE and camera.last_seen_at is not None
    assert runner.connects == 1 and runner.failures == 0 and runner.corrupt >= 1
    assert CameraEvent.objects.filter(camera=camera, kind="face").count() == 1  # one person, one event


def test_sigterm_stops_a_long_file_cleanly(hanoi_force: dict[str, Any], media: Path) -> None:
    camera = make_camera(hanoi_force, read_faces=False, sample_fps=1.0)
    scenes = [scene(160, 120, seed=i) for i in range(4)]
    video = write_video(media / "long.mp4", [scenes[i % 4] for i in range(3000)], fps=25)
    previous = signal.getsignal(signal.SIGTERM)

    def stop_once_the_worker_listens() -> None:
        # Only after the command has put its own handler in: earlier, SIGTERM would end the test run.
        deadline = time.monotonic() + 30
        while signal.getsignal(signal.SIGTERM) == previous and time.monotonic() < deadline:
            time.sleep(0.02)
        if signal.getsignal(signal.SIGTERM) != previous:
            time.sleep(0.3)
            os.kill(os.getpid(), signal.SIGTERM)

    timer = threading.Timer(0.0, stop_once_the_worker_listens)
    out = io.StringIO()
    timer.start()
    try:
        call_command("camera_worker", file=str(video), camera=camera.code, no_progress=True, stdout=out,
                     fps=1000.0)  # fmt: skip
    finally:
        timer.cancel()
    assert "(stopped)" in out.getvalue()
    assert signal.getsignal(signal.SIGTERM) == previous  # the command put the old handler back


def test_plate_pass_in_a_video_gives_one_event(hanoi_force: dict[str, Any], media: Path) -> None:
    """A car crossing for 4 s: one plate event, with the best frame's snapshot and the plate's crop."""
    from thanglong.cameras.worker.analyse import plate_reader_or_none

    if plate_reader_or_none() is None:
        pytest.skip("plate models not built")
    from thanglong.cameras.plates.grammar import fold_plate

    # 5 s at 10 fps: the car moves 12 px a frame, gone for the last second.
    video = write_video(media / "car.mp4", car_passing("30A-123.45"), fps=10)
    camera = make_camera(hanoi_force, read_plates=True, read_faces=False, sample_fps=5.0)
    call_command("camera_worker", file=str(video), camera=camera.code, no_progress=True, stdout=io.StringIO())
    events = list(CameraEvent.objects.filter(camera=camera, kind="plate"))
    assert len(events) == 1
    event = events[0]
    assert event.plate_folded == fold_plate("30A12345")
    assert event.snapshot and event.crop and event.attributes["reads"] >= 2


def test_group_runs_a_thread_per_camera_and_stops(hanoi_force: dict[str, Any], media: Path) -> None:
    from thanglong.cameras.worker.runner import GroupRunner

    port = free_port()
    cameras = [
        make_camera(
            hanoi_force,
            code=f"G-{i}",
            group="west",
            read_faces=False,
            stream_url=f"http://127.0.0.1:{port}/cam{i}",
        )
        for i in range(3)
    ]
    stop = threading.Event()
    group = GroupRunner(lambda: cameras, stop=stop, refresh_s=0.2)
    timer = threading.Timer(1.5, stop.set)
    timer.start()
    group.run()  # returns once every camera thread has stopped
    assert sorted(group.threads) == ["G-0", "G-1", "G-2"]
    assert all(not thread.is_alive() for thread, _stop, _runner in group.threads.values())
    assert all(runner.failures >= 1 and "cannot open" in runner.last_error
               for _thread, _stop, runner in group.threads.values())  # fmt: skip
