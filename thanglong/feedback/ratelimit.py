"""Rate-limit policy of the public feedback endpoints (the counting is thanglong.core.ratelimit).

Counted per client IP, and per phone number for submissions (one phone cannot flood the units from
many addresses), in one-minute windows; wrong tracking-code digits in one-hour windows.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from thanglong.core.ratelimit import Limited, client_ip, count_of, hit

__all__ = ["Limited", "check", "check_phone", "client_ip", "lookup_blocked", "record_lookup_failure"]

# Wrong tracking-code digits: a code may be tried this many times an hour, from anywhere.
LOOKUP_FAILURES_PER_HOUR = 10


def per_minute() -> int:
    return int(getattr(settings, "THANGLONG_FEEDBACK_RATE_PER_MINUTE", 20))


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
    return count_of("lookup-fail", tracking_code, window_seconds=3600) >= LOOKUP_FAILURES_PER_HOUR


def record_lookup_failure(tracking_code: str) -> None:
    hit("lookup-fail", tracking_code, LOOKUP_FAILURES_PER_HOUR, window_seconds=3600)
