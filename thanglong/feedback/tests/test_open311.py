"""Open311 GeoReport v2: services, create then read requests, filters, and the spec's error shape."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from thanglong.feedback.choices import Category, Status
from thanglong.feedback.models import Report

BASE = "/open311/v2"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def create(client: Client, **changes: str) -> Any:
    form = {
        "service_code": "traffic",
        "address_string": "ngõ 5 Hàng Bạc, Hoàn Kiếm",
        "description": "Ô tô đỗ kín ngõ 5 Hàng Bạc từ sáng, xe cứu thương không vào được. Gọi 0912345678.",
        "first_name": "Minh",
        "last_name": "Trần",
        "phone": "0912345678",
        "media_url": "https://example.com/ignored.jpg",
        "api_key": "any",
    }
    form.update(changes)
    return client.post(f"{BASE}/requests.json", data=form)


def test_services_are_our_categories(client: Client) -> None:
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    services = response.json()
    assert [service["service_code"] for service in services] == list(Category.values)
    for service in services:
        assert service["metadata"] is False and service["type"] == "realtime"
        assert service["service_name"] and service["group"] and "keywords" in service


@pytest.mark.django_db
def test_a_request_posted_can_be_read_back_without_contact_data(client: Client) -> None:
    created = create(client)
    assert created.status_code == 201, created.content
    (answer,) = created.json()
    code = answer["service_request_id"]
    assert code.startswith("PA-") and code in answer["service_notice"]

    response = client.get(f"{BASE}/requests/{code}.json")
    assert response.status_code == 200
    (request,) = response.json()
    assert request["service_code"] == "traffic" and request["status"] == "open"
    assert request["address"].endswith("Phường Hoàn Kiếm")
    assert "0912345678" not in response.content.decode() and "Minh" not in response.content.decode()
    assert "091****678" in request["description"]
    assert request["expected_datetime"] and request["requested_datetime"]
    report = Report.objects.get(tracking_code=code)
    assert (report.channel, report.contact_name, report.consent) == ("open311", "Minh Trần", True)


@pytest.mark.django_db
def test_a_request_with_only_a_position_is_accepted_and_shown_rounded(client: Client) -> None:
    created = create(client, address_string="", lat="21.0245123", long="105.8412876", phone="")
    assert created.status_code == 201, created.content
    (request,) = client.get(f"{BASE}/requests/{created.json()[0]['service_request_id']}.json").json()
    assert (request["lat"], request["long"]) == (21.025, 105.841)


@pytest.mark.django_db
def test_requests_are_filtered(client: Client) -> None:
    traffic = create(client).json()[0]["service_request_id"]
    noise = create(
        client, service_code="environment_noise", description="Karaoke hát to đến 1 giờ sáng ở Cầu Giấy."
    ).json()[0]["service_request_id"]
    Report.objects.filter(tracking_code=noise).update(status=Status.CLOSED)

    def ids(**params: str) -> list[str]:
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return sorted(item["service_request_id"] for item in response.json())

    assert ids() == sorted([traffic, noise])
    assert ids(service_code="traffic") == [traffic]
    assert ids(status="open") == [traffic]
    assert ids(status="closed") == [noise]
    assert ids(service_request_id=f"{noise},PA-1999-000001") == [noise]
    assert ids(start_date="2001-01-01T00:00:00Z", end_date="2001-02-01T00:00:00Z") == []


@pytest.mark.django_db
def test_descriptions_that_could_expose_the_reporter_are_withheld(client: Client) -> None:
    code = create(
        client, service_code="drugs", description="Nhóm thanh niên bán ma tuý trước cổng trường mỗi tối."
    ).json()[0]["service_request_id"]
    (request,) = client.get(f"{BASE}/requests/{code}.json").json()
    assert request["description"] == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "potholes"}, 404, "service_code"),
        ({"address_string": ""}, 400, "location"),
        ({"description": "ngắn"}, 400, "description"),
        ({"phone": "12"}, 400, "phone"),
    ],
)
def test_errors_have_open311s_shape(client: Client, changes: dict[str, str], status: int, words: str) -> None:
    response = create(client, **changes)
    assert response.status_code == status
    (problem,) = response.json()
    assert problem["code"] == status and words in problem["description"]


@pytest.mark.django_db
def test_unknown_requests_and_xml_are_refused_clearly(client: Client) -> None:
    missing = client.get(f"{BASE}/requests/PA-2020-000001.json")
    xml = client.get(f"{BASE}/services.xml")
    bad_status = client.get(f"{BASE}/requests.json", {"status": "pending"})
    assert (missing.status_code, xml.status_code, bad_status.status_code) == (404, 400, 400)
    assert "not supported" in xml.json()[0]["description"]
    assert missing.json()[0]["code"] == 404
