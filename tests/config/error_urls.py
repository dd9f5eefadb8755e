"""A URLconf for tests/config/test_error_pages.py: views that fail in each way."""
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("SECRET_KEY=do-not-show-me")


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("bad input")


urlpatterns = [path("boom/", boom), path("forbidden/", forbidden), path("suspicious/", suspicious), *urlpatterns]
