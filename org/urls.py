from django.urls import path

from org import views

app_name = "org"
urlpatterns = [path("deadline/", views.deadline_page, name="deadline")]
