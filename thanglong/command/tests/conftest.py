from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Cached medians and public figures of one test's rows must not answer the next test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
