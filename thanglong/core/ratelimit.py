"""Fixed-window rate limits for public endpoints, counted in Django's cache.

With the in-process cache (``THANGLONG_CACHE_URL=locmem://``) each web process counts on its own; with
Redis (``THANGLONG_CACHE_URL=redis://…``, the default when jobs go through Redis) limits hold across
every process and machine.
Apps keep their own policies (what is counted, how many) and call :func:`hit`.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 60


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


def client_ip(request: HttpRequest) -> str:
    # As in core.services.request_context: REMOTE_ADDR until a trusted proxy setting exists.
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(scope: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]  # phone numbers, IPs never stored in clear
    return f"thanglong:rl:{scope}:{digest}:{window}"


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


def count_of(scope: str, value: str, window_seconds: int = WINDOW_SECONDS) -> int:
    """How many hits ``value`` has in the current window of ``scope`` (without counting one)."""
    return int(cache.get(_key(scope, value, int(time.time()) // window_seconds), 0))
