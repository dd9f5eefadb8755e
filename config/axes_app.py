"""django-axes under a name staff can read: its app config has no verbose_name, so the admin showed "Axes".

Its models name themselves in English f-strings ("Access Log for admin @ 2026-12-02 09:08:09.168800+00:00") and
two columns of its admin have no label (the method names "Status", "Expiration" showed). Neither can be reached
through a catalog, so ready() replaces them with translated ones; nothing else of axes changes."""
from axes.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lib import labels


def _failure_str(self) -> str:
    names = {"user": self.username, "ip": self.ip_address, "at": labels.when(self.attempt_time)}
    if self.locked_out:
        return gettext("Failed login of %(user)s from %(ip)s at %(at)s, locked out") % names
    return gettext("Failed login of %(user)s from %(ip)s at %(at)s") % names


def _attempt_str(self) -> str:
    return gettext("Failed logins of %(user)s since %(at)s") % {
        "user": self.username, "at": labels.when(self.attempt_time)}


def _expiration_str(self) -> str:
    return gettext("Expires at %(at)s") % {"at": labels.when(self.expires_at)}


def _log_str(self) -> str:
    return gettext("Login of %(user)s at %(at)s") % {"user": self.username, "at": labels.when(self.attempt_time)}


class AxesConfig(AppConfig):
    verbose_name = _("Login protection")

    def ready(self):
        super().ready()
        from axes import admin as axes_admin  # axes registers its admin on import; the admin app imported it
        from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog

        AccessFailureLog.__str__ = _failure_str
        AccessAttempt.__str__ = _attempt_str
        AccessAttemptExpiration.__str__ = _expiration_str
        AccessLog.__str__ = _log_str
        axes_admin.AccessAttemptAdmin.status.short_description = pgettext_lazy("login", "status")
        axes_admin.AccessAttemptAdmin.expiration.short_description = _("Expires At")
