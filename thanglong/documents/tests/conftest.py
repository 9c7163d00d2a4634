"""Fixtures for the document archive: an isolated media folder and search index per test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def archive_storage(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.THANGLONG_DOCUMENTS_INDEX = tmp_path / "index.sqlite3"
    return tmp_path
