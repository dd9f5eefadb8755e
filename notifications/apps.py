from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_message_templates(sender=None, **kwargs):
    """Every message of the catalog has its editable template row, with the default wording."""
    from notifications.catalog import CATALOG
    from notifications.models import MessageTemplate

    existing = set(MessageTemplate.objects.values_list("code", flat=True))
    MessageTemplate.objects.bulk_create([
        MessageTemplate(code=m.code, subject_zh=m.subject_zh, body_zh=m.body_zh, subject_en=m.subject_en,
                        body_en=m.body_en)
        for m in CATALOG.values() if m.code not in existing], ignore_conflicts=True)


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        post_migrate.connect(ensure_message_templates, sender=self, dispatch_uid="notifications.templates")
