from django.urls import path

from petitions import views

app_name = "petitions"
urlpatterns = [
    path("new/", views.petition_new, name="new"),
    path("suggest/", views.classification_suggest, name="suggest"),
    path("locate/", views.locate, name="locate"),
    path("submitted/<str:number>/", views.petition_submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("p/<str:token>/", views.petition_open, name="open"),
    path("track/<str:number>/", views.petition_detail, name="detail"),
    path("track/<str:number>/rate/", views.petition_rate, name="rate"),
    path("track/<str:number>/supplement/", views.petition_supplement, name="supplement"),
    path("track/<str:number>/files/<int:pk>/", views.petition_file_download, name="file"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
