from django.urls import path

from thanglong.voice import views

app_name = "callbot"

urlpatterns = [
    path("", views.public_demo, name="demo"),
    path("start/", views.demo_start, name="start"),
    path("<str:call_id>/turn/", views.demo_turn, name="turn"),
    path("<str:call_id>/dtmf/", views.demo_dtmf, name="dtmf"),
    path("<str:call_id>/hangup/", views.demo_hangup, name="hangup"),
]
