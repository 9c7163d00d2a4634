from django.urls import path

from thanglong.command import views

app_name = "command"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("performance/", views.unit_performance, name="performance"),
    path("targets/", views.target_list, name="targets"),
    path("targets/<str:code>/", views.target_detail, name="target_detail"),
    path("evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:report_id>/row/", views.report_row, name="report_row"),
    path("reports/<int:report_id>/download/", views.report_download, name="report_download"),
]
