from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = _("City organisation and reference data")

    def ready(self):
        from django.db.models.signals import post_migrate

        # Connected on import: signals, the calendar cache invalidation; login_guard, failed logins per address.
        from org import login_guard, roles, signals  # noqa: F401

        # After every app's migrations: the permissions of the apps below org
        # only exist once their own post_migrate has run.
        post_migrate.connect(roles.ensure_role_groups, dispatch_uid="org.ensure_role_groups")
