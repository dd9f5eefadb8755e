"""/api/v1/petitions/: what citizens and integrators do: file a petition, track
it by number and phone, rate the answer. Fields are listed explicitly; the
status is never written directly."""
from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lib.drf import IdNumberSerializerField, PhoneSerializerField, RoundedDecimalField
from lib.masking import mask_name, mask_phone
from org.geo import area_at, city_area
from org.models import Area, Classification
from petitions import selectors, services
from petitions.api_support import AnonWriteThrottle, TrackingThrottle, api_key_of, idempotent
from petitions.models import NUMBER_PATTERN, Channel, ComplainantType, Kind, Petition, Satisfaction, Status

API_CHANNELS = [Channel.API, Channel.WECHAT, Channel.WEB, Channel.ENTERPRISE, Channel.GRID]


class PetitionFileInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=[(c.value, c.label) for c in API_CHANNELS], default=Channel.API)
    kind = serializers.ChoiceField(choices=Kind.choices)
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.filter(is_active=True), required=False, allow_null=True,
        help_text=gettext_lazy("Area code (district, street or community). Optional: without it the area is found "
                               "from latitude and longitude, and failing that the dispatcher places the petition."))
    classification = serializers.SlugRelatedField(
        slug_field="code", queryset=Classification.objects.filter(is_active=True, is_leaf=True), required=False,
        allow_null=True, help_text=gettext_lazy("Classification leaf code; omit if unsure."))
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    # Phones and mini-programs send 7 to 15 decimals: rounded to the 6 kept (about 0.1 m), not refused.
    latitude = RoundedDecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False,
                                   allow_null=True)
    longitude = RoundedDecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180,
                                    required=False, allow_null=True)
    title = serializers.CharField(min_length=4, max_length=100)
    content = serializers.CharField(min_length=10, max_length=5000)
    complainant_type = serializers.ChoiceField(choices=ComplainantType.choices, default=ComplainantType.PERSON)
    enterprise_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    complainant_name = serializers.CharField(max_length=50)
    complainant_phone = PhoneSerializerField(mobile_only=True)
    complainant_id_number = IdNumberSerializerField(required=False, allow_blank=True, default="")
    confidential = serializers.BooleanField(default=False)
    publish_consent = serializers.BooleanField(
        default=False, help_text=gettext_lazy("The citizen agrees that their words and address may be published "
                                              "with personal data masked (never for confidential petitions)."))

    def validate_title(self, value):
        return value.strip()

    def validate_content(self, value):
        return value.strip()

    def validate(self, data):
        request = self.context.get("request")
        if data.get("channel", Channel.API) != Channel.API and not (
                request is not None and (api_key_of(request) or request.user.is_authenticated)):
            # Only an accountable caller (an integrator's key, a staff account) files for another channel: an
            # anonymous "grid" or "wechat" filing would count in that channel's figures and bypass its switch.
            raise serializers.ValidationError({"channel": [_("Only a caller with an API key may name another "
                                                             "channel; leave it out to file through the API.")]})
        if data.get("complainant_type") == ComplainantType.ENTERPRISE and not data.get("enterprise_name", "").strip():
            raise serializers.ValidationError({"enterprise_name": [_("Give the enterprise's name.")]})
        if not data.get("area"):
            # The point finds its street; with no point (or one outside the city) the city itself is the
            # area and the dispatcher places the petition from its address.
            data["area"] = area_at(data.get("latitude"), data.get("longitude")) or city_area()
            if data["area"] is None:
                raise serializers.ValidationError({"area": [_("Give the area code or a point in the city.")]})
        return data


