from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.views.generic import RedirectView
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from config.api_docs import SwaggerView

from citizens import views as citizen_views

urlpatterns = [
    path("", citizen_views.home, name="home"),
    path("large-text/", citizen_views.toggle_large_text, name="large_text"),
    path("petitions/", include("petitions.urls")),
    path("calendar/", include("org.urls")),
    path("dispatch/", include("dispatch.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("disclosure/", include("disclosure.urls")),
    path("inbox/", include("notifications.urls")),
    path("my/", include("citizens.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("hotline/", include("hotline.urls")),
    path("channels/", include("channels.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="api-docs"),
    # ReDoc's bundle fetches its vendor's logo from a CDN (blocked in mainland China): it went; the old address
    # leads to the Swagger UI, which loads nothing from outside the server.
    path("api/redoc/", RedirectView.as_view(pattern_name="api-docs", permanent=False), name="api-redoc"),
    path("open311/v2/", include("open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
# Uploaded files are never served from a public URL: attachments can show a
# complainant's face or home, so each download goes through a permission check.

# The site's own error pages, in Chinese and English, never a stack or a setting (config/errors.py).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
