from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification
from notifications.services import notification_retry


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "subject", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("recipient", "subject", "key")
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["retry_now"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry the selected failed messages now"))
    def retry_now(self, request, queryset):
        for notification in queryset.filter(status=Notification.Status.FAILED):
            notification_retry(notification=notification)
