"""What the outbox tells the apps above it."""
from django.dispatch import Signal

# A member of staff searched Admin -> Outbox, where the search looks at the recipients (phones, e-mail addresses):
# sender=Notification, user=, term=. The petitions app records it in its access records, as it records the
# searches of the petitions' list (docs/security.md); notifications imports nothing of petitions.
outbox_searched = Signal()
