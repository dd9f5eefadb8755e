"""Create the official account's menu: file, my petitions; each opens the portal inside WeChat with the
follower's openid (docs/channels.md)."""
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import pgettext

from channels import wechat
from channels.sources import source_for
from channels.views import wechat_menu_urls
from petitions.models import Channel


class Command(BaseCommand):
    help = "Create the WeChat official account's menu from the configured source."

    def handle(self, *args, **options):
        source = source_for(Channel.WECHAT)
        if not (source.enabled and source.app_id and source.secret):
            raise CommandError("The WeChat source is not enabled or has no AppID and secret (Admin → Channel sources).")
        urls = wechat_menu_urls()
        with translation.override("zh-hans"):  # WeChat shows one menu to everyone: Chinese, at most 4 characters
            menu = {"button": [
                {"type": "view", "name": pgettext("wechat menu", "File"), "url": urls["file"]},
                {"type": "view", "name": pgettext("wechat menu", "My petitions"), "url": urls["mine"]},
            ]}
        wechat.client_for(source).menu.create(menu)
        self.stdout.write(self.style.SUCCESS("Menu created: " + ", ".join(b["name"] for b in menu["button"])))
