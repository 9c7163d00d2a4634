"""One JSON POST with a bounded time, no redirects, and errors sorted into retryable or not."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from thanglong.feedback.notifiers import DeliveryError

TIMEOUT_SECONDS = 10


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would carry our credentials to a host nobody configured: refuse it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def check_base_url(base: str, setting: str) -> str:
    parts = urlsplit(base)
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        raise DeliveryError(f"{setting} is not an http(s) URL: {base!r}")
    return base.rstrip("/")


def post_json(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    """POST ``body``; the decoded JSON answer. 5xx, time-outs and refused connections are retryable."""
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked by check_base_url
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json", "Accept": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            raw = response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}", permanent=400 <= exc.code < 500 and exc.code != 429) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise DeliveryError(f"unreachable: {exc}") from exc
    try:
        answer = json.loads(raw or "{}")
    except ValueError as exc:
        raise DeliveryError("the answer is not JSON") from exc
    if not isinstance(answer, dict):
        raise DeliveryError("the answer is not a JSON object")
    return answer
