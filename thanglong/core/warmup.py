"""What a web worker loads once, done before it takes its first request rather than during it.

Left lazy, the first report after a restart waited 1.3 s for the URL modules, the address index and the
translation catalogues; with several threads arriving at once each waited for the others (3–4 s).
``thanglong/wsgi.py`` calls :func:`warm_up` as gunicorn loads the application in each worker.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger("thanglong.warmup")


def warm_up() -> float:
    """Load the lazily built parts requests share; return the seconds it took. Never raises: a part that
    cannot load now (its data missing, say) is logged and left to the request that needs it."""
    started = time.perf_counter()
    steps = (
        ("URL modules", lambda: get_resolver().url_patterns),
        ("address index", _address_index),
        ("translations", _translations),
    )
    for name, step in steps:
        try:
            step()
        except Exception:
            logger.warning("warm-up: %s not loaded", name, exc_info=True)
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