class PetitionFiledOutput(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    received_at = serializers.DateTimeField()


class TrackInput(serializers.Serializer):
    number = serializers.RegexField(rf"^{NUMBER_PATTERN}$", max_length=16)
    # Any phone a petition can carry: an operator may have recorded the caller's landline.
    phone = PhoneSerializerField(mobile_only=False)


class TimelineStepOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    label = serializers.CharField()
    detail = serializers.CharField()


class PetitionPublicOutput(serializers.Serializer):
    """What the complainant sees: no one else's personal data, their own masked."""

    number = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    kind = serializers.CharField()
    title = serializers.CharField()
    area = serializers.CharField(source="area.name")
    classification = serializers.CharField(source="classification.name", default=None)
    received_at = serializers.DateTimeField()
    complainant = serializers.SerializerMethodField()
    answer = serializers.SerializerMethodField()
    answered_at = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    expected_at = serializers.SerializerMethodField()
    waiting_for_materials = serializers.SerializerMethodField()
    merged_into = serializers.SerializerMethodField()

    def _clock(self, petition):
        # The web page's reading (petitions.selectors.lead_clock), once per petition.
        if getattr(self, "_clock_for", None) != petition.pk:
            self._clock_for, self._clock_value = petition.pk, selectors.lead_clock(petition)
        return self._clock_value

    def get_expected_at(self, petition) -> dt.datetime | None:
        """When an answer can be expected; null while the lead unit's clock is stopped."""
        return self._clock(petition)[0]

    def get_waiting_for_materials(self, petition) -> str | None:
        """What the unit asks the citizen to send while it waits for their materials; null otherwise."""
        waiting = self._clock(petition)[1]
        return waiting["asked"] if waiting and waiting["materials"] else None

    def get_merged_into(self, petition) -> str | None:
        """The number of the petition this one is handled with (merged or a duplicate); null otherwise."""
        if petition.status != Status.MERGED or not petition.merged_into_id:
            return None
        return Petition.objects.filter(pk=petition.merged_into_id).values_list("number", flat=True).first()

    def get_complainant(self, petition) -> str:
        return f"{mask_name(petition.complainant_name)} {mask_phone(petition.complainant_phone)}"

    def _published(self, petition) -> bool:
        return petition.status in (Status.CALLBACK, Status.CLOSED, Status.CLOSED_ON_SPOT)

    def get_answer(self, petition) -> str | None:
        return petition.answer if self._published(petition) else None

    def get_answered_at(self, petition) -> dt.datetime | None:
        return petition.answered_at if self._published(petition) else None

    def get_timeline(self, petition) -> list[dict]:
        return TimelineStepOutput(selectors.public_timeline(petition), many=True).data


class RatingInput(serializers.Serializer):
    phone = PhoneSerializerField(mobile_only=False)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    solved = serializers.BooleanField()
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class PetitionFileView(APIView):
    """File a petition (citizens, mini-programs, other hotlines with an API key)."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonWriteThrottle]

    @extend_schema(request=PetitionFileInput, responses={201: PetitionFiledOutput}, operation_id="petitions_file")
    @idempotent
    def post(self, request):
        serializer = PetitionFileInput(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        key = api_key_of(request)
        petition, _created = services.petition_file(
            **serializer.validated_data, actor=request.user if request.user.is_authenticated else None, api_key=key,
        )
        return Response(PetitionFiledOutput(petition).data, status=status.HTTP_201_CREATED)


def _not_found():
    # One answer for a wrong number and a wrong phone: no probing for numbers.
    return Response({"detail": _("No petition matches this number and phone."), "code": "not_found"},
                    status=status.HTTP_404_NOT_FOUND)


class PetitionTrackView(APIView):
    """Track by number and phone (POST: the phone never goes in a URL)."""

    permission_classes = [AllowAny]
    throttle_classes = [TrackingThrottle]

    @extend_schema(request=TrackInput, responses={200: PetitionPublicOutput}, operation_id="petitions_track")
    def post(self, request):
        serializer = TrackInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        petition = services.tracking_lookup(**serializer.validated_data)
        if petition is None:
            return _not_found()
        return Response(PetitionPublicOutput(petition).data)


class PetitionRateView(APIView):
    """Rate the published answer: once per round of handling."""

    permission_classes = [AllowAny]
    throttle_classes = [TrackingThrottle]  # a rating looks the petition up by number and phone

    @extend_schema(request=RatingInput, responses={200: PetitionPublicOutput}, operation_id="petitions_rate")
    @idempotent
    def post(self, request, number: str):
        if not re.fullmatch(NUMBER_PATTERN, number):
            # Malformed (a NUL byte, letters, another script's digits): no petition has it, and it must not reach a
            # query (PostgreSQL refuses NUL in text, a 500). The answer of a wrong number.
            return _not_found()
        serializer = RatingInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        petition = services.tracking_lookup(number=number, phone=data["phone"])
        if petition is None:
            return _not_found()
        services.petition_rate(petition=petition, satisfaction=data["satisfaction"], solved=data["solved"],
                               comment=data["comment"])
        petition.refresh_from_db()
        return Response(PetitionPublicOutput(petition).data)
