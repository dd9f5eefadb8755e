from django.urls import path

from evaluation import sanmin_views, views

app_name = "evaluation"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/<int:pk>.<str:fmt>", views.report_file, name="report_file"),
    path("bulletins/", views.bulletins, name="bulletins"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>.pdf", views.bulletin_pdf, name="bulletin_pdf"),
    path("statistics/", views.statistics, name="statistics"),
    path("sanmin/", sanmin_views.campaign_page, name="sanmin"),
    path("sanmin/<int:year>/", sanmin_views.campaign_page, name="sanmin_year"),
    path("sanmin/<int:year>/pool.txt", sanmin_views.pool_file, name="sanmin_pool"),
    path("sanmin/<int:year>/audit/", sanmin_views.audit, name="sanmin_audit"),
    path("sanmin/<int:year>/quotas.json", sanmin_views.quotas_file, name="sanmin_quotas"),
    path("sanmin/<int:year>/drawn.txt", sanmin_views.drawn_file, name="sanmin_drawn"),
    path("sanmin/<int:year>/vote/", sanmin_views.vote, name="sanmin_vote"),
    path("sanmin/<int:year>/results.xlsx", sanmin_views.results_xlsx, name="sanmin_results"),
    path("sanmin/reports/<int:pk>/document/", sanmin_views.report_document, name="sanmin_report_document"),
]
