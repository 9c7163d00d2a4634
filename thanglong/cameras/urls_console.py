from django.urls import path

from thanglong.cameras import views_console as views

app_name = "cameras"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.edit, name="new"),
    path("search/", views.search_page, name="search"),
    path("route/", views.route_page, name="route"),
    path("faces/", views.face_search, name="faces"),
    path("export/", views.export, name="export"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("watchlist/", views.watchlist, name="watchlist"),
    path("watchlist/<str:kind>/<int:entry_id>/active/", views.watch_toggle, name="watch_toggle"),
    path("watchlist/persons/<int:person_id>/", views.person, name="person"),
    path("watchlist/photos/<int:template_id>/", views.template_photo, name="template_photo"),
    path("watchlist/photos/<int:template_id>/remove/", views.template_remove, name="template_remove"),
    path("events/<int:event_id>/<str:which>.jpg", views.event_image, name="event_image"),
    path("uploads/<str:upload_id>/", views.upload_status, name="upload_status"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/upload/", views.upload, name="upload"),
]
