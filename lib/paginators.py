"""Lists over tables of millions of rows that never count them all.

Django's admin counts the filtered rows of every list page (`paginator.count`); over 10 million petitions that
is a scan of seconds, and a search for a common word (物业: 119,408 of 1,000,000 petitions) took 48 s to count,
its bigram condition re-checked on every matching row (docs/benchmarks.md). Nobody pages to the 2,000th page:
the list counts up to `cap` rows (a COUNT over a LIMIT, which stops there) and says when there are more
(lib.admin.CappedCountAdmin).
"""
from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """A paginator whose count stops at `cap`: `capped` tells whether more rows matched."""

    cap = 1000
    capped = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):  # the order does not change the count: let the planner pick any cap + 1 rows
            rows = rows.order_by()
        counted = rows[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)
