from django.urls import path

from thanglong.command import views

app_name = "command_public"

urlpatterns = [
    path("", views.public_statistics, name="statistics"),
]
