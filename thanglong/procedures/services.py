"""State changes and reads of the procedure catalogue. Other apps call these, never the models."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from thanglong.core.models import AuditAction
from thanglong.core.services import RequestContext, record_audit
from thanglong.core.text import fold, nfc
from thanglong.procedures.models import (
    Fee,
    LegalCitation,
    Procedure,
    ProcedurePhrase,
    ProcedureVersion,
    RequiredDocument,
    Source,
    VersionOrigin,
    VersionStatus,
)
from thanglong.procedures.parsing import ParsedProcedure, parse_portal_page

PORTAL_FILE_PATTERN = "doc_congdan_*.txt"
_PORTAL_CODE = re.compile(r"^\d\.\d{6}$")
PUBLISH_PERMISSION = "procedures.change_procedureversion"

Progress = Callable[[int, int], None]


class ImportAction:
    CREATED = "created"  # new procedure, version 1 published
    UPDATED = "updated"  # page text changed; the unreviewed portal version was replaced
    DRAFTED = "drafted"  # page text changed but an officer owns the published version: draft for review
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # not a portal file, or the code belongs to an entry we wrote ourselves


@dataclass(frozen=True)
class ImportRow:
    code: str
    name: str
    action: str
    needs_review: bool
    steps: int = 0
    documents: int = 0
    fees: int = 0
    citations: int = 0
    message: str = ""


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def summary(self) -> dict[str, int]:
        actions = (
            ImportAction.CREATED,
            ImportAction.UPDATED,
            ImportAction.DRAFTED,
            ImportAction.UNCHANGED,
            ImportAction.SKIPPED,
        )
        counts = {action: self.count(action) for action in actions}
        counts["needs_review"] = sum(1 for row in self.rows if row.needs_review)
        return counts


# --- reading -------------------------------------------------------------------------------------


def published_procedures() -> QuerySet[Procedure]:
    """Procedures that have a published version: the only ones citizens and the assistant see."""
    return Procedure.objects.filter(versions__status=VersionStatus.PUBLISHED).distinct()


def search_published(query: str) -> QuerySet[Procedure]:
    """Accent-insensitive match on name, officers' alternative phrasings, or the code prefix."""
    procedures = published_procedures()
    folded = fold(query)[:200]
    if not folded:
        return procedures
    return procedures.filter(
        Q(name_folded__contains=folded)
        | Q(phrases__text_folded__contains=folded)
        | Q(code__startswith=query.strip())
    ).distinct()


def published_version(code: str) -> ProcedureVersion | None:
    return (
        ProcedureVersion.objects.filter(procedure__code=code, status=VersionStatus.PUBLISHED)
        .select_related("procedure", "reviewed_by")
        .prefetch_related("documents", "fees", "citations")
        .first()
    )


# --- import from the national public-service portal ---------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(nfc(text).encode("utf-8")).hexdigest()


def _source_url(directory: Path, filename: str) -> str:
    """Where the page text came from, as recorded in the data set's SOURCE.txt (never made up)."""
    source = directory / "SOURCE.txt"
    if not source.is_file():
        return ""
    fields: dict[str, str] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        fields[key.strip().lower()] = value.strip()
    repo, commit, paths = fields.get("repo", ""), fields.get("commit", ""), fields.get("path(s)", "")
    folder = paths.split(" ", 1)[0].rsplit("/", 1)[0] if "/" in paths else ""
    if not (repo.startswith("https://github.com/") and re.fullmatch(r"[0-9a-f]{40}", commit) and folder):
        return ""
    return f"{repo}/blob/{commit}/{folder}/{filename}"


def _fill_version(version: ProcedureVersion, parsed: ParsedProcedure) -> None:
    version.steps = parsed.steps
    version.channels = [channel.as_dict() for channel in parsed.channels]
    version.processing_time_text = parsed.processing_time_text
    version.processing_working_days = parsed.processing_working_days
    version.requirements = parsed.requirements
    version.review_notes = parsed.review_notes
    version.save()
    version.documents.all().delete()
    version.fees.all().delete()
    version.citations.all().delete()
    RequiredDocument.objects.bulk_create(
        RequiredDocument(
            version=version,
            position=index,
            name=document.name,
            form_code=", ".join(document.form_codes),
            originals=document.originals,
            copies=document.copies,
            note=document.note,
        )
        for index, document in enumerate(parsed.documents)
    )
    Fee.objects.bulk_create(
        Fee(
            version=version,
            position=index,
            kind=fee.kind,
            amount_vnd=fee.amount_vnd,
            amount_text=fee.amount_text,
            channel=fee.channel,
            exemption=fee.exemption,
            description="" if fee.amount_vnd is not None else "Trang nguồn không ghi số tiền.",
        )
        for index, fee in enumerate(parsed.fees)
    )
    _create_citations(version, parsed)


