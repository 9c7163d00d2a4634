"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright's sync API runs an asyncio event loop in the test thread, and Django refuses ORM calls from
a thread with a running loop; the fixtures here use the ORM from that thread on purpose, so allow it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("THANGLONG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module", autouse=True)
def _reference_data(restore_reference_data: None) -> None:
    """Every test here is transactional: reload the session's reference data after the module."""


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleErrors(list[str]):
    """Errors the page logged or threw; a test asserts this stays empty."""

    def watch(self, page: Any) -> Any:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.append(str(error)))
        return page

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.append(f"{message.text} ({message.location.get('url', '')})")


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture
def site(lifted_audit_triggers: None, reference_data: None, hanoi_force: dict[str, Any]) -> dict[str, Any]:
    """Reference data and the small Hanoi force, created inside this transactional test."""
    return hanoi_force
