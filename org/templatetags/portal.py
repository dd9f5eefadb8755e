from django import template

from lib.masking import mask_id_number, mask_name, mask_phone
from lib.redact import redact

register = template.Library()
register.filter("mask_phone", mask_phone)
register.filter("mask_id", mask_id_number)
register.filter("mask_name", mask_name)
# Personal data masked even in free text (a confidential petition's words as a unit reads them).
register.filter("redact", redact)
