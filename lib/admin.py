"""Admin building blocks shared by the apps (imports no app)."""
from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """A history or a list shown under its parent: nothing is added, changed or deleted there
    (petition events, attachments, ratings, supervision notices, case events, request events...).
    Subclasses list `fields`; they are all read-only."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
