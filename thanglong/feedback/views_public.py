"""Citizens' pages: send a report, the thank-you page, status look-up, and the private status link.

Plain HTML forms that work without JavaScript; every POST answers with a redirect when it succeeds
(POST-redirect-GET), so reloading a page never sends a report twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from thanglong.core.models import Ward
from thanglong.feedback import attachments, ratelimit
from thanglong.feedback.choices import Category, Channel
from thanglong.feedback.models import Report
from thanglong.feedback.services import intake, public

SENT_SALT = "thanglong.feedback.sent"
SENT_MAX_AGE = 3600  # the thank-you page shows the private link for an hour after sending
FORM_FIELDS = (
    "text",
    "category_hint",
    "address",
    "ward_code",
    "name",
    "phone",
    "email",
    "anonymous",
    "consent",
    "consent_location",
)


def _private(response: HttpResponse) -> HttpResponse:
    """Pages that carry a private link or a citizen's report: not cached, not indexed, no referrer."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _city_wards() -> list[tuple[str, str]]:
    city = settings.THANGLONG.get("CITY_PROVINCE_CODE", "01")
    return list(Ward.objects.filter(province_id=city).order_by("name").values_list("code", "full_name"))


def _form_context(values: dict[str, Any], errors: dict[str, str], general: str = "") -> dict[str, Any]:
    bounds = attachments.limits()
    return {
        "values": values,
        "errors": errors,
        "general_error": general,
        "categories": [(value, label) for value, label in Category.choices if value != Category.OTHER]
        + [(Category.OTHER.value, Category.OTHER.label)],
        "wards": _city_wards(),
        "max_files": bounds.max_files,
        "max_file_mb": bounds.max_file_bytes // attachments.MB,
        "max_video_mb": bounds.max_video_bytes // attachments.MB,
        "text_min": intake.TEXT_MIN,
        "text_max": intake.TEXT_MAX,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def new_report(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "feedback/public/new.html", _form_context({}, {}))
    language = get_language()
    if _too_large(request):
        message = _("Tệp đính kèm quá lớn: tổng dung lượng tối đa %(mb)s MB.") % {
            "mb": attachments.limits().max_total_bytes // attachments.MB
        }
        return render(request, "feedback/public/new.html", _form_context({}, {}, message), status=413)
    try:
        values = {name: request.POST.get(name, "") for name in FORM_FIELDS}
        files = request.FILES.getlist("files")
    except (RequestDataTooBig, TooManyFilesSent):
        message = _("Yêu cầu quá lớn. Hãy gửi ít tệp hơn hoặc tệp nhỏ hơn.")
        return render(request, "feedback/public/new.html", _form_context({}, {}, message), status=413)
    phone = intake.normalise_phone(values["phone"]) or ""
    limited = ratelimit.check(request, "web-submit", phone=phone)
    if limited is not None:
        message = limited.message_en if language == "en" else limited.message_vi
        return render(request, "feedback/public/new.html", _form_context(values, {}, message), status=429)
    try:
        report, _created = intake.submit_report(
            {**values, "lang": language},
            files,
            channel=Channel.WEB,
            user=request.user,
            client_ip=ratelimit.client_ip(request),
        )
    except intake.IntakeError as error:
        field_errors: dict[str, str] = {}
        for problem in error.errors:
            field_errors.setdefault(problem.field, problem.message(language))
        status = 413 if error.status == 413 else 422
        general = _("Phản ánh chưa được gửi. Vui lòng sửa các mục được đánh dấu bên dưới.")
        return render(
            request, "feedback/public/new.html", _form_context(values, field_errors, general), status=status
        )
    token = signing.dumps(report.tracking_code, salt=SENT_SALT)
    return HttpResponseRedirect(reverse("feedback:sent", args=[token]))


def _too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > attachments.limits().max_request_bytes
    except ValueError:
        return False


@never_cache
def sent(request: HttpRequest, token: str) -> HttpResponse:
    try:
        code = signing.loads(token, salt=SENT_SALT, max_age=SENT_MAX_AGE)
    except signing.BadSignature as error:  # SignatureExpired included
        raise Http404 from error
    report = (
        Report.objects.filter(tracking_code=code).only("tracking_code", "tracking_secret", "due_at").first()
    )
    if report is None:
        raise Http404
    secret_url = request.build_absolute_uri(
        reverse("feedback:secret", args=[report.tracking_code, report.tracking_secret])
    )
    return _private(
        render(request, "feedback/public/sent.html", {"report": report, "secret_url": secret_url})
    )


@never_cache
@require_http_methods(["GET", "POST"])
def status_lookup(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "")
    context: dict[str, Any] = {"code": code, "error": ""}
    if request.method == "POST":
        code = public.normalise_code(request.POST.get("code", ""))
        digits = request.POST.get("phone_last4", "").strip()
        context["code"] = code
        limited = ratelimit.check(request, "web-lookup")
        if limited is not None:
            context["error"] = limited.message_en if get_language() == "en" else limited.message_vi
            return render(request, "feedback/public/lookup.html", context, status=429)
        report = None if ratelimit.lookup_blocked(code) else public.find_by_phone(code, digits)
        if report is None:
            ratelimit.record_lookup_failure(code)
            # The same words whether the code exists or not: the page must not confirm a code.
            context["error"] = _(
                "Không tìm thấy phản ánh với mã và 4 số cuối điện thoại này. Hãy kiểm tra lại, hoặc dùng "
                "đường dẫn riêng được cấp khi gửi phản ánh."
            )
            return render(request, "feedback/public/lookup.html", context)
        secret = Report.objects.filter(pk=report.pk).values_list("tracking_secret", flat=True).get()
        return HttpResponseRedirect(reverse("feedback:secret", args=[report.tracking_code, secret]))
    return render(request, "feedback/public/lookup.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def secret_status(request: HttpRequest, code: str, secret: str) -> HttpResponse:
    report = public.find_by_secret(code, secret)
    if report is None:
        raise Http404
    if request.method == "POST":
        limited = ratelimit.check(request, "web-rating")
        stars_raw = request.POST.get("stars", "")
        if limited is not None:
            messages.error(request, limited.message_en if get_language() == "en" else limited.message_vi)
        elif not stars_raw.isdigit():
            messages.error(request, _("Hãy chọn số sao đánh giá (1 đến 5)."))
        else:
            try:
                public.rate_report(report, int(stars_raw), request.POST.get("comment", ""))
                messages.success(request, _("Cảm ơn bạn đã đánh giá kết quả xử lý."))
            except public.RatingError as error:
                messages.error(request, error.message_en if get_language() == "en" else error.message_vi)
        return HttpResponseRedirect(request.path)
    view = public.public_view(report.pk)
    return _private(
        render(
            request,
            "feedback/public/status.html",
            {"report": view, "stars": range(5, 0, -1), "action": request.path},
        )
    )
