"""The site's own error pages: 400, 403, 404, 429, 500 and the CSRF failure.

Each is rendered without the request's context processors (a failing database must
not turn a 404 into a 500) from templates/400.html and its siblings, which extend error_base.html: it
uses no URL, no static file and no context variable, so it cannot fail. They say what
happened and what to do, in Chinese and in English, and never show a stack or a
setting. Under /api/ each is JSON `{"detail", "code"}` instead (the API's own error
format, docs/api.md), and under /open311/ the specification's error list, XML when the
address ends in .xml: a client of an API must never have to read an HTML page. These
answer what no view handled: an unknown address, a request Django cannot read (too
many fields, a body over DATA_UPLOAD_MAX_MEMORY_SIZE), an unhandled exception.
"""
from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from lib.ratelimits import log_refusal
from open311.views import error_at as open311_error_at
from open311.views import unknown_resource as open311_unknown_resource

API_PREFIX, OPEN311_PREFIX = "/api/", "/open311/"
JSON_PREFIXES = (API_PREFIX, OPEN311_PREFIX)


def _page(name: str, status: int) -> HttpResponse:
    try:
        body = loader.get_template(f"{name}.html").render({})
    except Exception:  # noqa: BLE001 - the last resort must always answer
        body = "<!doctype html><title>Error</title><p>出错了 · Something went wrong.</p>"
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def _json(message: str, status: int, code: str) -> HttpResponse:
    return HttpResponse(json.dumps({"detail": str(message), "code": code}, ensure_ascii=False), status=status,
                        content_type="application/json")


def _answer(request, *, status: int, code: str, message, page: str) -> HttpResponse:
    """The page for people; the API's JSON or Open311's error list for programs."""
    path = request.path
    if not path.startswith(JSON_PREFIXES):
        return _page(page, status)
    try:
        if path.startswith(OPEN311_PREFIX):
            return open311_error_at(path, status, message())
        return _json(message(), status, code)
    except Exception:  # noqa: BLE001 - the last resort must always answer, even with translations failing
        return _json("出错了 · Something went wrong.", status, code)


def _unreadable(exception) -> tuple[str, object]:
    if isinstance(exception, TooManyFieldsSent):
        return "too_many_fields", lambda: _("The request has too many fields.")
    if isinstance(exception, TooManyFilesSent):
        return "too_many_files", lambda: _("The request has too many files.")
    if isinstance(exception, RequestDataTooBig):
        return "too_large", lambda: _("The request body is too large.")
    return "bad_request", lambda: _("The request could not be read.")


def bad_request(request, exception=None):
    code, message = _unreadable(exception)
    return _answer(request, status=400, code=code, message=message, page="400")


def permission_denied(request, exception=None):
    return _answer(request, status=403, code="permission_denied", page="403",
                   message=lambda: _("You do not have permission to do this."))


def page_not_found(request, exception=None):
    message = open311_unknown_resource if request.path.startswith(OPEN311_PREFIX) else (
        lambda: _("Nothing is found at this address."))
    return _answer(request, status=404, code="not_found", page="404", message=message)


def server_error(request):
    return _answer(request, status=500, code="server_error", page="500",
                   message=lambda: _("Something went wrong on our side. Please try again later."))


def csrf_failure(request, reason=""):
    return _page("403_csrf", 403)


def too_many_requests(request, exception=None):
    """RATELIMIT_VIEW: a request refused by lib.ratelimits before its view ran."""
    log_refusal(request, getattr(exception, "group", "") or request.path)
    response = _answer(request, status=429, code="throttled", page="429",
                       message=lambda: _("Too many requests from your connection. Please try again later."))
    if getattr(exception, "retry_after", None):
        response["Retry-After"] = str(exception.retry_after)
    return response
