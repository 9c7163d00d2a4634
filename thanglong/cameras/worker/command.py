"""``thanglong camera-worker``: read a group of cameras, one camera, or analyse one video file."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from tqdm import tqdm

from thanglong.cameras.worker.analyse import FrameAnalyser
from thanglong.cameras.worker.runner import CameraRunner, GroupRunner
from thanglong.cameras.worker.sources import SourceError, open_source

log = logging.getLogger("thanglong.cameras.worker")


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM (systemd, docker stop) and SIGINT finish the current frame and stop cleanly."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class Command(BaseCommand):
    help = (
        "Bộ phân tích camera: đọc luồng, nhận dạng biển số và khuôn mặt, ghi sự kiện "
        "(camera analytics worker: --group G, --camera CODE, or --file PATH --camera CODE)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--group", help="read every active camera of this worker group")
        parser.add_argument("--camera", metavar="CODE", help="read this one camera (or the camera of --file)")
        parser.add_argument("--file", metavar="PATH", help="analyse a video file (or image folder) once")
        parser.add_argument(
            "--start",
            metavar="ISO",
            help="with --file: wall-clock time of its first frame (default: now)",
        )
        parser.add_argument("--fps", type=float, help="override the camera's sample_fps")
        parser.add_argument("--no-progress", action="store_true", help="with --file: no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        from thanglong.cameras.models import Camera
        from thanglong.cameras.services import cameras_for_group

        stop = threading.Event()
        if options["file"]:
            if not options["camera"]:
                raise CommandError("--file needs --camera CODE (the camera the footage comes from)")
            camera = self._camera(Camera, options["camera"], options["fps"])
            with stop_on_signals(stop):
                self._analyse_file(camera, Path(options["file"]), stop, options)
            return
        if options["camera"]:
            camera = self._camera(Camera, options["camera"], options["fps"])
            runner = CameraRunner(camera, stop=stop)
            with stop_on_signals(stop):
                thread = threading.Thread(
                    target=runner.run_in_thread, name=f"camera-{camera.code}", daemon=True
                )
                thread.start()
                while thread.is_alive() and not stop.wait(1.0):
                    pass
                stop.set()
                thread.join(timeout=30)
            self.stdout.write(
                f"camera {camera.code}: {runner.frames} frames, {runner.events} events, "
                f"{runner.failures} reconnects, {runner.corrupt} corrupt frames skipped"
            )
            return
        if options["group"]:
            group = options["group"]
            group_runner = GroupRunner(lambda: list(cameras_for_group(group)), stop=stop)
            log.info("worker group %s: starting", group)
            with stop_on_signals(stop):
                group_runner.run()
            for code, stats in group_runner.summary().items():
                self.stdout.write(f"camera {code}: {stats}")
            return
        raise CommandError("give --group G, --camera CODE, or --file PATH --camera CODE")

    @staticmethod
    def _camera(model: Any, code: str, fps: float | None) -> Any:
        camera = model.objects.select_related("ward").filter(code=code).first()
        if camera is None:
            raise CommandError(f"no camera with code {code!r}")
        if fps:
            camera.sample_fps = fps
        return camera

    def _analyse_file(self, camera: Any, path: Path, stop: threading.Event, options: dict[str, Any]) -> None:
        start: datetime = timezone.now()
        if options["start"]:
            parsed = parse_datetime(options["start"])
            if parsed is None:
                raise CommandError(f"--start {options['start']!r}: not an ISO date-time")
            start = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        try:
            source = open_source(str(path), sample_fps=camera.sample_fps)
        except SourceError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        analyser = FrameAnalyser(camera, origin=start)
        events = 0
        started = time.perf_counter()
        bar = tqdm(total=source.total_frames, unit="frame", disable=options["no_progress"], desc=camera.code)
        last_index = -1
        try:
            for frame in source.frames():
                if stop.is_set():
                    break
                events += len(analyser.process(frame))
                bar.update(frame.index - last_index)
                last_index = frame.index
                bar.set_postfix(events=events, corrupt=source.stats.corrupt)
            events += len(analyser.flush())
        except SourceError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        finally:
            bar.close()
            source.close()
        elapsed = time.perf_counter() - started
        stats = source.stats
        self.stdout.write(
            f"{path.name}: {stats.decoded} frames decoded, {stats.sampled} analysed, {stats.corrupt} corrupt "
            f"skipped, {analyser.stats.failed_frames} failed; {analyser.stats.plate_events} plate events, "
            f"{analyser.stats.face_events} face events in {elapsed:.1f} s"
            + (" (stopped)" if stop.is_set() else "")
        )
