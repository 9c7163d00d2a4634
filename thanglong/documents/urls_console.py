from django.urls import path

from thanglong.documents import views_console as views

app_name = "documents"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("batch/", views.batch, name="batch"),
    path("<int:document_id>/", views.detail, name="detail"),
    path("<int:document_id>/status/", views.status, name="status"),
    path("<int:document_id>/pages/<int:number>/", views.page, name="page"),
    path("<int:document_id>/pages/<int:number>/image/", views.page_image, name="page_image"),
    path("<int:document_id>/file/<str:kind>/", views.download, name="download"),
    path("<int:document_id>/correct/", views.correct, name="correct"),
    path("<int:document_id>/organise/", views.organise, name="organise"),
    path("<int:document_id>/reprocess/", views.reprocess, name="reprocess"),
]
