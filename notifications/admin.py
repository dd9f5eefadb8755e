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

    # Only for those who may change the outbox: Django offers a list's actions to anyone who can open it, and the
    # supervisors, who read it, must not be able to send anything again.
    @admin.action(description=_("Retry the selected failed messages now"), permissions=["change"])
    def retry_now(self, request, queryset):
        queued = secret = undeliverable = 0
        not_failed = queryset.exclude(status=Notification.Status.FAILED).count()
        for notification in queryset.filter(status=Notification.Status.FAILED):
            if notification.is_secret:
                secret += 1  # its text was cleared when it failed: nothing to send again
                continue
            if notification_retry(notification=notification).status == Notification.Status.PENDING:
                queued += 1
            else:
                undeliverable += 1  # a landline or a malformed address: it stays failed until someone fixes it
        self.message_user(request, ngettext(
            "%(count)d message was queued to be sent again.",
            "%(count)d messages were queued to be sent again.", queued) % {"count": queued},
            messages.SUCCESS if queued else messages.INFO)
        if undeliverable:
            self.message_user(request, ngettext(
                "%(count)d message stays failed: its recipient cannot receive it (a landline or a malformed "
                "address). Correct the contact details; the next message goes to the new ones.",
                "%(count)d messages stay failed: their recipients cannot receive them (a landline or a malformed "
                "address). Correct the contact details; the next messages go to the new ones.",
                undeliverable) % {"count": undeliverable}, messages.WARNING)
        if not_failed:
            self.message_user(request, ngettext(
                "%(count)d selected message had not failed: left as it is.",
                "%(count)d selected messages had not failed: left as they are.", not_failed) % {"count": not_failed},
                messages.INFO)
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