def _create_citations(version: ProcedureVersion, parsed: ParsedProcedure) -> None:
    LegalCitation.objects.bulk_create(
        LegalCitation(
            version=version,
            position=index,
            doc_type=citation.doc_type,
            number=citation.number,
            title=citation.title,
            issued_on=citation.issued_on,
            issuer=citation.issuer,
            article="; ".join(citation.articles),
            note=citation.note,
        )
        for index, citation in enumerate(parsed.citations)
    )


def _next_number(procedure: Procedure) -> int:
    latest = procedure.versions.order_by("-number").values_list("number", flat=True).first()
    return (latest or 0) + 1


def _update_procedure_fields(procedure: Procedure, parsed: ParsedProcedure, source_url: str) -> None:
    procedure.name = parsed.name or procedure.name
    procedure.area = parsed.area or procedure.area
    procedure.level = parsed.level or procedure.level
    procedure.agency = parsed.agency or procedure.agency
    procedure.source_url = source_url or procedure.source_url
    procedure.needs_review = parsed.needs_review
    procedure.save()


@transaction.atomic
def import_portal_page(text: str, code: str, source_url: str = "") -> ImportRow:
    """Import one page. Idempotent: the same text twice changes nothing."""
    parsed = parse_portal_page(text, code)
    digest = _digest(text)
    procedure = Procedure.objects.select_for_update().filter(code=code).first()
    if procedure is not None and procedure.source != Source.PORTAL:
        return _row(parsed, ImportAction.SKIPPED, "mã đã dùng cho thủ tục do đơn vị biên soạn")
    if procedure is None:
        procedure = Procedure(code=code, source=Source.PORTAL)
        _update_procedure_fields(procedure, parsed, source_url)
        version = ProcedureVersion(
            procedure=procedure,
            number=1,
            status=VersionStatus.PUBLISHED,
            origin=VersionOrigin.PORTAL_IMPORT,
            source_text=text,
            source_hash=digest,
        )
        _fill_version(version, parsed)
        return _row(parsed, ImportAction.CREATED)

    latest_import = procedure.versions.filter(origin=VersionOrigin.PORTAL_IMPORT).order_by("-number").first()
    if latest_import is not None and latest_import.source_hash == digest:
        return _row(parsed, ImportAction.UNCHANGED, needs_review=procedure.needs_review)

    published = procedure.versions.filter(status=VersionStatus.PUBLISHED).first()
    officer_owned = published is not None and (
        published.origin == VersionOrigin.OFFICER or published.reviewed_at is not None
    )
    if officer_owned:
        # An officer has vouched for the published text: the portal's change waits for review.
        draft = procedure.versions.filter(
            status=VersionStatus.DRAFT, origin=VersionOrigin.PORTAL_IMPORT
        ).first() or ProcedureVersion(
            procedure=procedure,
            number=_next_number(procedure),
            status=VersionStatus.DRAFT,
            origin=VersionOrigin.PORTAL_IMPORT,
        )
        draft.source_text, draft.source_hash = text, digest
        _fill_version(draft, parsed)
        procedure.needs_review = True
        procedure.save(update_fields=["needs_review", "updated_at"])
        return _row(parsed, ImportAction.DRAFTED, "trang nguồn đã thay đổi, chờ cán bộ rà soát")

    if published is not None:
        published.status = VersionStatus.ARCHIVED
        published.save(update_fields=["status"])
    _update_procedure_fields(procedure, parsed, source_url)
    version = ProcedureVersion(
        procedure=procedure,
        number=_next_number(procedure),
        status=VersionStatus.PUBLISHED,
        origin=VersionOrigin.PORTAL_IMPORT,
        source_text=text,
        source_hash=digest,
    )
    _fill_version(version, parsed)
    return _row(parsed, ImportAction.UPDATED)


def _row(
    parsed: ParsedProcedure, action: str, message: str = "", needs_review: bool | None = None
) -> ImportRow:
    return ImportRow(
        code=parsed.code,
        name=parsed.name,
        action=action,
        needs_review=parsed.needs_review if needs_review is None else needs_review,
        steps=len(parsed.steps),
        documents=len(parsed.documents),
        fees=len(parsed.fees),
        citations=len(parsed.citations),
        message=message,
    )


def portal_files(directory: Path) -> list[Path]:
    return sorted(directory.glob(PORTAL_FILE_PATTERN))


