from django.urls import re_path

from open311 import views as open311

FMT = r"\.(?P<fmt>\w+)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, open311.discovery, name="open311-discovery"),
    re_path(r"^services" + FMT, open311.services, name="open311-services"),
    re_path(r"^services/(?P<code>[\w-]+)" + FMT, open311.service_definition, name="open311-service"),
    re_path(r"^requests" + FMT, open311.requests_view, name="open311-requests"),
    re_path(r"^requests/(?P<number>\w+)" + FMT, open311.request_detail, name="open311-request"),
    re_path(r"^tokens/(?P<token>[\w-]+)" + FMT, open311.token_view, name="open311-token"),
    re_path(r"^(?P<path>.*)$", open311.unknown, name="open311-unknown"),
]
