"""The HTML shell: every page renders in both languages, and each page admits only those it should."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from thanglong.core import services
from thanglong.core.models import AuditAction, Role

pytestmark = pytest.mark.django_db

PASSWORD = "Test-password-123"

CONSOLE_PAGES = [
    ("console", {}),
    ("core:units", {}),
    ("core:units", {"q": "Cầu Giấy"}),
    ("core:divisions", {}),
    ("core:divisions", {"province": "79"}),
    ("core:calendar", {}),
    ("core:calendar", {"year": "2026", "start": "2026-04-28", "days": "5"}),
    ("core:calendar", {"start": "not-a-date", "days": "5"}),
    ("core:address", {}),
    ("core:address", {"q": "144 Xuân Thuỷ, Dịch Vọng Hậu, Cầu Giấy, Hà Nội"}),
]


@pytest.fixture(autouse=True)
def _vietnamese_by_default() -> None:
    translation.activate("vi")


def client_for(user: object, language: str = "vi") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies["thanglong_language"] = language
    return client


@pytest.fixture
def citizen(db: None) -> object:
    return services.create_user(username="nguoidan", password=PASSWORD, full_name="Nguyễn Văn Dân")


def test_home_page_lists_citizen_services_and_emergency_numbers(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    for number in ("tel:113", "tel:114", "tel:115"):
        assert number in html
    assert "Gửi phản ánh, kiến nghị" in html
    assert reverse("login") in html
    assert 'name="viewport"' in html


def test_home_page_in_english(client: Client) -> None:
    client.cookies["thanglong_language"] = "en"
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert "Send feedback and petitions" in html
    assert "Gửi phản ánh, kiến nghị" not in html


def test_login_page_renders(client: Client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'autocomplete="current-password"' in response.content.decode()


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("name", "params"), CONSOLE_PAGES)
def test_console_pages_render_for_an_officer(
    hanoi_force: dict[str, Any], language: str, name: str, params: dict[str, str]
) -> None:
    client = client_for(hanoi_force["canbo.caugiay"], language)
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    # The shell: navigation, sign-out as a POST form, and the htmx CSRF header.
    assert reverse("core:units") in html
    assert f'action="{reverse("logout")}" method="post"' in html
    assert "X-CSRFToken" in html


def test_console_shows_the_officers_unit_and_english_labels(hanoi_force: dict[str, Any]) -> None:
    vietnamese = client_for(hanoi_force["canbo.caugiay"], "vi").get(reverse("console")).content.decode()
    assert "Công an phường Cầu Giấy" in vietnamese
    assert "Bảng điều khiển" in vietnamese

    english = client_for(hanoi_force["canbo.caugiay"], "en").get(reverse("console")).content.decode()
    assert "Công an phường Cầu Giấy" in english  # unit names are proper names, never translated
    for label in ("Dashboard", "Units", "Administrative divisions", "Working calendar", "Sign out"):
        assert label in english
    assert "Bảng điều khiển" not in english


def test_calendar_computes_a_deadline(hanoi_force: dict[str, Any]) -> None:
    client = client_for(hanoi_force["canbo.caugiay"])
    html = client.get(reverse("core:calendar"), {"start": "2026-01-02", "days": "3"}).content.decode()
    assert 'datetime="2026-01-07"' in html  # Fri 2 Jan + 3 working days → Wed 7 Jan


def test_divisions_lists_the_wards_merged_into_each_new_ward(hanoi_force: dict[str, Any]) -> None:
    html = client_for(hanoi_force["canbo.caugiay"]).get(reverse("core:divisions")).content.decode()
    assert "Phường Cầu Giấy" in html
    assert "Dịch Vọng" in html  # a pre-2025 ward now inside Cầu Giấy


@pytest.mark.parametrize(
    "name", ["console", "core:units", "core:divisions", "core:calendar", "core:address", "core:audit"]
)
def test_anonymous_visitors_are_sent_to_log_in(client: Client, name: str) -> None:
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", ["console", "core:units", "core:divisions", "core:calendar", "core:audit"])
def test_citizens_are_refused_the_console(citizen: object, name: str) -> None:
    response = client_for(citizen).get(reverse(name))
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_audit_log_is_refused_to_an_officer(hanoi_force: dict[str, Any]) -> None:
    response = client_for(hanoi_force["lanhdao.caugiay"]).get(reverse("core:audit"))
    assert response.status_code == 403


def test_audit_link_is_only_offered_to_administrators(hanoi_force: dict[str, Any]) -> None:
    officer_html = client_for(hanoi_force["canbo.caugiay"]).get(reverse("console")).content.decode()
    admin_html = client_for(hanoi_force["admin"]).get(reverse("console")).content.decode()
    assert reverse("core:audit") not in officer_html
    assert reverse("core:audit") in admin_html


@pytest.mark.parametrize("language", ["vi", "en"])
def test_audit_log_renders_and_filters_for_an_administrator(
    hanoi_force: dict[str, Any], language: str
) -> None:
    admin = hanoi_force["admin"]
    services.record_audit(
        actor=admin,
        action=AuditAction.READ,
        object_type="core.profile",
        object_id=7,
        object_repr="Canbo.Caugiay",
        fields=["phone", "id_number"],
        reason="kiểm tra",
    )
    services.record_audit(actor=admin, action=AuditAction.EXPORT, object_type="core.unit")
    client = client_for(admin, language)

    html = client.get(reverse("core:audit"), {"action": "read"}).content.decode()
    assert "core.profile#7" in html
    assert "phone, id_number" in html
    assert "core.unit" not in html

    empty = client.get(reverse("core:audit"), {"actor": "không-có-ai"})
    assert empty.status_code == 200
    assert "core.profile" not in empty.content.decode()


def test_units_search_partial_is_only_the_table(hanoi_force: dict[str, Any]) -> None:
    client = client_for(hanoi_force["giamdoc"])
    response = client.get(reverse("core:units"), {"q": "Hoàn Kiếm"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "<table" in html
    assert "Công an phường Hoàn Kiếm" in html
    assert "Công an phường Cầu Giấy" not in html


def test_units_search_without_matches_says_so(hanoi_force: dict[str, Any]) -> None:
    client = client_for(hanoi_force["giamdoc"])
    html = client.get(reverse("core:units"), {"q": "zzzz"}, headers={"HX-Request": "true"}).content.decode()
    assert "<table" not in html
    assert "Không có đơn vị nào khớp." in html


def test_units_page_lists_a_unit_without_parent(hanoi_force: dict[str, Any]) -> None:
    html = client_for(hanoi_force["giamdoc"]).get(reverse("core:units")).content.decode()
    assert "Công an Thành phố Hà Nội" in html  # the directorate: no parent unit, no ward
    assert "Công an phường Hoàn Kiếm" in html


def test_officer_sees_only_their_own_unit(hanoi_force: dict[str, Any]) -> None:
    html = client_for(hanoi_force["canbo.caugiay"]).get(reverse("core:units")).content.decode()
    assert "Công an phường Cầu Giấy" in html
    assert "Công an phường Hoàn Kiếm" not in html


def test_address_partial_renders(hanoi_force: dict[str, Any]) -> None:
    client = client_for(hanoi_force["canbo.caugiay"])
    response = client.get(
        reverse("core:address"), {"q": "số 1 Dịch Vọng, Cầu Giấy, Hà Nội"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="address-result-title"' in html


def test_language_switch_is_a_post_form_without_javascript(client: Client) -> None:
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("set_language")}" method="post"' in html
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


def test_unknown_page_uses_the_404_template(client: Client, settings: object) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_500_template_renders_without_a_request() -> None:
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Thăng Long" in html
    assert "tel:113" in html


def test_officer_header_shows_role_and_unit(hanoi_force: dict[str, Any]) -> None:
    services.add_member(hanoi_force["canbo.pc06"], hanoi_force["pc06"], Role.OFFICER, title="Cán bộ tiếp dân")
    html = client_for(hanoi_force["canbo.pc06"]).get(reverse("console")).content.decode()
    assert "Phòng PC06" in html
    assert "Cán bộ tiếp dân" in html


@pytest.mark.parametrize("language", ["vi", "en"])
def test_address_result_shows_ward_legacy_names_and_alternatives(language: str) -> None:
    from django.template import loader

    from thanglong.core.address import AddressResult, UnitRef

    result = AddressResult(
        input="số 5 Dịch Vọng, Cầu Giấy",
        province=UnitRef(code="01", name="Thành phố Hà Nội"),
        ward=UnitRef(code="00166", name="Phường Cầu Giấy"),
        legacy_province="Hà Nội",
        legacy_district="Cầu Giấy",
        legacy_ward="Dịch Vọng",
        street="số 5",
        confidence=0.42,
        alternatives=[{"legacy_ward": "Dịch Vọng Hậu", "legacy_district": "Cầu Giấy", "ward_code": "00167"}],
    )
    with translation.override(language):
        html = loader.get_template("core/_address_result.html").render({"q": result.input, "result": result})
    assert "Phường Cầu Giấy" in html
    assert "Dịch Vọng · Cầu Giấy · Hà Nội" in html
    assert "42%" in html
    assert "00167" in html
    assert ("Check again with the citizen" if language == "en" else "Cần kiểm tra lại với người dân") in html


def test_deadline_sentence_is_translated(hanoi_force: dict[str, Any]) -> None:
    client = client_for(hanoi_force["canbo.caugiay"], "en")
    html = client.get(reverse("core:calendar"), {"start": "2026-01-02", "days": "1"}).content.decode()
    assert "Received on 02/01/2026, due in 1 working day:" in html


@pytest.mark.django_db
def test_unit_search_ignores_accents_and_varies_on_htmx(hanoi_force: dict[str, Any]) -> None:
    """GIVEN a leader typing without accents WHEN they filter units THEN the accented unit is found."""
    client = Client()
    client.force_login(hanoi_force["giamdoc"])
    response = client.get("/console/core/units/", {"q": "cau giay"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Công an phường Cầu Giấy" in body
    assert "Công an phường Hoàn Kiếm" not in body
    assert "HX-Request" in response["Vary"]
