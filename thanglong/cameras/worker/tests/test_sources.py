from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from thanglong.cameras.worker.sources import (
    MAX_FRAME_SIDE,
    FolderSource,
    MjpegSource,
    Sampler,
    SourceError,
    VideoSource,
    open_source,
)
from thanglong.cameras.worker.tests.helpers import free_port, jpeg, mjpeg_server, scene, write_video


def test_sampler_keeps_the_cadence() -> None:
    sampler = Sampler(2.0)
    kept = [t / 10 for t in range(50) if sampler.accept(t / 10)]  # 10 fps for 5 s
    assert kept == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5])
    assert sampler.accept(0.0)  # the clock went back (a restarted stream): start again
    assert not sampler.accept(0.1)
    assert sampler.accept(30.0) and not sampler.accept(30.1) and sampler.accept(30.5)  # after a gap


def test_video_file_sampled_on_its_clock(tmp_path: Path) -> None:
    frames = [scene(seed=i % 3) for i in range(50)]  # 5 s at 10 fps
    path = write_video(tmp_path / "clip.mp4", frames, fps=10)
    source = open_source(str(path), sample_fps=2.0)
    assert isinstance(source, VideoSource) and not source.live and source.total_frames == 50
    got = list(source.frames())
    assert source.stats.decoded == 50 and len(got) == source.stats.sampled == 10
    assert [f.t for f in got] == pytest.approx([i * 0.5 for i in range(10)], abs=0.06)
    assert [f.index for f in got] == [i * 5 for i in range(10)]
    assert got[0].image.shape == (480, 640, 3) and got[0].image.dtype == np.uint8


def test_huge_video_frames_downscaled(tmp_path: Path) -> None:
    big = cv2.resize(scene(), (3200, 1800))
    path = write_video(tmp_path / "big.mp4", [big, big, big], fps=5)
    got = list(open_source(str(path), sample_fps=5).frames())
    assert len(got) == 3 and max(got[0].image.shape[:2]) <= MAX_FRAME_SIDE
    assert got[0].image.shape[1] / got[0].image.shape[0] == pytest.approx(16 / 9, rel=0.01)


def test_folder_with_a_corrupt_image_in_the_middle(tmp_path: Path) -> None:
    (tmp_path / "01.jpg").write_bytes(jpeg(scene(seed=1)))
    (tmp_path / "02.jpg").write_bytes(jpeg(scene(seed=2))[:300])  # truncated: undecodable
    (tmp_path / "03.jpg").write_bytes(jpeg(cv2.resize(scene(seed=3), (4000, 3000))))
    (tmp_path / "notes.txt").write_text("not an image")
    source = open_source(str(tmp_path), sample_fps=1.0)
    assert isinstance(source, FolderSource)
    got = list(source.frames())
    assert [f.index for f in got] == [0, 2] and source.stats.corrupt == 1
    assert max(got[1].image.shape[:2]) == MAX_FRAME_SIDE


def test_mjpeg_stream_skips_a_corrupt_part_then_ends() -> None:
    good = jpeg(scene())

    def parts(i: int) -> bytes | None:
        if i >= 8:
            return None
        return b"\xff\xd8 not really a jpeg" if i == 3 else good

    with mjpeg_server(parts, fps=50) as url:
        source = open_source(url, sample_fps=100.0)
        assert isinstance(source, MjpegSource) and source.live
        got = []
        with pytest.raises(SourceError, match="ended"):
            for frame in source.frames():
                got.append(frame)
    assert len(got) == 7 and source.stats.corrupt == 1
    assert got[0].image.shape == (480, 640, 3)


def test_unopenable_sources() -> None:
    with pytest.raises(SourceError, match="no such file"):
        open_source("/nonexistent/clip.mp4", sample_fps=1)
    with pytest.raises(SourceError, match="scheme"):
        open_source("gopher://example.org/cam", sample_fps=1)
    with pytest.raises(SourceError, match="cannot open"):
        open_source(f"http://127.0.0.1:{free_port()}/video", sample_fps=1)
    with pytest.raises(SourceError, match="cannot open"):
        open_source(f"rtsp://127.0.0.1:{free_port()}/live", sample_fps=1)
    with pytest.raises(SourceError):
        open_source("", sample_fps=1)


def test_corrupt_bytes_inside_a_video_file(tmp_path: Path) -> None:
    """Garbage over part of a file: decoding goes on past it and the damage is counted."""
    frames = [scene(seed=i % 5) for i in range(60)]
    path = write_video(tmp_path / "clip.avi", frames, fps=10)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4000] = np.random.default_rng(0).integers(0, 255, 4000, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    source = open_source(str(path), sample_fps=100.0)
    got = list(source.frames())
    assert source.stats.corrupt >= 1 and source.stats.errors
    assert len(got) == source.stats.decoded - source.stats.corrupt >= 50  # the rest go on
