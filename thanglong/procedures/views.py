"""Public pages of the procedure catalogue: a searchable list and one page per published procedure."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from thanglong.procedures import services


def procedure_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    procedures = services.search_published(query).order_by("area", "name", "code")
    page = Paginator(procedures, 50).get_page(request.GET.get("page"))
    return render(request, "procedures/list.html", {"page": page, "query": query})


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    version = services.published_version(code[:32])
    if version is None:
        raise Http404("no published procedure with this code")
    return render(
        request,
        "procedures/detail.html",
        {"procedure": version.procedure, "version": version},
    )
