"""What a web worker loads once, done before it takes its first request rather than during it.

Left lazy, the first report after a restart waited 1.3 s for the URL modules, the address index and the
translation catalogues; with several threads arriving at once each waited for the others (3–4 s).
``thanglong/wsgi.py`` calls :func:`warm_up` as gunicorn loads the application in each worker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger("thanglong.warmup")


def run_steps(
    steps: Sequence[tuple[str, Callable[[], object]]],
    *,
    log: logging.Logger = logger,
    failed: str = "warm-up: %s not loaded",
) -> dict[str, float]:
    """Run each loading step; seconds each took. Never raises: a step that fails is logged (``failed``
    with its name, on ``log``) and left out, to be loaded by whatever needs it later."""
    took: dict[str, float] = {}
    for name, step in steps:
        started = time.perf_counter()
        try:
            step()
        except Exception:
            log.warning(failed, name, exc_info=True)
            continue
        took[name] = round(time.perf_counter() - started, 2)
    return took


def warm_up() -> float:
    """Load the lazily built parts requests share; return the seconds it took. Never raises: a part that
    cannot load now (its data missing, say) is logged and left to the request that needs it."""
    started = time.perf_counter()
    run_steps(
        (
            ("URL modules", lambda: get_resolver().url_patterns),
            ("address index", _address_index),
            ("translations", _translations),
        )
    )
    elapsed = time.perf_counter() - started
    logger.info("warm-up done in %.2f s", elapsed)
    return elapsed


def _address_index() -> None:
    from thanglong.core.address.index import get_index

    get_index()


def _translations() -> None:
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # activating a language loads its catalogues
            pass
