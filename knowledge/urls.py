from django.urls import path

from knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.faq, name="faq"),
    path("faq/", views.faq, name="faq_alias"),
    path("a/<int:pk>/", views.article_detail, name="article"),
    path("a/<int:pk>/vote/", views.article_vote, name="article_vote"),
    path("qa/<int:pk>/", views.question_detail, name="question"),
    path("qa/<int:pk>/vote/", views.question_vote, name="question_vote"),
]
