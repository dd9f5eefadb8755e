"""The public deadline calculator: as a page and as JSON (GET /api/v1/calendar/deadline)."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lib.workdays import Deadline
from org.calendar import get_calendar

MIN_DATE, MAX_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
MAX_DAYS = 366


class DeadlineQuery(forms.Form):
    start = forms.DateField(label=gettext_lazy("Start date (day 0)"), input_formats=["%Y-%m-%d"],
                            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                            error_messages={"invalid": gettext_lazy("Give the date as YYYY-MM-DD."),
                                            "required": gettext_lazy("Give a start date.")})
    days = forms.IntegerField(label=gettext_lazy("Working days"), min_value=0, max_value=MAX_DAYS,
                              error_messages={"invalid": gettext_lazy("Give a whole number of working days."),
                                              "required": gettext_lazy("Give a number of working days.")})

    def clean_start(self):
        start = self.cleaned_data["start"]
        if not MIN_DATE <= start <= MAX_DATE:
            raise forms.ValidationError(_("The date must be between %(min)s and %(max)s.")
                                        % {"min": MIN_DATE, "max": MAX_DATE})
        return start


def deadline_payload(result: Deadline) -> dict:
    return {
        "start": result.start.isoformat(),
        "days": result.days,
        "due": result.due.isoformat(),
        "due_at": result.due_at.isoformat(),
        "skipped": [{"date": s.date.isoformat(), "reason": s.name if s.reason == "holiday" else "weekend"}
                    for s in result.skipped],
        "makeup_workdays": [d.isoformat() for d in result.makeup_workdays],
        "calendar_complete": result.calendar_complete,
    }


def deadline_page(request):
    form = DeadlineQuery(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        result = get_calendar().add_workdays(form.cleaned_data["start"], form.cleaned_data["days"])
    return render(request, "org/deadline.html", {"form": form, "result": result},
                  status=400 if form.is_bound and form.errors else 200)


class SkippedDayOutput(serializers.Serializer):
    date = serializers.DateField()
    reason = serializers.CharField(help_text="weekend, or the holiday's name")


class DeadlineOutput(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    due = serializers.DateField()
    due_at = serializers.DateTimeField()
    skipped = SkippedDayOutput(many=True)
    makeup_workdays = serializers.ListField(child=serializers.DateField())
    calendar_complete = serializers.BooleanField()


class DeadlineView(APIView):
    """The deadline of a clock started on `start`: 23:59:59 Asia/Shanghai on the
    `days`-th working day after it, on the official calendar."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[OpenApiParameter("start", str, required=True, description="YYYY-MM-DD, day 0"),
                    OpenApiParameter("days", int, required=True, description=f"0 to {MAX_DAYS} working days")],
        responses={200: DeadlineOutput}, operation_id="calendar_deadline",
    )
    def get(self, request):
        form = DeadlineQuery(request.query_params)
        if not form.is_valid():
            return Response({field: [str(e) for e in errors] for field, errors in form.errors.items()}, status=400)
        result = get_calendar().add_workdays(form.cleaned_data["start"], form.cleaned_data["days"])
        return Response(deadline_payload(result))
