from django.contrib import admin

from supervision.models import CaseEvent, SupervisionCase, SupervisionNotice


class NoticeInline(admin.TabularInline):
    model = SupervisionNotice
    extra = 0
    can_delete = False
    readonly_fields = ("level", "text", "sent_at", "sent_by", "reply_due_at", "replied_at", "reply", "reply_overdue_at")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "kind", "level", "actor", "note")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


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
