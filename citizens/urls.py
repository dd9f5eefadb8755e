from django.urls import path

from citizens import views

app_name = "citizens"
urlpatterns = [
    path("", views.start, name="start"),
    path("verify/", views.verify, name="verify"),
    path("all/", views.mine, name="mine"),
    path("sign-out/", views.sign_out, name="sign_out"),
]
