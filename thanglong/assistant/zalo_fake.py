"""A local stand-in for Zalo's OA Open API, for tests and demos without the internet.

Implements ``POST /v3.0/oa/message/cs`` as Zalo documents it: checks the ``access_token`` header,
records each message and answers ``{"error": 0, "message": "Success", "data": {"message_id": …}}``.
It can be told to fail the next N requests with HTTP 500 to exercise retries::

    with FakeZaloServer(access_token="token") as zalo:
        settings.THANGLONG_ZALO_API_BASE = zalo.base_url
        zalo.fail_next(2)
        ...
        assert zalo.messages[0]["message"]["text"] == "…"

It listens on 127.0.0.1 and a free port, in a daemon thread; nothing outside the machine can reach it.
"""

from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from thanglong.assistant.zalo import SEND_PATH

# Zalo's own error code for a missing or invalid access token.
INVALID_TOKEN_ERROR = -216


class FakeZaloServer:
    def __init__(self, access_token: str = "fake-zalo-access-token") -> None:  # noqa: S107 - a fake
        self.access_token = access_token
        self.messages: list[dict[str, Any]] = []
        self.requests = 0
        self._failures_left = 0
        self._failure_status = 500
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Zalo server is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next ``count`` requests with ``status`` (and record nothing for them)."""
        with self._lock:
            self._failures_left = count
            self._failure_status = status

    def start(self) -> FakeZaloServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, body = fake._handle(self.path, dict(self.headers.items()), raw)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: tests read the recorded messages, not the access log."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-zalo", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeZaloServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests += 1
            if self._failures_left > 0:
                self._failures_left -= 1
                return self._failure_status, {"error": -1, "message": "Internal server error"}
        if path != SEND_PATH:
            return 404, {"error": -1, "message": "Not found"}
        token = next((value for key, value in headers.items() if key.lower() == "access_token"), "")
        if token != self.access_token:
            return 200, {"error": INVALID_TOKEN_ERROR, "message": "Access token is invalid"}
        try:
            body = json.loads(raw.decode("utf-8"))
            user_id = body["recipient"]["user_id"]
            text = body["message"]["text"]
        except (ValueError, KeyError, TypeError):
            return 200, {"error": -201, "message": "Parameters are invalid"}
        with self._lock:
            message_id = f"fake-{next(self._ids)}"
            self.messages.append({**body, "message_id": message_id})
        return 200, {
            "error": 0,
            "message": "Success",
            "data": {"message_id": message_id, "user_id": str(user_id), "length": len(text)},
        }
