"""Public read API of the procedure catalogue: only published versions are ever served."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from thanglong.core.api_errors import bilingual_error
from thanglong.core.schemas import ErrorOut
from thanglong.procedures import services
from thanglong.procedures.schemas import ProcedureDetailOut, ProcedureSummaryOut

router = Router(tags=["procedures"])


class ProcedureFilter(Schema):
    q: str | None = None
    area: str | None = None


@router.get("", auth=None, response=list[ProcedureSummaryOut])
def list_procedures(request: HttpRequest, filters: Query[ProcedureFilter]) -> object:
    procedures = services.search_published(filters.q or "")
    if filters.area:
        procedures = procedures.filter(area=filters.area[:64])
    return procedures.order_by("area", "name", "code")


@router.get("/{code}", auth=None, response={200: ProcedureDetailOut, 404: ErrorOut})
def get_procedure(request: HttpRequest, code: str) -> object:
    version = services.published_version(code[:32])
    if version is None:
        return Status(
            404,
            bilingual_error(
                "not_found",
                "Không tìm thấy thủ tục hành chính đã công bố với mã này.",
                "No published administrative procedure has this code.",
            ),
        )
    return Status(200, version)
