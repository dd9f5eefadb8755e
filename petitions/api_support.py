"""API plumbing shared by every app's endpoints: integrator keys, throttling of
anonymous writes and lookups, and idempotency keys for POSTs."""
from __future__ import annotations

import json
from functools import wraps

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed

from lib.client_ip import client_ip
from lib.ratelimits import AddressThrottle
from petitions.idempotency import IdempotencyRefused, key_scope, run_once
from petitions.models import ApiKey
from petitions.services import apikey_authenticate


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: ApiKey pk_...` (or `X-Api-Key`); request.auth is the ApiKey."""

    keyword = "ApiKey"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="ignore")
        raw = ""
        if header.startswith(f"{self.keyword} "):
            raw = header[len(self.keyword) + 1:].strip()
        raw = raw or request.META.get("HTTP_X_API_KEY", "")
        if not raw:
            return None
        key = apikey_authenticate(raw)
        if key is None:
            raise AuthenticationFailed(_("Unknown or revoked API key."))
        return AnonymousUser(), key

    def authenticate_header(self, request):
        return self.keyword


def api_key_of(request) -> ApiKey | None:
    return request.auth if isinstance(request.auth, ApiKey) else None


class AnonWriteThrottle(AddressThrottle):
    """Anonymous filing (a citizen without an account or key) per client address; the
    same bucket as the petition form. Integrators' keys and staff accounts are accountable
    and revocable, and are not counted here."""

    group, setting, methods = "file", "PORTAL_RATE_FILE", ("POST",)

    def allow_request(self, request, view):
        if request.user.is_authenticated or api_key_of(request):
            return True
        return super().allow_request(request, view)


class TrackingThrottle(AddressThrottle):
    """Every lookup by number and phone (tracking, rating), web and API share one bucket;
    nobody is exempt, staff included."""

    group, setting = "track", "PORTAL_RATE_TRACK"


def _scope(request) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    key = api_key_of(request)
    if key is not None:
        return key_scope(key)
    return f"ip:{client_ip(request)}"


def idempotent(view_method):
    """With an `Idempotency-Key` header, a POST is done once (petitions.idempotency): a retry with the same key and
    the same request replays the first answer; the same key with a different request is refused (422); a retry
    while the first is still running gets 409."""

    @wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.META.get("HTTP_IDEMPOTENCY_KEY", "").strip()
        if not key:
            return view_method(self, request, *args, **kwargs)

        def perform():
            response = view_method(self, request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response = self.finalize_response(request, response, *args, **kwargs)
                response.render()
            return response

        try:
            return run_once(request, scope=_scope(request), key=key, payload=request.body, perform=perform)
        except IdempotencyRefused as refused:
            return _error(refused.status, refused.message, refused.code)

    return wrapper


def _error(status_code: int, message: str, code: str) -> HttpResponse:
    return HttpResponse(json.dumps({"detail": str(message), "code": code}, ensure_ascii=False), status=status_code,
                        content_type="application/json")


try:
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class ApiKeyScheme(OpenApiAuthenticationExtension):
        target_class = "petitions.api_support.ApiKeyAuthentication"
        name = "apiKey"

        def get_security_definition(self, auto_schema):
            return {"type": "apiKey", "in": "header", "name": "Authorization",
                    "description": "Integrators: `Authorization: ApiKey pk_…` (issued by the platform)."}
except ImportError:  # pragma: no cover - drf-spectacular is a dependency
    pass
