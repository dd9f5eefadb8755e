"""Admin building blocks shared by the apps (imports no app)."""
from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.db.models import Max, Min
from django.utils import timezone
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


class _BoundedDates:
    """`cl.queryset` as Django's date hierarchy sees it: `aggregate` passes through (its Min and Max of the date
    are two probes of the date's index), while `dates`/`datetimes` list every year, month or day between the
    first and the last row instead of a DISTINCT over every matching row. Over 1,900,000 petitions a search
    for 物业 spent 79 s in that DISTINCT (its words re-checked on each of 110,000 rows); without a search it is
    still a scan of the whole table. A period with no row may be listed: choosing it shows an empty list."""

    def __init__(self, queryset):
        self._queryset = queryset

    def aggregate(self, *args, **kwargs):
        return self._queryset.aggregate(*args, **kwargs)

    def datetimes(self, field_name: str, kind: str, *args, **kwargs) -> list[dt.date]:
        bounds = self._queryset.aggregate(first=Min(field_name), last=Max(field_name))
        if bounds["first"] is None:
            return []
        first, last = _local_day(bounds["first"]), _local_day(bounds["last"])
        if kind == "year":
            return [dt.date(year, 1, 1) for year in range(first.year, last.year + 1)]
        if kind == "month":
            months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
            return [dt.date(m // 12, m % 12 + 1, 1) for m in months]
        return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]

    dates = datetimes


def _local_day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value


class _BoundedChangeList:
    def __init__(self, changelist):
        self._changelist = changelist
        self.queryset = _BoundedDates(changelist.queryset)

    def __getattr__(self, name):
        return getattr(self._changelist, name)


def bounded_date_hierarchy(changelist) -> dict:
    """Django's date hierarchy (`admin_list.date_hierarchy`) for a list over millions of rows: the periods it
    offers come from the first and last dates, not from every row (`_BoundedDates`). Used by the
    `bounded_date_hierarchy` tag (org/templatetags/portal.py) in the petitions' and access records' lists."""
    return date_hierarchy(_BoundedChangeList(changelist))
