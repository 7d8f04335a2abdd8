"""Public API of the working-day calendar (for other systems and the portal).

- ``GET /api/v1/calendar/{year}/`` — the year's special days.

The due-date endpoint (``/api/v1/calendar/due/``) lives with the one due-date function, in the
dossiers app (``xaso.dossiers.calendar_api``); its cut-off field, error and throttle
descriptions are shared from here.
"""
from __future__ import annotations


from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from . import workdays
from .calendar import FIRST_YEAR, LAST_YEAR

class SpecialDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    working = serializers.BooleanField(help_text=gettext_lazy("True for a working Saturday or Sunday."))
    reason = serializers.CharField()
    basis = serializers.CharField(help_text=gettext_lazy("Legal basis or decision number."))


class CalendarYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    working_hours = serializers.CharField(help_text=gettext_lazy("Working sessions, e.g. 07:00-11:30,13:30-17:00."))
    count = serializers.IntegerField()
    days = SpecialDaySerializer(many=True)


class _CutoffField(serializers.CharField):
    def run_validation(self, data=serializers.empty):
        # CharField returns a blank value as it is, without to_internal_value: an empty
        # cut-off must still become None (no cut-off), never the string "".
        if isinstance(data, str) and not data.strip():
            return None
        return super().run_validation(data)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return workdays.parse_cutoff(text)
        except ValueError:
            raise serializers.ValidationError(_("Enter the cut-off hour as HH:MM, e.g. 15:00, or 'none'."))


BAD_REQUEST = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Invalid parameters: an object mapping each bad parameter to its messages (in Vietnamese).",
    examples=[
        OpenApiExample(
            "Bad parameters",
            value={"working_days": ["'working_days' must not be negative."]},
            status_codes=["400"],
            response_only=True,
        )
    ],
)


TOO_MANY = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Too many requests from this client (120 a minute anonymously, 600 signed in): wait and retry (Retry-After).",
)


class _CalendarThrottle:
    throttle_classes = [AnonRateThrottle, UserRateThrottle]


class CalendarYearView(_CalendarThrottle, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="calendar_year",
        summary="Special days of a year",
        description=(
            "Every weekday that is not a working day (holidays, compensatory days, swapped days off) and every "
            "Saturday or Sunday that is a working day, with the reason and its legal basis or decision number."
        ),
        parameters=[
            OpenApiParameter(
                "year", {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}, OpenApiParameter.PATH,
                description=f"{FIRST_YEAR}–{LAST_YEAR}",
            )
        ],
        responses={200: CalendarYearSerializer, 400: BAD_REQUEST, 429: TOO_MANY},
        tags=["calendar"],
    )
    def get(self, request, year: int):
        if not (FIRST_YEAR <= year <= LAST_YEAR):
            return Response(
                {"year": [_("The calendar covers the years %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}]},
                status=400,
            )
        cal = workdays.get_calendar()
        days = cal.special_days(year)
        payload = {"year": year, "working_hours": str(cal.hours), "count": len(days), "days": days}
        return Response(CalendarYearSerializer(payload).data)
