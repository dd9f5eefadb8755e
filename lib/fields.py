"""Form fields for identities, shared by every app's forms (imports no app).

One phone field and one ID-number field, so the citizen's petition form, the
operator's intake, information requests, event sign-ups and 三民 suggestions all
refuse the same numbers with the same translated message on the field;
`lib.drf` has the serializer twins, which use the same messages.
"""
from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from lib.identity import IdNumberRejected, PhoneRejected, normalise_id_number, normalise_phone

PHONE_MESSAGES = {
    "service": _("This is a service number (such as 12345 or 95598), not a phone we can reach you on."),
    "landline": _("Enter your mobile number (11 digits, e.g. 13812345678): a landline cannot receive our text "
                  "messages."),
    "invalid": _("Enter a mainland mobile number (11 digits, e.g. 13812345678) or a landline with its area code."),
    "invalid_mobile": _("Enter a mainland mobile number (11 digits, e.g. 13812345678)."),
}
ID_NUMBER_MESSAGES = {
    "format": _("A resident ID number has 18 characters: 17 digits and a check digit (a digit or X)."),
    "checksum": _("This is not a valid resident ID number: the check digit does not match."),
    "birth_date": _("This is not a valid resident ID number: the birth date in it is not a possible date of birth."),
}


def phone_message(rejected: PhoneRejected, *, mobile_only: bool):
    if rejected.code == "invalid" and mobile_only:
        return PHONE_MESSAGES["invalid_mobile"]
    return PHONE_MESSAGES[rejected.code]


class PhoneField(forms.CharField):
    """A phone number, normalised. `mobile_only` for the citizen's own phone on public
    forms; operators may record a landline. Service numbers never pass."""

    def __init__(self, *, mobile_only: bool, **kwargs):
        self.mobile_only = mobile_only
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        try:
            return normalise_phone(value, mobile_only=self.mobile_only)
        except PhoneRejected as rejected:
            raise forms.ValidationError(phone_message(rejected, mobile_only=self.mobile_only),
                                        code=f"phone_{rejected.code}") from None


class IdNumberField(forms.CharField):
    """A resident ID number: check digit and a real birth date (lib.identity)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        try:
            return normalise_id_number(value)
        except IdNumberRejected as rejected:
            raise forms.ValidationError(ID_NUMBER_MESSAGES[rejected.code], code=f"id_{rejected.code}") from None


class SubmissionTokenField(forms.UUIDField):
    """A hidden token, fresh each time the form is shown: posted twice (a double click, a
    reload, a retry after a timeout), the service finds the row it made the first time."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)


class RoundedDecimalField(forms.DecimalField):
    """A decimal rounded to its places instead of refused for having more: a GPS point from a phone or another
    system (a 110 transfer) comes with 7 to 15 decimals, and the places beyond the 6 kept (about 0.1 m) say
    nothing a dispatcher can use. On a hidden field a refusal was also an error nobody could see."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and value.is_finite() and self.decimal_places is not None and abs(value) < 10 ** 9:
            value = value.quantize(Decimal(1).scaleb(-self.decimal_places), rounding=ROUND_HALF_UP)
        return value
