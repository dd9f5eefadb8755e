"""Swagger UI and Redoc served from the vendored drf-spectacular-sidecar files, loading nothing
from outside the server. The Content-Security-Policy makes that hold in the browser too: the
Redoc bundle shows a logo from its vendor's CDN in the side bar, which the policy blocks (the
image hides itself when it fails to load)."""
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

DOCS_POLICY = ("default-src 'self'; img-src 'self' data:; font-src 'self' data:; "
               # Both UIs set inline styles; Swagger UI's settings script is inline; Redoc searches in a blob worker.
               "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; "
               "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


class _SameOrigin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_POLICY
        return response


class SwaggerView(_SameOrigin, SpectacularSwaggerView):
    pass


class RedocView(_SameOrigin, SpectacularRedocView):
    pass
