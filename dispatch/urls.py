from django.urls import path

from dispatch import supervision_views, views

app_name = "dispatch"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("export.xlsx", views.export, name="export"),
    path("a/<int:pk>/", views.detail, name="detail"),
    path("a/<int:pk>/files/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("a/<int:pk>/notices/<int:notice_pk>/reply/", views.notice_reply, name="notice_reply"),
    path("a/<int:pk>/<str:action>/", views.act, name="act"),
    path("supervision/", supervision_views.dashboard, name="supervision"),
    path("supervision/pool/", supervision_views.pool, name="supervision_pool"),
    path("supervision/export.xlsx", supervision_views.export, name="supervision_export"),
    path("supervision/pauses/", supervision_views.pauses, name="supervision_pauses"),
    path("supervision/lookback/", supervision_views.lookback, name="supervision_lookback"),
    path("supervision/petition/<int:pk>/", supervision_views.petition_view, name="supervision_petition"),
    path("supervision/assignment/<int:pk>/", supervision_views.assignment_view, name="supervision_assignment"),
    path("supervision/case/<int:pk>/<str:action>/", supervision_views.case_action, name="supervision_case"),
]
