"""Public statistics: no login, aggregates only, small counts suppressed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from thanglong.command import public_stats
from thanglong.command.tests.factories import make_report
from thanglong.feedback.choices import Category, Channel, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cache() -> Any:
    cache.delete(public_stats.CACHE_KEY)
    yield
    cache.delete(public_stats.CACHE_KEY)


def test_public_page_needs_no_login_and_hides_small_counts(hanoi_force: dict[str, Any], client: Any) -> None:
    now = timezone.now()
    for index in range(12):
        make_report(
            hanoi_force["cau_giay"],
            status=Status.RESOLVED,
            received=now - timedelta(days=2, hours=index),
            resolved_after=timedelta(days=2),
            channel=Channel.WEB if index % 4 else Channel.PHONE,
            contact_name="Nguyễn Văn Bí Mật",
            title="Quán karaoke số 7 ngõ 12",
        )
    for index in range(3):  # a rare category: three reports only
        make_report(
            hanoi_force["hoan_kiem"], category=Category.DRUGS, received=now - timedelta(hours=index + 1)
        )

    stats = public_stats.compute()
    assert stats.received.value == 15 and not stats.received.suppressed
    assert stats.resolved.value == 12
    assert stats.resolution_days == pytest.approx(2)
    assert stats.online_rate == pytest.approx(12 / 15)  # 9 web + 3 on the web for the rare category
    drugs = next(row for row in stats.categories if row[0] == Category.DRUGS.label)
    assert drugs[1].suppressed and drugs[1].value == 0

    response = client.get(reverse("command_public:statistics"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "&lt; 10" in body
    assert "Nguyễn Văn Bí Mật" not in body and "karaoke" not in body and "PA-T" not in body


@override_settings(THANGLONG_PUBLIC_STATS_MIN_COUNT=20)
def test_rates_are_hidden_below_the_threshold(hanoi_force: dict[str, Any]) -> None:
    make_report(hanoi_force["cau_giay"], status=Status.RESOLVED, resolved_after=timedelta(hours=5))
    stats = public_stats.compute()
    assert stats.received.suppressed
    assert stats.resolution_days is None and stats.online_rate is None and stats.on_time_rate is None
