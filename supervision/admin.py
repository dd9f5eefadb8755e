from django.contrib import admin

from lib.admin import ReadOnlyInline
from supervision.models import CaseEvent, SupervisionCase, SupervisionNotice


class NoticeInline(ReadOnlyInline):
    model = SupervisionNotice
    fields = ("level", "text", "sent_at", "sent_by", "reply_due_at", "replied_at", "reply", "reply_overdue_at")


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("at", "kind", "level", "actor", "note")


@admin.register(SupervisionCase)
class SupervisionCaseAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "kind", "level", "status", "unit", "opened_at", "escalate_at")
    list_filter = ("status", "level", "kind")
    search_fields = ("reference", "title", "unit__name")
    readonly_fields = [f.name for f in SupervisionCase._meta.fields]
    inlines = [NoticeInline, EventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
