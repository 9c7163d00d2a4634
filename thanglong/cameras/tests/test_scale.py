"""City-scale generation (small here): rows land searchable, and on PostgreSQL the indexes dropped
for the load are all rebuilt."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from thanglong.cameras import scale
from thanglong.cameras.models import CameraEvent
from thanglong.cameras.services import search

pytestmark = pytest.mark.django_db


def _indexes() -> set[str]:
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'cameras_cameraevent'")
        return {row[0] for row in cursor.fetchall()}


def test_generate_tops_up_and_keeps_the_indexes(cameras: dict[str, Any]) -> None:
    before = _indexes()
    messages: list[str] = []
    assert scale.generate(2000, out=messages.append, progress=False, days=10) == 2000
    assert scale.generate(2000, out=messages.append, progress=False) == 0  # tops up only
    assert _indexes() == before
    assert CameraEvent.objects.count() == 2000
    event = CameraEvent.objects.order_by("?").first()
    assert event is not None and event.plate_folded == event.plate_text.replace("-", "").replace(".", "")
    found = search.search_events(
        cameras["chihuy"], search.EventQuery(plate=event.plate_text[:5] + "*", reason="Kiểm tra dữ liệu")
    )
    assert event.pk in {row.pk for row in found} or len(found) == 200
