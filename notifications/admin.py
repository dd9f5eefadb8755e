from django.contrib import admin

from lib.admin import CappedCountAdmin
from django.utils.translation import gettext_lazy as _

from notifications.catalog import AUDIENCES, CATALOG
from notifications.models import MessageTemplate, Notification
from notifications.services import notification_retry


@admin.register(Notification)
class NotificationAdmin(CappedCountAdmin, admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "subject", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("recipient", "subject", "key")
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry the selected failed messages now"))
    def retry_now(self, request, queryset):
        for notification in queryset.filter(status=Notification.Status.FAILED):
            notification_retry(notification=notification)


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
