"""Local stand-ins for the SMS gateway and Zalo OA, for tests and demos (no network beyond 127.0.0.1).

Each fake is a stdlib HTTP server on a free port in a daemon thread that answers the way the real
API documents, records every message it accepted, and can be told to fail the next N requests::

    with FakeSmsGateway() as gateway, override_settings(THANGLONG_SMS_API_BASE=gateway.url, ...):
        gateway.fail_next(1)          # the next request gets HTTP 500
        ...
        assert gateway.messages[0]["Phone"] == "84912345678"
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from thanglong.feedback.notifiers.sms import SEND_PATH as SMS_SEND_PATH

ZALO_SEND_PATH = "/v3.0/oa/message/cs"


class _FakeServer:
    """Shared plumbing: start/stop, the recorded requests, and scripted failures."""

    path: ClassVar[str] = "/"

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self._failures = 0
        self._failure_status = 500
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw.decode("utf-8") or "{}")
                except ValueError:
                    body = {}
                status, answer = fake._handle(self.path, dict(self.headers.items()), body)
                payload = json.dumps(answer).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail_next(self, count: int, status: int = 500) -> None:
        with self._lock:
            self._failures, self._failure_status = count, status

    def _handle(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append({"path": path, "headers": headers, "body": body})
            if self._failures > 0:
                self._failures -= 1
                return self._failure_status, {"error": "scripted failure"}
            if path != self.path:
                return 404, {"error": "not found"}
            return self.answer(headers, body)

    def answer(self, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    def start(self) -> _FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class FakeSmsGateway(_FakeServer):
    """eSMS.vn ``SendMultipleMessage_V4_post_json``: CodeResult 100, 101 for wrong keys, 124 for a repeated
    RequestId, 108 for a malformed number."""

    path = SMS_SEND_PATH
    API_KEY = "fake-api-key"
    SECRET_KEY = "fake-secret-key"  # noqa: S105

    def answer(self, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("ApiKey") != self.API_KEY or body.get("SecretKey") != self.SECRET_KEY:
            return 200, {"CodeResult": "101", "CountRegenerate": 0, "ErrorMessage": "Authorize Failed"}
        phone = str(body.get("Phone", ""))
        if not (phone.isdigit() and 10 <= len(phone) <= 12):
            return 200, {"CodeResult": "108", "CountRegenerate": 0, "ErrorMessage": "Phone invalid"}
        request_id = body.get("RequestId")
        if request_id and any(message.get("RequestId") == request_id for message in self.messages):
            return 200, {"CodeResult": "124", "CountRegenerate": 0, "ErrorMessage": "Request exist 1"}
        self.messages.append(body)
        return 200, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": f"fake-sms-{len(self.messages)}"}


class FakeZaloOA(_FakeServer):
    """Zalo OA ``/v3.0/oa/message/cs``: ``error`` 0 with a message id, -216 for a wrong access token."""

    path = ZALO_SEND_PATH
    ACCESS_TOKEN = "fake-zalo-token"  # noqa: S105

    def answer(self, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        token = {key.lower(): value for key, value in headers.items()}.get("access_token")
        if token != self.ACCESS_TOKEN:
            return 200, {"error": -216, "message": "Access token is invalid"}
        user_id = (body.get("recipient") or {}).get("user_id")
        text = (body.get("message") or {}).get("text")
        if not user_id or not text:
            return 200, {"error": -201, "message": "Parameters are invalid"}
        self.messages.append(body)
        return 200, {"error": 0, "message": "Success", "data": {"message_id": f"zmsg-{len(self.messages)}"}}
