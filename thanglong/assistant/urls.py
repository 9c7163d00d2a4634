from django.urls import path

from thanglong.assistant import views

app_name = "assistant"

urlpatterns = [
    path("", views.chat, name="chat"),
    path("handoff/", views.handoff, name="handoff"),
    path("desk/", views.desk, name="desk"),
    path("desk/conversations/<int:pk>/", views.transcript, name="transcript"),
    path("desk/review/", views.review, name="review"),
    path("desk/review/<int:turn_id>/phrase/", views.add_phrase, name="add_phrase"),
    path("desk/review/<int:turn_id>/dismiss/", views.dismiss, name="dismiss"),
    path("desk/handoffs/", views.handoffs, name="handoffs"),
    path("desk/handoffs/<int:pk>/take/", views.take_handoff, name="take_handoff"),
    path("desk/handoffs/<int:pk>/close/", views.close_handoff, name="close_handoff"),
    path("desk/stats/", views.stats, name="stats"),
]
