"""An entitled officer in a real browser: searches a partial plate with a reason, opens the vehicle's
route, sees a live alert toast when an external system posts a pass of a watch-listed plate while
the page is open, and confirms the alert."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.conftest import ConsoleErrors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-password-123"
REASON = "Hồ sơ vụ việc 318/2026"


def _cameras_and_passes(site: dict[str, Any]) -> None:
    from django.utils import timezone

    from thanglong.cameras.models import Camera, WatchReason, WatchVehicle
    from thanglong.cameras.services import record_event
    from thanglong.core.models import Ward

    now = timezone.now()
    cameras = {}
    for code, ward, unit, address in [
        ("CG-001", "00166", site["cau_giay"], "Ngã tư Xuân Thủy – Cầu Giấy"),
        ("HK-001", "00070", site["hoan_kiem"], "Ngã tư Đinh Tiên Hoàng – Lê Thái Tổ"),
    ]:
        cameras[code] = Camera.objects.create(
            code=code,
            name=address,
            ward=Ward.objects.get(code=ward),
            address=address,
            owner_unit=unit,
            latitude="21.03",
            longitude="105.80",
            status="online",
        )
    for code, text, minutes in [
        ("CG-001", "30A-123.45", 90),
        ("HK-001", "30A-123.45", 60),
        ("CG-001", "30A-129.99", 30),
        ("HK-001", "29B1-555.66", 20),
    ]:
        record_event(
            camera=cameras[code],
            kind="plate",
            observed_at=now - timedelta(minutes=minutes),
            confidence=0.92,
            plate_text=text,
        )
    WatchVehicle.objects.create(
        plate_text="30A-123.45",
        plate_folded="30A12345",
        reason=WatchReason.STOLEN,
        legal_basis="QĐ 125/QĐ-CSHS ngày 02/11/2026",
        owner_unit=site["pc06"],
        expires_at=now + timedelta(days=30),
    )


def _post_event(url: str, key: str) -> dict[str, Any]:
    from django.utils import timezone

    body = {
        "camera": "HK-001",
        "kind": "plate",
        "observed_at": timezone.now().isoformat(),
        "confidence": 0.95,
        "plate_text": "30A12345",
        "external_id": "anpr-hk-0001",
    }
    request = urllib.request.Request(  # noqa: S310 — the test's own live server
        url + "/api/v1/cameras/events",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Api-Key": key},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 201
        return json.loads(response.read())


def test_officer_searches_opens_the_route_and_confirms_a_live_alert(
    browser: Any,
    live_server: Any,
    site: dict[str, Any],
    console_errors: ConsoleErrors,
    settings: Any,
    tmp_path: Any,
    monkeypatch: Any,
) -> None:
    from playwright.sync_api import expect

    from thanglong.cameras import keys
    from thanglong.cameras.models import Alert, AlertStatus
    from thanglong.core import alerts

    settings.MEDIA_ROOT = tmp_path / "media"
    # Short streams, so the page also lives through EventSource's reconnections (Last-Event-ID).
    monkeypatch.setattr(alerts, "STREAM_SECONDS", 3.0)
    _cameras_and_passes(site)
    _record, key = keys.create("ANPR Hoàn Kiếm", site["city"])

    page = console_errors.watch(
        browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900}).new_page()
    )
    page.goto(live_server.url + "/accounts/login/?next=/console/cameras/search/")
    page.locator("#id_username").fill("chihuy")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tra cứu sự kiện camera")

    page.locator("#s-reason").fill(REASON)
    page.locator("#s-plate").fill("30A-12*")
    page.locator('[data-testid="camera-search"] button[type=submit]').click()
    results = page.locator('[data-testid="search-results"] tbody tr')
    expect(results).to_have_count(3)
    expect(page.locator('[data-testid="search-results"]')).not_to_contain_text("29B1-555.66")

    page.locator('[data-testid="route-link"]').last.click()  # the oldest pass: 30A-123.45
    stops = page.locator('[data-testid="route"] li')
    expect(stops).to_have_count(2)
    expect(stops.nth(0)).to_contain_text("CG-001")
    expect(stops.nth(1)).to_contain_text("HK-001")
    expect(stops.nth(1)).to_contain_text("Phường Hoàn Kiếm")

    page.wait_for_timeout(4000)  # past one stream's end: the toast must come through a reconnection
    posted = _post_event(live_server.url, key)
    assert posted["alerts"] == 1
    toast = page.locator(".console-alert").first
    expect(toast).to_be_visible(timeout=15000)
    expect(toast).to_contain_text("30A-123.45")
    expect(toast).to_contain_text("HK-001")
    expect(page.locator(".console-alert")).to_have_count(1)

    toast.get_by_role("link").click()
    expect(page.get_by_test_id("alert-status")).to_have_text("Mới")
    page.wait_for_timeout(2000)
    expect(page.locator(".console-alert")).to_have_count(0)  # the next page resumes after it: no repeat
    page.locator("#a-note").fill("Đã dừng xe tại chốt, đúng xe bị mất cắp")
    page.get_by_role("button", name="Xác nhận đúng đối tượng").click()
    expect(page.get_by_test_id("alert-status")).to_have_text("Đã xác nhận")
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.CONFIRMED and alert.note.startswith("Đã dừng xe")
    assert alert.event.keep is True
    assert console_errors == []
