"""Importing the portal pages: the 22 real pages, idempotency, officers' versions kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from thanglong.procedures import services
from thanglong.procedures.models import (
    Fee,
    Procedure,
    ProcedureVersion,
    Source,
    VersionOrigin,
    VersionStatus,
)
from thanglong.procedures.services import ImportAction

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    for name, code in [("portal_1.004194_cut.txt", "1.004194"), ("portal_2.001178.txt", "2.001178")]:
        shutil.copy(FIXTURES / name, tmp_path / f"doc_congdan_{code}.txt")
    return tmp_path


@pytest.fixture
def reviewer() -> User:
    return User.objects.create_superuser("reviewer", password="Test-password-123")


@pytest.mark.shared_data
def test_the_22_portal_pages(shared_data: Path) -> None:
    report = services.import_portal_pages(shared_data / "procedures-dvc")
    assert report.count(ImportAction.CREATED) == 22
    assert Procedure.objects.filter(source=Source.PORTAL).count() == 22
    assert {"1.004194", "1.004222", "2.000200", "2.001159"} <= set(
        Procedure.objects.values_list("code", flat=True)
    )
    version = services.published_version("1.004194")
    assert version is not None
    assert version.procedure.name == "Đăng ký tạm trú"
    assert len(version.steps) == 5
    assert version.documents.filter(form_code__contains="CT01").exists()
    assert version.citations.filter(number="66/2023/TT-BCA", issuer="Bộ Công an").exists()
    assert version.fees.filter(amount_vnd=10000).exists()
    # Every page was parsed into a name, steps and at least one document.
    for procedure in Procedure.objects.all():
        published = procedure.published_version
        assert procedure.name and published is not None
        assert published.steps, procedure.code
        assert published.documents.exists(), procedure.code
    # "Lệ phí: Đồng": the amount is unknown and stays None; no fee anywhere is a made-up 0.
    assert Fee.objects.filter(amount_vnd__isnull=True, exemption="").exists()
    assert not Fee.objects.filter(amount_vnd=0).exists()
    identity_card = services.published_version("2.000200")
    assert identity_card is not None
    assert all(fee.amount_vnd is None for fee in identity_card.fees.all())
    assert identity_card.procedure.needs_review


def test_import_is_idempotent(pages: Path) -> None:
    first = services.import_portal_pages(pages)
    assert first.summary["created"] == 2
    second = services.import_portal_pages(pages)
    assert second.summary["unchanged"] == 2
    assert ProcedureVersion.objects.count() == 2


def test_changed_page_replaces_an_unreviewed_portal_version(pages: Path) -> None:
    services.import_portal_pages(pages)
    page = pages / "doc_congdan_2.001178.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("07 ngày", "05 ngày"), encoding="utf-8")
    report = services.import_portal_pages(pages)
    assert report.summary["updated"] == 1
    versions = ProcedureVersion.objects.filter(procedure__code="2.001178")
    assert sorted(versions.values_list("number", "status")) == [
        (1, VersionStatus.ARCHIVED),
        (2, VersionStatus.PUBLISHED),
    ]
    published = services.published_version("2.001178")
    assert published is not None and "05 ngày" in published.processing_time_text


def test_changed_page_waits_as_a_draft_when_an_officer_reviewed_the_published_version(
    pages: Path, reviewer: User
) -> None:
    """GIVEN a reviewed published version WHEN the portal text changes THEN it is kept and a draft waits."""
    services.import_portal_pages(pages)
    reviewed = services.published_version("1.004194")
    assert reviewed is not None
    services.publish_version(reviewed, reviewer)
    page = pages / "doc_congdan_1.004194.txt"
    page.write_text(page.read_text(encoding="utf-8") + " ", encoding="utf-8")
    report = services.import_portal_pages(pages)
    assert report.summary["drafted"] == 1
    still = services.published_version("1.004194")
    assert still is not None and still.pk == reviewed.pk and still.reviewed_by == reviewer
    draft = ProcedureVersion.objects.get(procedure__code="1.004194", status=VersionStatus.DRAFT)
    assert draft.origin == VersionOrigin.PORTAL_IMPORT
    assert Procedure.objects.get(code="1.004194").needs_review
    # Importing the same changed text again updates nothing.
    assert services.import_portal_pages(pages).summary["unchanged"] == 2
    services.publish_version(draft, reviewer)
    assert sorted(
        ProcedureVersion.objects.filter(procedure__code="1.004194").values_list("number", "status")
    ) == [(1, VersionStatus.ARCHIVED), (2, VersionStatus.PUBLISHED)]
    assert not Procedure.objects.get(code="1.004194").needs_review


def test_publishing_needs_permission(pages: Path) -> None:
    services.import_portal_pages(pages)
    version = services.published_version("1.004194")
    assert version is not None
    clerk = User.objects.create_user("clerk", password="Test-password-123")
    with pytest.raises(services.PermissionDenied):
        services.publish_version(version, clerk)


def test_only_one_published_version_per_procedure(pages: Path) -> None:
    services.import_portal_pages(pages)
    procedure = Procedure.objects.get(code="1.004194")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureVersion.objects.create(
            procedure=procedure, number=2, status=VersionStatus.PUBLISHED, origin=VersionOrigin.OFFICER
        )


def test_authored_entries_are_marked_and_kept(pages: Path) -> None:
    from thanglong.procedures.demo import AUTHORED

    for entry in AUTHORED:
        services.save_authored_procedure(entry)
    services.import_portal_pages(pages)
    authored = Procedure.objects.filter(source=Source.AUTHORED)
    assert authored.count() == len(AUTHORED)
    assert all(procedure.needs_review for procedure in authored)
    assert not Fee.objects.filter(version__procedure__source=Source.AUTHORED).exists()
    assert services.save_authored_procedure(AUTHORED[0])[1] is False


def test_phrases_are_stored_once_and_found_by_search(pages: Path) -> None:
    services.import_portal_pages(pages)
    procedure = Procedure.objects.get(code="1.004194")
    first = services.add_phrase(procedure, "làm tạm trú cho người thuê trọ")
    # The same phrase typed without accents is the same phrase.
    assert services.add_phrase(procedure, "lam tam tru cho nguoi thue tro").pk == first.pk
    assert procedure.phrases.count() == 1
    assert list(services.search_published("thue tro").values_list("code", flat=True)) == ["1.004194"]


def test_command_fails_clearly_without_the_directory(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="không tìm thấy thư mục"):
        call_command("import_procedures", str(tmp_path / "missing"))


def test_command_prints_a_summary(pages: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_procedures", str(pages), verbosity=0)
    out = capsys.readouterr().out
    assert "1.004194" in out and "created: 2" in out
