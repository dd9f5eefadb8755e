"""Normalising and checking Chinese phone and resident ID numbers.

Pure functions: they return the normalised value or raise ValueError with an
untranslated reason; forms and serializers turn that into a translated,
field-level message.
"""
from __future__ import annotations

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Landline: area code 0 + 2-3 digits, then 7-8 digits; optional extension.
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
# Service numbers such as 12345 or 95598 (the utilities' hotlines).
_SERVICE = re.compile(r"^(1\d{4}|9\d{4})$")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalise_phone(raw: str) -> str:
    value = re.sub(r"[\s()（）]", "", raw or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    value = value.replace("—", "-")
    if _MOBILE.match(value) or _LANDLINE.match(value) or _SERVICE.match(value):
        return value
    raise ValueError("not a mainland mobile or landline number")


def normalise_id_number(raw: str) -> str:
    value = (raw or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValueError("a resident ID number has 17 digits and a check digit")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValueError("check digit does not match")
    return value
