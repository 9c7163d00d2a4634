"""Citizens' pages: the report form, the thank-you page, status look-up and the private link, rating."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from thanglong.feedback.choices import EventKind, Status
from thanglong.feedback.models import Report, ReportEvent
from thanglong.feedback.tests.test_intake import jpeg_bytes, report_data

NEW = "/feedback/new/"
STATUS = "/feedback/status/"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def form(**changes: Any) -> dict[str, Any]:
    data = report_data(**changes)
    return {key: ("1" if value is True else "" if value is False else value) for key, value in data.items()}


def send(client: Client, **changes: Any) -> Report:
    response = client.post(NEW, form(**changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Report.objects.latest("id")


@pytest.mark.django_db
def test_the_form_has_labelled_fields_and_works_without_javascript(client: Client) -> None:
    page = client.get(NEW).content.decode()
    for field in ("text", "category_hint", "address", "ward_code", "files", "name", "phone", "email"):
        assert f'<label for="id_{field}"' in page
    for check in ("anonymous", "consent", "consent_location"):
        assert f'id="id_{check}"' in page
    assert 'enctype="multipart/form-data"' in page and 'accept="image/jpeg' in page
    assert "Phường Cầu Giấy" in page  # the ward list


@pytest.mark.django_db
def test_errors_are_shown_next_to_their_fields_and_the_input_is_kept(client: Client) -> None:
    response = client.post(NEW, form(text="ngắn", phone="", consent=False, address="Phố Huế"))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error_text"' in page and 'id="error_phone"' in page and 'id="error_consent"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="Phố Huế"' in page
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_errors_are_in_english_for_an_english_reader(client: Client) -> None:
    client.cookies["thanglong_language"] = "en"
    page = client.post(NEW, form(text="short")).content.decode()
    assert "Report text: at least 10 characters" in page


@pytest.mark.django_db
def test_sending_redirects_to_a_thank_you_page_with_the_code_and_private_link(client: Client) -> None:
    photo = SimpleUploadedFile("hien-truong.jpg", jpeg_bytes())
    response = client.post(NEW, {**form(), "files": [photo]})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.channel == "web" and report.attachments.count() == 1

    thanks = client.get(response["Location"])
    page = thanks.content.decode()
    assert report.tracking_code in page
    assert f"/feedback/s/{report.tracking_code}/{report.tracking_secret}/" in page
    assert "no-store" in thanks["Cache-Control"] and "private" in thanks["Cache-Control"]
    assert thanks["Referrer-Policy"] == "no-referrer"


@pytest.mark.django_db
def test_a_forged_thank_you_link_is_not_found(client: Client) -> None:
    assert client.get("/feedback/sent/PA-2026-000001/").status_code == 404


@pytest.mark.django_db
def test_an_anonymous_report_needs_no_contact(client: Client) -> None:
    report = send(client, anonymous=True, consent=False, phone="")
    assert report.anonymous and report.contact_phone == ""


@pytest.mark.django_db
def test_look_up_with_the_right_digits_leads_to_the_status_page(client: Client) -> None:
    report = send(client)
    response = client.post(STATUS, {"code": report.tracking_code.lower(), "phone_last4": "5678"})
    assert response.status_code == 302
    assert response["Location"] == f"/feedback/s/{report.tracking_code}/{report.tracking_secret}/"
    page = client.get(response["Location"]).content.decode()
    assert report.tracking_code in page and "Tiếp nhận" in page
    assert "0912345678" not in page and "Nguyễn Thị Lan" not in page


@pytest.mark.django_db
def test_wrong_digits_and_unknown_codes_read_the_same(client: Client) -> None:
    report = send(client)
    wrong = client.post(STATUS, {"code": report.tracking_code, "phone_last4": "1111"}).content.decode()
    unknown = client.post(STATUS, {"code": "PA-2020-000042", "phone_last4": "5678"}).content.decode()
    message = "Không tìm thấy phản ánh với mã và 4 số cuối điện thoại này"
    assert message in wrong and message in unknown
    assert report.tracking_secret not in wrong


@pytest.mark.django_db
def test_a_wrong_secret_is_not_found(client: Client) -> None:
    report = send(client)
    assert client.get(f"/feedback/s/{report.tracking_code}/not-the-secret/").status_code == 404


@pytest.mark.django_db
def test_the_rating_form_appears_only_once_resolved_and_rates_once(client: Client) -> None:
    report = send(client)
    link = f"/feedback/s/{report.tracking_code}/{report.tracking_secret}/"
    assert 'name="stars"' not in client.get(link).content.decode()
    client.post(link, {"stars": "5"})
    report.refresh_from_db()
    assert report.citizen_rating is None  # refused before resolution

    Report.objects.filter(pk=report.pk).update(status=Status.RESOLVED)
    ReportEvent.objects.create(
        report=report, kind=EventKind.REPLY, public=True, message="Đã nhắc nhở chủ quán, lập biên bản."
    )
    page = client.get(link).content.decode()
    assert 'name="stars"' in page and "Đã nhắc nhở chủ quán" in page

    response = client.post(link, {"stars": "4", "comment": "Cảm ơn các anh"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.citizen_rating, report.citizen_comment) == (4, "Cảm ơn các anh")
    assert 'name="stars"' not in client.get(link).content.decode()
    client.post(link, {"stars": "1"})
    report.refresh_from_db()
    assert report.citizen_rating == 4
