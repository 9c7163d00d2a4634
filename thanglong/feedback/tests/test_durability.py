"""Nothing acknowledged is lost: a real server is killed with SIGKILL in the middle of a load of reports.

GIVEN gunicorn serving the test database, and clients sending reports with a photo each
WHEN the server and its workers are killed with ``kill -9`` while requests are in flight
THEN every report the server answered 201 for is in the database with its attachment, and the file is
on disk with the bytes its hash names; and after a restart, clients retrying the unanswered requests
with the same Idempotency-Key get each report exactly once.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from PIL import Image

from thanglong.feedback.models import Attachment, Report

PROJECT_DIR = Path(__file__).resolve().parents[3]
REQUESTS = 240
CLIENTS = 12
KILL_AFTER_ACKNOWLEDGED = 40
DEADLINE_S = 60

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("restore_reference_data"),
]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"])
        if not name or name == ":memory:" or "mode=memory" in name:
            pytest.skip("the SQLite test database is in memory: a server process cannot see it")
        return f"sqlite:///{name}"
    if connection.vendor == "postgresql":
        credentials = quote(settings["USER"], safe="")
        if settings["PASSWORD"]:
            credentials += ":" + quote(settings["PASSWORD"], safe="")
        host = settings["HOST"] or "localhost"
        port = f":{settings['PORT']}" if settings["PORT"] else ""
        return f"postgres://{credentials}@{host}{port}/{quote(settings['NAME'], safe='')}"
    pytest.skip(f"no server test for {connection.vendor}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """gunicorn in its own process group, so one SIGKILL takes the master and every worker at once."""

    def __init__(self, tmp_path: Path, media_root: Path) -> None:
        shim = tmp_path / "shim"
        shim.mkdir(exist_ok=True)
        # Rate limiting off for this test's single client address; everything else as deployed.
        (shim / "durability_settings.py").write_text(
            "from thanglong.settings import *  # noqa: F403\nTHANGLONG_FEEDBACK_RATE_PER_MINUTE = 0\n"
        )
        self.port = free_port()
        self.log = tmp_path / f"gunicorn-{self.port}.log"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(shim), str(PROJECT_DIR)]),
            "DJANGO_SETTINGS_MODULE": "durability_settings",
            "DATABASE_URL": database_url(),
            "THANGLONG_MEDIA_ROOT": str(media_root),
            "THANGLONG_ENV": "test",
            "THANGLONG_TASKS_BACKEND": "database",
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "thanglong.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                ],
                cwd=PROJECT_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{self.log.read_text(errors='replace')[-3000:]}")
            try:
                status, _ = request(self.port, "GET", "/api/v1/core/health", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.kill()
        pytest.fail(f"gunicorn did not answer:\n{self.log.read_text(errors='replace')[-3000:]}")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def request(
    port: int,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int, bytes]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        client.request(method, path, body=body or None, headers=headers or {})
        response = client.getresponse()
        return response.status, response.read()
    finally:
        client.close()


def photo(number: int) -> bytes:
    """A distinct small JPEG per request, so every report has its own file."""
    image = Image.new("RGB", (48, 32), (number % 256, (number * 7) % 256, (number * 13) % 256))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=90)
    return output.getvalue()


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for filename, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files[]"; filename="{filename}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def submission(number: int) -> tuple[bytes, dict[str, str]]:
    body, content_type = multipart(
        {
            "text": f"Phản ánh số {number}: xe máy đỗ tràn vỉa hè phố Hàng Bạc, người đi bộ khó đi.",
            "category_hint": "traffic",
            "phone": f"09{number:08d}",
            "consent": "true",
        },
        [(f"anh-{number}.jpg", photo(number))],
    )
    return body, {"Content-Type": content_type, "Idempotency-Key": f"durability-{number:05d}"}


@pytest.fixture
def media_root(tmp_path: Path) -> Path:
    path = tmp_path / "media"
    path.mkdir()
    return path


@pytest.fixture
def servers(tmp_path: Path, media_root: Path) -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.kill()


def test_every_acknowledged_report_survives_kill_9(
    tmp_path: Path, media_root: Path, servers: list[Server]
) -> None:
    started_at = time.monotonic()
    server = Server(tmp_path, media_root)
    servers.append(server)

    acknowledged: dict[int, str] = {}  # request number → tracking code
    unanswered: list[int] = []
    lock = threading.Lock()
    numbers = iter(range(REQUESTS))
    killed = threading.Event()

    def client() -> None:
        while True:
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            body, headers = submission(number)
            try:
                status, answer = request(server.port, "POST", "/api/v1/feedback", body, headers)
            except OSError:
                status, answer = 0, b""
            with lock:
                if status == 201:
                    acknowledged[number] = json.loads(answer)["tracking_code"]
                    if len(acknowledged) >= KILL_AFTER_ACKNOWLEDGED and not killed.is_set():
                        killed.set()
                        server.kill()  # SIGKILL to the whole process group, requests in flight
                else:
                    assert status in (0, 502, 503) or killed.is_set(), (status, answer[:300])
                    unanswered.append(number)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_S)
    assert killed.is_set(), "the server was never killed: fewer acknowledgements than expected"
    assert unanswered, "nothing was in flight when the server was killed"

    # Every acknowledged report is there, with its attachment's file complete on disk.
    reports = {
        report.tracking_code: report
        for report in Report.objects.filter(tracking_code__in=acknowledged.values())
    }
    assert set(reports) == set(acknowledged.values())
    for number, code in acknowledged.items():
        report = reports[code]
        assert report.idempotency_key == f"api:durability-{number:05d}"
        (attachment,) = Attachment.objects.filter(report=report)
        stored = (media_root / str(attachment.file.name)).read_bytes()
        assert hashlib.sha256(stored).hexdigest() == attachment.sha256
        assert len(stored) == attachment.size

    # After a restart, retrying the unanswered requests gives each report exactly once.
    restarted = Server(tmp_path, media_root)
    servers.append(restarted)
    for number in unanswered[:20]:
        body, headers = submission(number)
        status, answer = request(restarted.port, "POST", "/api/v1/feedback", body, headers)
        assert status in (200, 201), answer[:300]
    keys = [f"api:durability-{number:05d}" for number in unanswered[:20]]
    assert Report.objects.filter(idempotency_key__in=keys).count() == len(keys)
    assert time.monotonic() - started_at < DEADLINE_S * 1.5
