from django.urls import path

from disclosure import views

app_name = "disclosure"
urlpatterns = [
    path("policies/", views.policies, name="policies"),
    path("policies/<int:pk>/", views.policy_detail, name="policy"),
    path("policies/<int:pk>/qr.svg", views.policy_qr, name="policy_qr"),
    path("policies/<int:pk>/attachment/", views.policy_attachment, name="policy_attachment"),
    path("questions/", views.questions, name="questions"),
    path("questions/<int:pk>/vote/", views.question_vote, name="vote"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/done/", views.request_done, name="request_done"),
    path("requests/track/", views.request_track, name="request_track"),
    path("requests/r/<str:token>/", views.request_open, name="request_open"),
    path("requests/track/<str:number>/", views.request_status, name="request_status"),
    path("requests/track/<str:number>/correct/", views.request_correct, name="request_correct"),
    path("projects/", views.projects, name="projects"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/evaluation/", views.project_evaluation, name="project_evaluation"),
    path("events/", views.events, name="events"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("report/<int:year>/", views.ogi_report, name="ogi_report"),
    path("unit/projects/", views.unit_projects, name="unit_projects"),
]
