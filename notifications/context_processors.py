from django.utils.functional import SimpleLazyObject

from notifications.models import InboxItem


def inbox(request):
    """The unread count in the header, for signed-in staff and unit handlers (read only when shown)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread():
        return InboxItem.objects.filter(user=user, read_at__isnull=True).count()

    return {"inbox_unread": SimpleLazyObject(unread)}
