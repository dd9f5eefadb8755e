"""The API docs: Swagger UI served from the vendored drf-spectacular-sidecar files, loading nothing from
outside the server. The Content-Security-Policy makes that hold in the browser too. (ReDoc went: its bundle
always fetched its vendor's logo from a CDN; /api/redoc/ redirects here.)"""
from drf_spectacular.views import SpectacularSwaggerView

DOCS_POLICY = ("default-src 'self'; img-src 'self' data:; font-src 'self' data:; "
               # Swagger UI sets inline styles and its settings script is inline.
               "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
               "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


class SwaggerView(SpectacularSwaggerView):
    """Swagger UI with a same-origin Content-Security-Policy."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_POLICY
        return response
