"""Glue between the domain errors and Django REST framework (imports no app)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from lib.errors import ConflictError, DomainError
from lib.fields import ID_NUMBER_MESSAGES, phone_message
from lib.identity import IdNumberRejected, PhoneRejected, normalise_id_number, normalise_phone


def exception_handler(exc, context):
    """A refused action is 400 with the message on its field (or `detail`); a lost race is 409."""
    if isinstance(exc, DomainError):
        code = status.HTTP_409_CONFLICT if isinstance(exc, ConflictError) else status.HTTP_400_BAD_REQUEST
        body = {exc.field: [str(exc.message)]} if exc.field else {"detail": str(exc.message)}
        body["code"] = exc.code
        return Response(body, status=code)
    if isinstance(exc, DjangoValidationError):
        return Response(getattr(exc, "message_dict", {"detail": exc.messages}), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


MAX_OFFSET = __import__("datetime").timedelta(hours=14)  # the widest real UTC offset


def offset_in_range(moment) -> bool:
    """PostgreSQL refuses offsets beyond ±15:59; real ones stay within ±14:00."""
    return moment is None or moment.utcoffset() is None or abs(moment.utcoffset()) <= MAX_OFFSET



class PhoneSerializerField(serializers.CharField):
    """The serializer twin of `lib.fields.PhoneField`: same rules, same messages."""

    def __init__(self, *, mobile_only: bool, **kwargs):
        self.mobile_only = mobile_only
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return normalise_phone(value, mobile_only=self.mobile_only)
        except PhoneRejected as rejected:
            raise serializers.ValidationError(phone_message(rejected, mobile_only=self.mobile_only),
                                              code=f"phone_{rejected.code}") from None


class IdNumberSerializerField(serializers.CharField):
    """The serializer twin of `lib.fields.IdNumberField`; blank stays blank."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value:
            return ""
        try:
            return normalise_id_number(value)
        except IdNumberRejected as rejected:
            raise serializers.ValidationError(ID_NUMBER_MESSAGES[rejected.code], code=f"id_{rejected.code}") from None


class RoundedDecimalField(serializers.DecimalField):
    """A decimal rounded to its places instead of refused for having more (a GPS point with 7 to 15 decimals:
    the places beyond those kept say nothing a dispatcher can use)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("rounding", ROUND_HALF_UP)
        super().__init__(**kwargs)

    def validate_precision(self, value):
        if value.is_finite() and self.decimal_places is not None and abs(value) < 10 ** 9:  # larger: refused below
            value = value.quantize(Decimal(1).scaleb(-self.decimal_places), rounding=self.rounding)
        return super().validate_precision(value)
