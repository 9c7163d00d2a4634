"""The published catalogue as plain, immutable data: what the assistant may say, and nothing else."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Count, Max, Sum

from thanglong.core.text import fold
from thanglong.procedures.models import ProcedurePhrase, ProcedureVersion, VersionStatus

# "Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)": the portal lists one procedure once per level.
_LEVEL_SUFFIX = re.compile(r"\s*\(\s*thực hiện tại cấp [^)]*\)\s*$", re.IGNORECASE)
# Which level a citizen of the city reaches first when the question does not say: the nearest one that
# still exists (districts were abolished on 1 July 2025).
LEVEL_PREFERENCE = ("commune", "province", "central", "", "district")


@dataclass(frozen=True)
class FeeEntry:
    kind: str  # "phi" | "le_phi"
    amount_vnd: int | None
    amount_text: str
    channel: str
    exemption: str
    description: str


@dataclass(frozen=True)
class DocumentEntry:
    name: str
    form_codes: tuple[str, ...]
    originals: int
    copies: int


@dataclass(frozen=True)
class CitationEntry:
    doc_type: str
    number: str
    title: str
    issuer: str
    article: str

    @property
    def label(self) -> str:
        """ "Thông tư 66/2023/TT-BCA", or "Luật Cư trú" when the source gives a title but no number."""
        return " ".join(part for part in (self.doc_type, self.number or self.title) if part).strip()


@dataclass(frozen=True)
class ChannelEntry:
    kind: str
    description: str
    time_limit: str
    reception_hours: str


@dataclass(frozen=True)
class ProcedureEntry:
    code: str
    name: str
    name_en: str
    area: str
    level: str
    agency: str
    requesters: str
    result: str
    needs_review: bool
    steps: tuple[str, ...]
    channels: tuple[ChannelEntry, ...]
    processing_time_text: str
    processing_working_days: int | None
    requirements: str
    documents: tuple[DocumentEntry, ...]
    fees: tuple[FeeEntry, ...]
    citations: tuple[CitationEntry, ...]
    phrases: tuple[tuple[str, str], ...] = ()  # (text, lang)
    family: str = field(default="")  # the name without its level suffix: one family, several levels

    @property
    def family_name(self) -> str:
        return _LEVEL_SUFFIX.sub("", self.name).strip()

    @property
    def url(self) -> str:
        return f"/procedures/{self.code}/"


@dataclass(frozen=True)
class Catalogue:
    entries: tuple[ProcedureEntry, ...]
    revision: tuple[object, ...]

    def by_code(self, code: str | None) -> ProcedureEntry | None:
        if not code:
            return None
        for entry in self.entries:
            if entry.code == code:
                return entry
        return None

    def family_members(self, family: str) -> list[ProcedureEntry]:
        members = [entry for entry in self.entries if entry.family == family]
        return sorted(members, key=level_rank)


def level_rank(entry: ProcedureEntry) -> int:
    return LEVEL_PREFERENCE.index(entry.level) if entry.level in LEVEL_PREFERENCE else len(LEVEL_PREFERENCE)


def catalogue_revision() -> tuple[object, ...]:
    """Changes whenever a version is published or archived, a procedure edited, or a phrase added."""
    published = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).aggregate(
        count=Count("id"), top=Max("id"), total=Sum("id"), touched=Max("procedure__updated_at")
    )
    phrases = ProcedurePhrase.objects.aggregate(count=Count("id"), top=Max("id"))
    return (
        published["count"],
        published["top"],
        published["total"],
        str(published["touched"]),
        phrases["count"],
        phrases["top"],
    )


def _channel(data: object) -> ChannelEntry:
    values = data if isinstance(data, dict) else {}
    return ChannelEntry(
        kind=str(values.get("kind") or ""),
        description=str(values.get("description") or ""),
        time_limit=str(values.get("time_limit") or ""),
        reception_hours=str(values.get("reception_hours") or ""),
    )


def load_catalogue() -> Catalogue:
    """Every procedure with a published version, read in a fixed number of queries."""
    revision = catalogue_revision()
    versions = (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("procedure")
        .prefetch_related("documents", "fees", "citations", "procedure__phrases")
        .order_by("procedure__code")
    )
    entries = []
    for version in versions:
        procedure = version.procedure
        entry = ProcedureEntry(
            code=procedure.code,
            name=procedure.name,
            name_en=procedure.name_en,
            area=procedure.area,
            level=procedure.level,
            agency=procedure.agency,
            requesters=procedure.requesters,
            result=procedure.result,
            needs_review=procedure.needs_review,
            steps=tuple(str(step) for step in version.steps or ()),
            channels=tuple(_channel(channel) for channel in version.channels or ()),
            processing_time_text=version.processing_time_text,
            processing_working_days=version.processing_working_days,
            requirements=version.requirements,
            documents=tuple(
                DocumentEntry(
                    name=document.name,
                    form_codes=tuple(document.form_codes),
                    originals=document.originals,
                    copies=document.copies,
                )
                for document in version.documents.all()
            ),
            fees=tuple(
                FeeEntry(
                    kind=fee.kind,
                    amount_vnd=fee.amount_vnd,
                    amount_text=fee.amount_text,
                    channel=fee.channel,
                    exemption=fee.exemption,
                    description=fee.description,
                )
                for fee in version.fees.all()
            ),
            citations=tuple(
                CitationEntry(
                    doc_type=citation.doc_type,
                    number=citation.number,
                    title=citation.title,
                    issuer=citation.issuer,
                    article=citation.article,
                )
                for citation in version.citations.all()
            ),
            phrases=tuple((phrase.text, phrase.lang) for phrase in procedure.phrases.all()),
            family=fold(_LEVEL_SUFFIX.sub("", procedure.name)),
        )
        entries.append(entry)
    return Catalogue(entries=tuple(entries), revision=revision)
