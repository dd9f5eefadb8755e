"""Glue between the domain errors and Django REST framework (imports no app)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from lib.errors import ConflictError, DomainError
from lib.fields import ID_NUMBER_MESSAGES, phone_message
from lib.identity import IdNumberRejected, PhoneRejected, normalise_id_number, normalise_phone


def exception_handler(exc, context):
    """Every error is a dict with a `code` (docs/api.md): a refused action is 400 with the message on its field (or
    `detail`); a lost race is 409; invalid input is 400 with the messages on their fields and `code` "invalid"; any
    other refusal is `{"detail", "code"}` with DRF's code (not_found, parse_error, not_authenticated, throttled...),
    its text translated by Accept-Language."""
    if isinstance(exc, DomainError):
        code = status.HTTP_409_CONFLICT if isinstance(exc, ConflictError) else status.HTTP_400_BAD_REQUEST
        body = {exc.field: [str(exc.message)]} if exc.field else {"detail": str(exc.message)}
        body["code"] = exc.code
        return Response(body, status=code)
    if isinstance(exc, DjangoValidationError):
        body = getattr(exc, "message_dict", None) or {"detail": " ".join(exc.messages)}
        return Response({**body, "code": body.get("code", "invalid")}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        # get_object_or_404's text names the model, in English ("No ReturnRequest matches the given query.").
        exc = exceptions.NotFound()
    elif isinstance(exc, exceptions.ParseError):
        # The parser's own text is English and quotes its internals ("JSON parse error - Expecting value: ...").
        exc = exceptions.ParseError(_("The request body could not be read: send well-formed JSON or form data."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(response.data, list):  # ValidationError("...") raised outside a serializer's fields
        response.data = {"detail": " ".join(str(message) for message in response.data)}
    if isinstance(response.data, dict) and "code" not in response.data:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        response.data["code"] = codes if isinstance(codes, str) else "invalid"
    return response


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
