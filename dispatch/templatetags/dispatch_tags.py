from django import template

from petitions.models import staff_status_label
from petitions.privacy import redact_petition

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key) if mapping else key


@register.filter
def redact_for(text, petition):
    """A confidential petition's text with the personal data found and its complainant's own identity masked
    (petitions.privacy.redact_petition): `{{ e.reason|redact_for:petition }}`."""
    return redact_petition(petition, text)


@register.filter
def staff_status(value):
    """A petition's status as staff pages name it (`{{ petition.status|staff_status }}`): not the citizen's
    "awaiting your rating" (petitions.models.STAFF_STATUS_LABELS)."""
    return staff_status_label(value)
