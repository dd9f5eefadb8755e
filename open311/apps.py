from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    """Open311 GeoReport v2 for integrators: an interface on top of the domain apps
    (petitions, dispatch, org), which never import it."""
    name = "open311"
    verbose_name = _("Open311")
