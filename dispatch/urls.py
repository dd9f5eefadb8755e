from django.urls import path

from dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("export.xlsx", views.export, name="export"),
    path("a/<int:pk>/", views.detail, name="detail"),
    path("a/<int:pk>/files/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("a/<int:pk>/<str:action>/", views.act, name="act"),
]
