"""Normalising and checking Chinese phone and resident ID numbers.

Pure functions: they return the normalised value or raise a ValueError
subclass whose `code` says why; `lib.fields` (forms) and `lib.drf`
(serializers) turn the code into a translated, field-level message.
"""
from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

# A mainland mobile number as stored (normalise_phone): also a database regex (org.models.HandlingUnit.UNREACHABLE).
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"
_MOBILE = re.compile(MOBILE_PATTERN)
# Landline: trunk prefix 0 + a 2-3 digit area code, then a 7-8 digit local number, optional
# extension. Subscriber numbers start with 2-8: in the national numbering plan 1 and 9 lead
# to special-service numbers (110, 12345, 95598, 96xxx), 0 is the trunk prefix.
_LANDLINE = re.compile(r"^0\d{2,3}-?[2-8]\d{6,7}(-\d{1,6})?$")
# Service numbers, with or without an area code in front: emergency and public-service
# numbers (110, 119, 120, 122, 12345, 12315), operators' and utilities' hotlines (10086, 10010, 95598,
# 95xxxx), local service numbers (96xxx), 400/800 numbers and 106 SMS ports. They reach a
# switchboard, never a person: nobody can be called back on them, so they are refused as
# a complainant's or applicant's phone everywhere (issue 13).
_SERVICE = re.compile(r"^(0\d{2,3})?(11\d|12[0-2]|1[0-2]\d{3}|9[5-9]\d{3,6})$|^[48]00\d{7}$|^106\d{2,17}$")


class PhoneRejected(ValueError):
    """`code`: "service" (a hotline, never a person), "landline" (a mobile is required
    here) or "invalid" (neither a mainland mobile nor a landline)."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code


class IdNumberRejected(ValueError):
    """`code`: "format", "checksum" or "birth_date" (not a real day, or in the future)."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code


def is_mobile(value: str) -> bool:
    return bool(_MOBILE.match(value or ""))


def normalise_phone(raw: str, *, mobile_only: bool = False) -> str:
    """The number as stored: 11 digits for a mobile, the landline with its area code.

    `mobile_only` is for the citizen's own phone on public forms (SMS, the tracking
    key); operators may record a caller's landline. Service numbers never pass.
    """
    value = re.sub(r"[\s()（）]", "", raw or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    value = value.replace("—", "-")
    if _SERVICE.match(value.replace("-", "")):
        raise PhoneRejected("service", "a service number, not a person's phone")
    if _MOBILE.match(value):
        return value
    if _LANDLINE.match(value):
        if mobile_only:
            raise PhoneRejected("landline", "a landline where a mobile number is required")
        return value
    raise PhoneRejected("invalid", "not a mainland mobile or landline number")


def normalise_id_number(raw: str, *, today: dt.date | None = None) -> str:
    """An 18-character resident ID number (GB 11643): python-stdnum's ISO 7064 check digit
    and birth date, which must be a real day (no month 13, no day 99) between 1900 and
    today (Asia/Shanghai).

    The region code is not checked against stdnum's table of divisions: codes are
    renamed and merged, and refusing a real citizen over a stale table is worse than
    accepting a made-up county.
    """
    value = ric.compact(raw or "")
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise IdNumberRejected("format", "a resident ID number has 17 digits and a check digit")
    if ric.calc_check_digit(value) != value[-1]:
        raise IdNumberRejected("checksum", "check digit does not match")
    try:
        born = ric.get_birth_date(value)
    except stdnum_errors.ValidationError:
        raise IdNumberRejected("birth_date", "the birth date is not a real date") from None
    if not dt.date(1900, 1, 1) <= born <= (today or timezone.localdate()):
        raise IdNumberRejected("birth_date", "the birth date is before 1900 or in the future")
    return value
