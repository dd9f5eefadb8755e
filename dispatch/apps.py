from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch and supervision")

    def ready(self):
        from dispatch import receivers  # noqa: F401  (connects to petitions' signals)
