"""Admin building blocks shared by the apps (imports no app)."""
from django.contrib import admin, messages
from django.utils.translation import gettext as _

from lib.paginators import CappedPaginator


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


class CappedCountAdmin:
    """For a ModelAdmin over a big table (mixed in before admin.ModelAdmin): pages of the first `cap` rows of
    the list, a note when more matched, and no second count of the whole table."""

    paginator = CappedPaginator
    show_full_result_count = False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None and changelist.paginator.capped:  # the page renders after this: it shows the note
            messages.info(request, _("More than %(cap)s match: the first %(cap)s in this order are listed. Narrow "
                                     "the search or the filters to reach the others.")
                          % {"cap": f"{CappedPaginator.cap:,}"})
        return response
