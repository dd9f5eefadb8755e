import datetime as dt

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.utils.html import format_html
from django.utils.translation import gettext as _

from lib.admin import bounded_date_hierarchy
from lib.masking import mask_id_number, mask_name, mask_phone
from lib.redact import redact
from lib.workdays import local_date
from org.calendar import get_calendar

register = template.Library()
register.filter("mask_phone", mask_phone)
register.filter("mask_id", mask_id_number)
register.filter("mask_name", mask_name)
# Personal data masked even in free text (a confidential petition's words as a unit reads them).
register.filter("redact", redact)


@register.filter
def calendar_note(moment):
    """After a deadline: a note when it lies in a year with no official calendar loaded, because it was
    counted Monday to Friday and may move when the State Council publishes the year (DOMAIN.md section 5)."""
    if not moment:
        return ""
    year = local_date(moment).year if isinstance(moment, dt.datetime) else moment.year
    if get_calendar().is_complete(year):
        return ""
    text = _("No official calendar for %(year)s yet: counted Monday to Friday, it may move.") % {"year": year}
    return format_html(' <span class="badge yellow calendar-note" title="{}">{}</span>', text,
                       _("provisional (%(year)s calendar not published)") % {"year": year})


@register.tag(name="bounded_date_hierarchy")
def bounded_date_hierarchy_tag(parser, token):
    """{% bounded_date_hierarchy cl %}: the admin's date hierarchy without a DISTINCT over every row of a big
    table (lib.admin.bounded_date_hierarchy)."""
    return InclusionAdminNode(parser, token, func=bounded_date_hierarchy, template_name="date_hierarchy.html",
                              takes_context=False)
