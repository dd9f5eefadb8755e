"""django-axes under a name staff can read: its app config has no verbose_name, so the admin showed "Axes"."""
from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    verbose_name = _("Login protection")
