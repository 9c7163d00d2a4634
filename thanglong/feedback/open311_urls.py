"""Open311 GeoReport v2 under /open311/v2/ (see open311.py)."""

from django.urls import re_path

from thanglong.feedback import open311

app_name = "open311"

_FORMAT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns = [
    re_path(r"^services" + _FORMAT, open311.services, name="services"),
    re_path(r"^requests" + _FORMAT, open311.requests_collection, name="requests"),
    re_path(r"^requests/(?P<request_id>[A-Za-z0-9\-]+)" + _FORMAT, open311.request_detail, name="request"),
]
