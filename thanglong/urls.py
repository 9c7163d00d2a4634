from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from thanglong.api import api
from thanglong.core import alerts as core_alerts
from thanglong.core import views as core_views

urlpatterns = [
    # First: the API takes most requests, and Django tries the patterns in order.
    path("api/v1/", api.urls),
    path("", core_views.home, name="home"),
    path("console/", core_views.console, name="console"),
    path("console/core/", include("thanglong.core.urls")),
    path("procedures/", include("thanglong.procedures.urls")),
    path("assistant/", include("thanglong.assistant.urls")),
    path("feedback/", include("thanglong.feedback.urls_public")),
    path("console/feedback/", include("thanglong.feedback.urls_console")),
    path("console/voice/", include("thanglong.voice.urls_console")),
    path("callbot/", include("thanglong.voice.urls_public")),
    path("open311/v2/", include("thanglong.feedback.open311_urls")),
    path("console/documents/", include("thanglong.documents.urls_console")),
    path("console/command/", include("thanglong.command.urls")),
    path("console/cameras/", include("thanglong.cameras.urls_console")),
    path("console/alerts/stream", core_alerts.stream, name="console_alerts_stream"),
    path("console/incidents/", include("thanglong.incidents.urls_console")),
    path("statistics/", include("thanglong.command.urls_public")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
