from django.urls import path

from thanglong.voice import views

app_name = "voice"

urlpatterns = [
    path("", views.call_list, name="calls"),
    path("demo/", views.console_demo, name="demo"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/recording.wav", views.call_recording, name="recording"),
]
