"""`thanglong serve`: the web server answers, spreads kept-alive connections over its workers, and a
second server on a port already served is refused instead of quietly sharing it."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from thanglong.core.management.commands.serve import ensure_port_free

PROJECT_DIR = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_command(port: int) -> list[str]:
    manage = [sys.executable, "-m", "thanglong.cli"]
    return [*manage, "serve", "--no-worker", "--port", str(port), "--threads", "1"]


def serve_environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "thanglong.settings",
        "THANGLONG_ENV": "test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "THANGLONG_STATIC_ROOT": str(tmp_path / "static"),
        "THANGLONG_MEDIA_ROOT": str(tmp_path / "media"),
    }


def health(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/api/v1/core/health")
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    port = free_port()
    log = tmp_path / "serve.log"  # a file, not a pipe: the access log must never block the server
    with log.open("w") as output:
        process = subprocess.Popen(
            serve_command(port),
            cwd=PROJECT_DIR,
            env=serve_environment(tmp_path),
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    try:
        while True:
            assert process.poll() is None, f"serve exited: {log.read_text(errors='replace')[-3000:]}"
            assert time.monotonic() < deadline, "serve did not answer within a minute"
            try:
                if health(port) == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield port, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_port_check_refuses_a_port_somebody_listens_on() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(CommandError, match="port in use"):
            ensure_port_free("127.0.0.1", port)
    ensure_port_free("127.0.0.1", port)  # closed again: free


def test_serve_answers_on_one_socket_per_worker_and_refuses_a_second_server(
    served: tuple[int, subprocess.Popen[str]], tmp_path: Path
) -> None:
    port, process = served
    listeners = subprocess.run(
        ["ss", "-ltnpH", f"( sport = :{port} )"], capture_output=True, text=True, check=False
    ).stdout
    if listeners:  # `ss` (iproute2) present: each of the two web workers listens itself
        assert len(set(re.findall(r"pid=(\d+)", listeners))) == 2, listeners

    second = subprocess.run(
        serve_command(port),
        cwd=PROJECT_DIR,
        env=serve_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert second.returncode != 0
    assert "port in use" in second.stderr + second.stdout
    assert health(port) == 200  # the first server is untouched
    assert process.poll() is None
