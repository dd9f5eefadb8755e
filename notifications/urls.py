from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.item_read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
]
