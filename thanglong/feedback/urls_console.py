from django.urls import path

from thanglong.feedback import views_console as views

app_name = "feedback_console"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk-assign/", views.bulk_assign, name="bulk_assign"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("new/", views.phone_report, name="phone_report"),  # before <code>/: "new" is not a tracking code
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/contact/", views.reveal_contact, name="reveal_contact"),
    path("<str:code>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<str:code>/assign/", views.assign, name="assign"),
    path("<str:code>/transition/", views.transition, name="transition"),
    path("<str:code>/note/", views.note, name="note"),
    path("<str:code>/reply/", views.reply, name="reply"),
    path("<str:code>/escalate/", views.escalate, name="escalate"),
    path("<str:code>/transfer/", views.transfer, name="transfer"),
    path("<str:code>/merge/", views.merge, name="merge"),
    path("<str:code>/correct/", views.correct, name="correct"),
]
