"""The cache behind rate limits: per process by default, shared across processes in Redis."""

from __future__ import annotations

import pytest

from thanglong.core.tests.test_tasks import redis_url, run_python, worker_environment  # noqa: F401

LIMIT_HITS = (
    "from thanglong.core import ratelimit\n"
    "results = [ratelimit.hit('test-shared', '203.0.113.7', limit=3) for _ in range(2)]\n"
    "print(','.join('limited' if result else 'ok' for result in results))"
)


@pytest.mark.redis
def test_two_processes_count_one_limit_in_redis(redis_url: str) -> None:  # noqa: F811
    """GIVEN THANGLONG_CACHE_URL on Redis WHEN two web processes each take two requests from one
    address under a limit of three THEN the fourth request is refused: the count is shared."""
    env = worker_environment(THANGLONG_CACHE_URL=redis_url)
    assert run_python(LIMIT_HITS, env=env) == "ok,ok"
    assert run_python(LIMIT_HITS, env=env) == "ok,limited"


def test_redis_is_the_cache_when_jobs_go_through_redis() -> None:
    env = worker_environment(THANGLONG_TASKS_BACKEND="rq", THANGLONG_REDIS_URL="redis://127.0.0.1:6399/3")
    env.pop("THANGLONG_CACHE_URL", None)
    code = (
        "from django.conf import settings\n"
        "cache = settings.CACHES['default']\n"
        "print(cache['BACKEND'], cache['LOCATION'])"
    )
    assert run_python(code, env=env) == "django.core.cache.backends.redis.RedisCache redis://127.0.0.1:6399/3"


def test_without_redis_each_process_counts_on_its_own() -> None:
    env = worker_environment()
    env.pop("THANGLONG_CACHE_URL", None)
    assert run_python(LIMIT_HITS, env=env) == "ok,ok"
    assert run_python(LIMIT_HITS, env=env) == "ok,ok"
