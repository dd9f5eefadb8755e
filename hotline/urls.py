from django.urls import path

from hotline import views

app_name = "hotline"
urlpatterns = [
    path("", views.console, name="console"),
    path("history/", views.history, name="history"),
    path("assist/", views.assist, name="assist"),
    path("classifications/", views.classifications, name="classifications"),
    path("areas/", views.areas, name="areas"),
    path("queues/", views.queues, name="queues"),
    path("search/", views.search, name="search"),
]
