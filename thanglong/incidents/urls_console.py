from django.urls import path

from thanglong.incidents import views_console as views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.intake, name="new"),
    path("ward/", views.ward_suggestion, name="ward_suggestion"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/live/", views.live, name="live"),
    path("<str:number>/dispatch/", views.dispatch_view, name="dispatch"),
    path("<str:number>/arrive/", views.arrive_view, name="arrive"),
    path("<str:number>/close/", views.close_view, name="close"),
    path("<str:number>/hand-off/", views.hand_off_view, name="hand_off"),
    path("<str:number>/note/", views.note_view, name="note"),
]
