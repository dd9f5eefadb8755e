"""The staff's in-app inbox: list, open (marks read), mark all read."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications.models import InboxItem


@login_required
def inbox(request):
    items = InboxItem.objects.filter(user=request.user)
    if request.GET.get("unread"):
        items = items.filter(read_at__isnull=True)
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": bool(request.GET.get("unread"))})


@login_required
@require_POST
def item_read(request, pk: int):
    """Mark one message read and go where it points (or back to the inbox)."""
    item = get_object_or_404(InboxItem, pk=pk, user=request.user)
    InboxItem.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=timezone.now())
    if item.link and url_has_allowed_host_and_scheme(item.link, allowed_hosts={request.get_host()}):
        return redirect(item.link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request):
    InboxItem.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications:inbox")
