"""JSON API: submit (JSON and multipart), idempotent replay, bilingual errors, status look-up, rating."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_script_prefix

from thanglong.feedback.choices import Status
from thanglong.feedback.models import Report
from thanglong.feedback.tests.test_intake import jpeg_bytes, report_data

URL = "/api/v1/feedback"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def post_json(client: Client, body: Any, **headers: str) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_a_json_report_is_acknowledged_with_201_and_its_links(client: Client) -> None:
    response = post_json(client, report_data(category_hint="traffic"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"tracking_code", "status", "status_url", "secret_url", "received_at"}
    report = Report.objects.get(tracking_code=body["tracking_code"])
    assert body["status"] == "received"
    assert body["secret_url"].endswith(f"/feedback/s/{report.tracking_code}/{report.tracking_secret}/")
    assert body["status_url"].startswith("http://testserver/feedback/status/?code=PA-")
    assert report.channel == "api" and report.client_ip == "127.0.0.1"


@pytest.mark.django_db
def test_the_links_follow_the_script_prefix_the_site_is_served_under(client: Client) -> None:
    """GIVEN the site served under /thanglong (a reverse proxy's SCRIPT_NAME) WHEN a report is sent
    THEN both links carry the prefix, and the next report at the root again does not."""
    with override_script_prefix("/thanglong/"):  # what the WSGI handler sets from SCRIPT_NAME
        response = post_json(client, report_data())
    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.get(tracking_code=body["tracking_code"])
    assert body["status_url"] == f"http://testserver/thanglong/feedback/status/?code={report.tracking_code}"
    assert body["secret_url"] == (
        f"http://testserver/thanglong/feedback/s/{report.tracking_code}/{report.tracking_secret}/"
    )
    plain = post_json(client, report_data(phone="0987654321")).json()
    assert plain["status_url"].startswith("http://testserver/feedback/status/?code=PA-")


@pytest.mark.django_db
def test_a_multipart_report_with_files_is_stored_with_them(client: Client) -> None:
    data = {**report_data(), "consent": "true"}
    data["files[]"] = [
        SimpleUploadedFile("a.jpg", jpeg_bytes()),
        SimpleUploadedFile("b.jpg", jpeg_bytes(color=(1, 2, 3))),
    ]
    response = client.post(URL, data=data)
    assert response.status_code == 201, response.content
    report = Report.objects.get(tracking_code=response.json()["tracking_code"])
    assert report.attachments.count() == 2


@pytest.mark.django_db
def test_a_replay_with_the_same_key_answers_200_with_the_same_body(client: Client) -> None:
    first = post_json(client, report_data(), **{"Idempotency-Key": "4f1c2a9e-retry"})
    again = post_json(client, report_data(), **{"Idempotency-Key": "4f1c2a9e-retry"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_invalid_input_answers_422_naming_the_field_in_both_languages(client: Client) -> None:
    response = post_json(client, report_data(text="ngắn", phone="123"))
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_input"
    fields = {item["field"]: item for item in body["fields"]}
    assert set(fields) == {"text", "phone"}
    assert "Nội dung phản ánh" in fields["text"]["message_vi"]
    assert "Report text" in fields["text"]["message_en"]
    assert "Số điện thoại" in body["message_vi"] and "Phone number" in body["message_en"]


@pytest.mark.django_db
def test_a_wrongly_typed_field_or_broken_json_answers_422(client: Client) -> None:
    typed = post_json(client, report_data(text=["not", "text"]))
    broken = client.post(URL, data="{not json", content_type="application/json")
    assert typed.status_code == broken.status_code == 422
    assert typed.json()["fields"][0]["field"] == "text"
    assert broken.json()["fields"][0]["field"] == "body"


@pytest.mark.django_db
def test_a_request_over_the_size_limit_answers_413_before_it_is_read(client: Client, settings: Any) -> None:
    settings.THANGLONG_FEEDBACK_MAX_TOTAL_MB = 1  # requests over 3 MB are refused from their length
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024))
    response = client.post(URL, data={**report_data(), "files[]": [big]})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large" and "MB" in response.json()["message_vi"]


@pytest.mark.django_db
def test_a_refused_file_answers_422_naming_it(client: Client) -> None:
    exe = SimpleUploadedFile("anh.jpg", b"MZ" + b"\0" * 300)
    response = client.post(URL, data={**report_data(), "files[]": [exe]})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "files"
    assert "anh.jpg" in response.json()["fields"][0]["message_en"]


@pytest.mark.django_db
def test_the_public_status_shows_no_contact_data(client: Client) -> None:
    text = "Có người gọi 0987654321 giả danh công an, yêu cầu chuyển tiền vào tài khoản lạ."
    code = post_json(client, report_data(text=text, email="lan@example.com")).json()["tracking_code"]

    response = client.get(f"{URL}/{code}", {"phone_last4": "5678"})
    assert response.status_code == 200
    body = response.json()
    assert body["tracking_code"] == code and body["status"] == "received"
    assert [event["kind"] for event in body["timeline"]] == ["received"]
    raw = response.content.decode()
    for secret in ("0912345678", "Nguyễn Thị Lan", "lan@example.com", "0987654321", "tracking_secret"):
        assert secret not in raw
    assert "098****321" in body["text"]


@pytest.mark.django_db
def test_wrong_digits_and_unknown_codes_get_the_same_answer(client: Client) -> None:
    code = post_json(client, report_data()).json()["tracking_code"]
    wrong = client.get(f"{URL}/{code}", {"phone_last4": "0000"})
    unknown = client.get(f"{URL}/PA-2020-999999", {"phone_last4": "5678"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


@pytest.mark.django_db
def test_rating_is_accepted_once_and_only_after_resolution(client: Client) -> None:
    code = post_json(client, report_data()).json()["tracking_code"]
    rating = {"stars": 4, "comment": "Xử lý nhanh", "phone_last4": "5678"}

    early = post_json_to(client, f"{URL}/{code}/rating", rating)
    Report.objects.filter(tracking_code=code).update(status=Status.RESOLVED)
    accepted = post_json_to(client, f"{URL}/{code}/rating", rating)
    twice = post_json_to(client, f"{URL}/{code}/rating", rating)

    assert (early.status_code, accepted.status_code, twice.status_code) == (409, 200, 409)
    assert early.json()["error"] == "not_resolved" and twice.json()["error"] == "already_rated"
    assert Report.objects.get(tracking_code=code).citizen_rating == 4


def post_json_to(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_the_openapi_document_describes_the_submission(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/feedback"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"201", "200", "422", "413", "429"} <= set(operation["responses"])
