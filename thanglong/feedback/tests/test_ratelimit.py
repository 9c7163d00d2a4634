"""Rate limits on the public feedback endpoints: per IP, per phone, and on guessing a code's digits."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from thanglong.feedback import ratelimit
from thanglong.feedback.tests.test_intake import report_data


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.THANGLONG_FEEDBACK_RATE_PER_MINUTE = 2
    cache.clear()


def submit(client: Client, **changes: Any) -> Any:
    return client.post(
        "/api/v1/feedback", data=json.dumps(report_data(**changes)), content_type="application/json"
    )


@pytest.mark.django_db
def test_the_api_answers_429_in_both_languages_over_the_limit(client: Client) -> None:
    codes = [submit(client).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    response = submit(client)
    assert response.json()["error"] == "rate_limited"
    assert response.json()["message_vi"] and response.json()["message_en"]
    assert int(response["Retry-After"]) >= 1


@pytest.mark.django_db
def test_one_phone_is_limited_from_any_address(client: Client) -> None:
    first = Client(REMOTE_ADDR="10.0.0.1")
    second = Client(REMOTE_ADDR="10.0.0.2")
    third = Client(REMOTE_ADDR="10.0.0.3")
    assert submit(first).status_code == 201
    assert submit(second, phone="+84 912 345 678").status_code == 201
    assert submit(third).status_code == 429  # the same number, normalised
    assert submit(third, phone="0987000111").status_code == 201


@pytest.mark.django_db
def test_the_web_form_and_open311_are_limited_too(client: Client) -> None:
    for _ in range(2):
        client.get("/feedback/new/")
        client.post("/feedback/status/", {"code": "PA-2026-000001", "phone_last4": "0000"})
    assert (
        client.post("/feedback/status/", {"code": "PA-2026-000001", "phone_last4": "0000"}).status_code == 429
    )
    for _ in range(2):
        client.get("/open311/v2/requests.json")
    response = client.get("/open311/v2/requests.json")
    assert response.status_code == 429 and response.json()[0]["code"] == 429


def test_a_limit_of_zero_switches_limiting_off(settings: Any) -> None:
    settings.THANGLONG_FEEDBACK_RATE_PER_MINUTE = 0
    assert ratelimit.check_phone("x", "0912345678") is None


def test_guessing_a_codes_digits_is_stopped_after_ten_tries() -> None:
    for _ in range(ratelimit.LOOKUP_FAILURES_PER_HOUR):
        assert not ratelimit.lookup_blocked("PA-2026-000007")
        ratelimit.record_lookup_failure("PA-2026-000007")
    assert ratelimit.lookup_blocked("PA-2026-000007")
    assert not ratelimit.lookup_blocked("PA-2026-000008")
