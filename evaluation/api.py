"""/api/v1/metrics/: the 一比三率 figures for supervisors (read-only)."""
import datetime as dt

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dispatch.api import IsSupervisor
from evaluation import metrics


class PeriodInput(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()

    def validate(self, data):
        for name in ("first", "last"):
            if not dt.date(2000, 1, 1) <= data[name] <= dt.date(2100, 12, 31):
                raise serializers.ValidationError({name: [_("Give a date between 2000 and 2100.")]})
        if data["last"] < data["first"]:
            raise serializers.ValidationError({"last": [_("last must not be before first.")]})
        if (data["last"] - data["first"]).days > 366:
            raise serializers.ValidationError({"last": [_("At most one year at a time.")]})
        return data


class MetricsView(APIView):
    """Per district, per unit and for the city, for any period (docs/evaluation.md)."""

    permission_classes = [IsSupervisor]

    @extend_schema(parameters=[OpenApiParameter("first", dt.date, required=True),
                               OpenApiParameter("last", dt.date, required=True)],
                   responses={200: dict}, operation_id="metrics")
    def get(self, request):
        period = PeriodInput(data=request.query_params)
        period.is_valid(raise_exception=True)
        data = metrics.bulletin(period.validated_data["first"], period.validated_data["last"])
        data["definitions"] = {k: str(v) for k, v in metrics.DEFINITIONS.items()}
        return Response(data)
