from django.urls import path

from thanglong.core import views

app_name = "core"

urlpatterns = [
    path("units/", views.units, name="units"),
    path("divisions/", views.divisions, name="divisions"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("audit/", views.audit_log, name="audit"),
    path("address/", views.address_check, name="address"),
    path("jobs/import-divisions/", views.import_divisions_job, name="import_divisions"),
    path("jobs/<str:job_id>/", views.job_status, name="job_status"),
]