def import_portal_pages(directory: Path | str, progress: Progress | None = None) -> ImportReport:
    """Import every ``doc_congdan_<code>.txt`` page in ``directory`` (one transaction per page)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"không tìm thấy thư mục dữ liệu thủ tục: {directory}")
    report = ImportReport()
    files = portal_files(directory)
    for index, path in enumerate(files, start=1):
        code = path.stem.removeprefix("doc_congdan_")
        if not _PORTAL_CODE.match(code):
            report.rows.append(
                ImportRow(code, "", ImportAction.SKIPPED, False, message="tên tệp không hợp lệ")
            )
        else:
            text = path.read_text(encoding="utf-8")
            report.rows.append(import_portal_page(text, code, _source_url(directory, path.name)))
        if progress is not None:
            progress(index, len(files))
    return report


# --- entries written by us -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthoredCitation:
    doc_type: str
    number: str = ""
    title: str = ""
    issuer: str = ""
    issued_on: date | None = None
    article: str = ""


@dataclass(frozen=True)
class AuthoredProcedure:
    """An entry the police wrote for a procedure that is not among the imported portal pages."""

    code: str
    name: str
    area: str
    level: str
    agency: str
    steps: list[str]
    channels: list[dict[str, object]]
    citations: list[AuthoredCitation]
    requesters: str = ""
    result: str = ""
    name_en: str = ""
    requirements: str = ""
    review_notes: list[str] = field(default_factory=list)


@transaction.atomic
def save_authored_procedure(entry: AuthoredProcedure) -> tuple[Procedure, bool]:
    """Create an entry of ours, published but flagged for review. Existing entries are left as they are."""
    procedure, created = Procedure.objects.get_or_create(
        code=entry.code,
        defaults={
            "name": entry.name,
            "name_en": entry.name_en,
            "area": entry.area,
            "level": entry.level,
            "agency": entry.agency,
            "requesters": entry.requesters,
            "result": entry.result,
            "source": Source.AUTHORED,
            "needs_review": True,
        },
    )
    if not created:
        return procedure, False
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status=VersionStatus.PUBLISHED,
        origin=VersionOrigin.OFFICER,
        steps=entry.steps,
        channels=entry.channels,
        requirements=entry.requirements,
        review_notes=[
            "Nội dung do đơn vị biên soạn, chưa đối chiếu với Cổng Dịch vụ công quốc gia.",
            *entry.review_notes,
        ],
    )
    LegalCitation.objects.bulk_create(
        LegalCitation(
            version=version,
            position=index,
            doc_type=citation.doc_type,
            number=citation.number,
            title=citation.title,
            issuer=citation.issuer,
            issued_on=citation.issued_on,
            article=citation.article,
        )
        for index, citation in enumerate(entry.citations)
    )
    return procedure, True


# --- review and publication -----------------------------------------------------------------------


@transaction.atomic
def publish_version(
    version: ProcedureVersion,
    reviewer: User | AnonymousUser,
    context: RequestContext | None = None,
) -> ProcedureVersion:
    """Publish ``version`` as reviewed by ``reviewer``; the previously published one is archived."""
    if not reviewer.is_authenticated or not reviewer.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("not allowed to publish procedure versions")
    procedure = Procedure.objects.select_for_update().get(pk=version.procedure_id)
    version.refresh_from_db()
    if version.status == VersionStatus.ARCHIVED:
        raise ValidationError("Không thể công bố một phiên bản đã lưu trữ.")
    procedure.versions.filter(status=VersionStatus.PUBLISHED).exclude(pk=version.pk).update(
        status=VersionStatus.ARCHIVED
    )
    version.status = VersionStatus.PUBLISHED
    version.reviewed_at = timezone.now()
    version.reviewed_by = reviewer
    version.save(update_fields=["status", "reviewed_at", "reviewed_by"])
    procedure.needs_review = False
    procedure.save(update_fields=["needs_review", "updated_at"])
    record_audit(
        actor=reviewer,
        action=AuditAction.UPDATE,
        object_type="procedures.procedureversion",
        object_id=version.pk,
        object_repr=str(version),
        fields=["status", "reviewed_at", "reviewed_by"],
        reason="publish",
        context=context,
    )
    return version


@transaction.atomic
def add_phrase(
    procedure: Procedure,
    text: str,
    lang: str = "vi",
    user: User | None = None,
) -> ProcedurePhrase:
    """Add how citizens name a procedure; the same phrase (accents aside) is stored once."""
    text = " ".join(nfc(text).split())
    if not 2 <= len(text) <= 300:
        raise ValidationError("Cách gọi phải có từ 2 đến 300 ký tự.")
    if lang not in {"vi", "en"}:
        raise ValidationError("Ngôn ngữ phải là vi hoặc en.")
    phrase, _ = ProcedurePhrase.objects.get_or_create(
        procedure=procedure,
        text_folded=fold(text),
        lang=lang,
        defaults={"text": text, "created_by": user},
    )
    return phrase


def add_phrases(procedure: Procedure, texts: Iterable[str], lang: str = "vi") -> list[ProcedurePhrase]:
    return [add_phrase(procedure, text, lang) for text in texts]
