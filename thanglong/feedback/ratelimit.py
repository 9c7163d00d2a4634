"""Fixed-window rate limits for the public feedback endpoints, counted in Django's cache.

Counted per client IP, and per phone number for submissions (one phone cannot flood the units from
many addresses). The window is a minute. With the default in-process cache each web worker counts on
its own; a deployment with several workers or machines configures a shared cache (Redis or the
database cache) so the limit holds across them.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 60
# Wrong tracking-code digits: a code may be tried this many times an hour, from anywhere.
LOOKUP_FAILURES_PER_HOUR = 10


@dataclass(frozen=True)
class Limited:
    retry_after: int
    message_vi: str = "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."
    message_en: str = "Too many requests. Please try again in a few minutes."

    def as_dict(self) -> dict[str, object]:
        return {
            "error": "rate_limited",
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "retry_after": self.retry_after,
        }


def per_minute() -> int:
    return int(getattr(settings, "THANGLONG_FEEDBACK_RATE_PER_MINUTE", 20))


def client_ip(request: HttpRequest) -> str:
    # As in core.services.request_context: REMOTE_ADDR until a trusted proxy setting exists.
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(scope: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]  # phone numbers never stored in clear
    return f"thanglong:feedback:rl:{scope}:{digest}:{window}"


def hit(scope: str, value: str, limit: int, window_seconds: int = WINDOW_SECONDS) -> Limited | None:
    """Count one request for ``value`` in ``scope``; :class:`Limited` once it is over ``limit``."""
    now = int(time.time())
    window = now // window_seconds
    key = _key(scope, value, window)
    # add() creates the counter atomically; incr() is atomic on the cache backends we use.
    if cache.add(key, 1, timeout=window_seconds + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window_seconds + 5)
            count = 1
    if count > limit:
        return Limited(retry_after=window_seconds - now % window_seconds or 1)
    return None


def check_phone(scope: str, phone: str) -> Limited | None:
    """Rate-limit submissions carrying this (normalised) phone number, wherever they come from."""
    limit = per_minute()
    return hit(f"{scope}:phone", phone, limit) if limit > 0 and phone else None


def check(request: HttpRequest, scope: str, *, phone: str = "") -> Limited | None:
    """Rate-limit a public request by its IP and, when given, by the phone number it carries."""
    limit = per_minute()
    if limit <= 0:  # switched off (benchmarks, or a proxy in front does it)
        return None
    limited = hit(f"{scope}:ip", client_ip(request), limit)
    if limited is None and phone:
        limited = hit(f"{scope}:phone", phone, limit)
    return limited


def lookup_blocked(tracking_code: str) -> bool:
    """Too many wrong digits for this code in the last hour: refuse further guesses for a while."""
    key = _key("lookup-fail", tracking_code, int(time.time()) // 3600)
    return int(cache.get(key, 0)) >= LOOKUP_FAILURES_PER_HOUR


def record_lookup_failure(tracking_code: str) -> None:
    hit("lookup-fail", tracking_code, LOOKUP_FAILURES_PER_HOUR, window_seconds=3600)
