from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = _("Intake channels")

    def ready(self):
        from channels import receivers, services, sources
        from notifications.backends import delivery_register
        from notifications.messaging import fanout_register
        from notifications.models import Notification

        # The outbox's WeChat and partner-callback channels, and the WeChat copy of every citizen message.
        delivery_register(Notification.Channel.WECHAT, services.wechat_deliver)
        delivery_register(Notification.Channel.WEBHOOK, services.webhook_deliver)
        fanout_register(services.wechat_fanout)
        receivers.connect()
        post_migrate.connect(sources.ensure_sources, sender=self, dispatch_uid="channels.sources")
