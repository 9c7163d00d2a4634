"""A web worker's warm-up: the shared lazy parts are loaded before the first request, and a part that
cannot load is logged, never fatal to the worker."""

from __future__ import annotations

import logging

import pytest

from thanglong.core import warmup
from thanglong.core.address import index


def test_warm_up_builds_the_address_index_before_any_request() -> None:
    index.reset_index()
    warmup.warm_up()
    assert index._index is not None
    assert index.get_index() is index._index  # the requests' index is the one already built


def test_a_part_that_fails_to_load_is_logged_and_the_rest_still_load(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise FileNotFoundError("divisions data missing")

    monkeypatch.setattr(warmup, "_address_index", broken)
    loaded: list[str] = []
    monkeypatch.setattr(warmup, "_translations", lambda: loaded.append("translations"))
    with caplog.at_level(logging.WARNING, logger="thanglong.warmup"):
        warmup.warm_up()
    assert loaded == ["translations"]
    assert "address index not loaded" in caplog.text
