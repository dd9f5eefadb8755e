from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lib.admin import CappedCountAdmin

from notifications.catalog import AUDIENCES, CATALOG
from notifications.models import MessageTemplate, Notification
from notifications.services import notification_retry


@admin.register(Notification)
class NotificationAdmin(CappedCountAdmin, admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "subject", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("recipient", "subject", "key")
    # The text is shown through `message`: a secret one (a one-time code) never is.
    fields = ("key", "channel", "recipient", "subject", "message", "status", "attempts", "next_attempt_at",
              "claimed_at", "last_error", "created_at", "sent_at")
    readonly_fields = fields
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("message"))
    def message(self, obj):
        if not obj.is_secret:
            return obj.body
        if obj.status == Notification.Status.SENT:
            return _("Cleared once sent: it contained a one-time code.")
        if obj.status == Notification.Status.FAILED:
            return _("Cleared because it contained a one-time code, and not sent: it cannot be retried. "
                     "A 三民 representative's voting code is on the draw's code sheet, to be delivered from there; "
                     "a citizen asks for a new login code.")
        return _("Not shown: it contains a one-time code. It is cleared once sent.")

    @admin.action(description=_("Retry the selected failed messages now"), permissions=("change",))
    def retry_now(self, request, queryset):
        secret = 0
        for notification in queryset.filter(status=Notification.Status.FAILED):
            if notification.is_secret:
                secret += 1  # its text was cleared when it failed: nothing to send again
                continue
            notification_retry(notification=notification)
        if secret:
            self.message_user(request, ngettext(
                "%(count)d message was not retried: it contained a one-time code, cleared when it failed.",
                "%(count)d messages were not retried: they contained a one-time code, cleared when they failed.",
                secret) % {"count": secret}, messages.WARNING)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """The wording of every message (notifications.catalog): the variables a template may use are
    shown beside it and checked when it is saved."""

    list_display = ("code", "audience", "trigger", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("code", "body_zh", "body_en")
    readonly_fields = ("code", "audience", "trigger", "variables")
    fields = ("code", "audience", "trigger", "variables", "subject_zh", "body_zh", "subject_en", "body_en",
              "is_active")

    def has_add_permission(self, request):
        return False  # one row per message of the catalog, created at migrate

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("recipient"))
    def audience(self, obj):
        message = CATALOG.get(obj.code)
        return AUDIENCES.get(message.audience, "") if message else ""

    @admin.display(description=_("sent when"))
    def trigger(self, obj):
        message = CATALOG.get(obj.code)
        return message.trigger if message else ""

    @admin.display(description=_("variables"))
    def variables(self, obj):
        message = CATALOG.get(obj.code)
        return ", ".join("{%s}" % v for v in message.variables) if message else ""
