"""Citizens' feedback pages under /feedback/."""

from django.urls import path
from django.views.generic import RedirectView

from thanglong.feedback import views_public

app_name = "feedback"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="feedback:new", permanent=False), name="index"),
    path("new/", views_public.new_report, name="new"),
    path("sent/<str:token>/", views_public.sent, name="sent"),
    path("status/", views_public.status_lookup, name="status"),
    path("s/<str:code>/<str:secret>/", views_public.secret_status, name="secret"),
]
