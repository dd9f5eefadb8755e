"""The site's own error pages: 400, 403, 404, 429, 500 and the CSRF failure.

Each is rendered without the request's context processors (a failing database must
not turn a 404 into a 500) from templates/400.html and its siblings, which extend error_base.html: it
uses no URL, no static file and no context variable, so it cannot fail. They say what
happened and what to do, in Chinese and in English, and never show a stack or a
setting. A refused request (429) under /api/ or /open311/ gets JSON instead.
"""
from __future__ import annotations

import json

from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from lib.ratelimits import log_refusal

JSON_PREFIXES = ("/api/", "/open311/")


def _page(name: str, status: int) -> HttpResponse:
    try:
        body = loader.get_template(f"{name}.html").render({})
    except Exception:  # noqa: BLE001 - the last resort must always answer
        body = "<!doctype html><title>Error</title><p>出错了 · Something went wrong.</p>"
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def _json(message: str, status: int) -> HttpResponse:
    return HttpResponse(json.dumps({"detail": str(message)}, ensure_ascii=False), status=status,
                        content_type="application/json")


def bad_request(request, exception=None):
    return _page("400", 400)


def permission_denied(request, exception=None):
    return _page("403", 403)


def page_not_found(request, exception=None):
    return _page("404", 404)


def server_error(request):
    return _page("500", 500)


def csrf_failure(request, reason=""):
    return _page("403_csrf", 403)


def too_many_requests(request, exception=None):
    """RATELIMIT_VIEW: a request refused by lib.ratelimits before its view ran."""
    log_refusal(request, getattr(exception, "group", "") or request.path)
    if request.path.startswith(JSON_PREFIXES):
        return _json(_("Too many requests from your connection. Please try again later."), 429)
    return _page("429", 429)
