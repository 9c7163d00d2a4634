"""The public JSON API, /api/v1/ (OpenAPI 3 at /api/v1/openapi.json). Each app adds its router."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from thanglong import __version__
from thanglong.assistant.api import router as assistant_router
from thanglong.cameras.api import router as cameras_router
from thanglong.command.api import router as command_router
from thanglong.core.api import router as core_router
from thanglong.core.api_errors import error_response
from thanglong.documents.api import router as documents_router
from thanglong.feedback.api import router as feedback_router
from thanglong.incidents.api import router as incidents_router
from thanglong.procedures.api import router as procedures_router

api = NinjaAPI(
    title="Thăng Long API",
    version=__version__,
    description="Nền tảng chuyển đổi số Công an thành phố — API v1. Tiếng Việt trước, tiếng Anh sau.",
    urls_namespace="api-v1",
    auth=django_auth,
)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(api, request, exc)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "error": "unauthenticated",
            "message_vi": "Bạn cần đăng nhập để dùng chức năng này.",
            "message_en": "You need to sign in to use this.",
        },
        status=401,
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request,
        {
            "error": "forbidden",
            "message_vi": "Bạn không có quyền truy cập dữ liệu này.",
            "message_en": "You are not allowed to access this.",
        },
        status=403,
    )


api.add_router("/core/", core_router)
api.add_router("/procedures", procedures_router)
api.add_router("/assistant", assistant_router)
api.add_router("/feedback", feedback_router)
api.add_router("/command", command_router)
api.add_router("/documents", documents_router)
api.add_router("/cameras", cameras_router)
api.add_router("/incidents", incidents_router)
