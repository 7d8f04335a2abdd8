"""Public API of the working-day calendar (for other systems and the portal).

- ``GET /api/v1/calendar/{year}/`` — the year's special days;
- ``GET /api/v1/calendar/due/?from=…&working_days=N[&hours=H][&cutoff=HH:MM]`` — the due
  moment, computed by the same calendar the dossier lifecycle uses.
"""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from . import workdays
from .calendar import FIRST_YEAR, LAST_YEAR, CalendarRangeError, Duration

MAX_WORKING_DAYS = 3650
MAX_HOURS = 100000


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


DueQuerySerializer = type(
    "DueQuerySerializer",
    (serializers.Serializer,),
    {
        "from": serializers.DateTimeField(
            help_text=gettext_lazy(
                "When the dossier was received (ISO 8601; without an offset it is read as Vietnam time)."
            ),
            error_messages={
                "required": gettext_lazy("Enter the time of receipt ('from'), e.g. 2026-02-13T10:00:00+07:00."),
                "invalid": gettext_lazy("'from' must be an ISO 8601 date and time, e.g. 2026-02-13T10:00:00+07:00."),
            },
        ),
        "working_days": serializers.IntegerField(
            min_value=0,
            max_value=MAX_WORKING_DAYS,
            help_text=gettext_lazy("Legal processing time in working days; 0 with hours 0 = same day."),
            error_messages={
                "required": gettext_lazy("Enter the processing time in working days ('working_days')."),
                "invalid": gettext_lazy("'working_days' must be a whole number of working days."),
                "min_value": gettext_lazy("'working_days' must not be negative."),
                "max_value": gettext_lazy("'working_days' may be at most {max_value}."),
            },
        ),
        "hours": serializers.FloatField(
            required=False,
            default=0,
            min_value=0,
            max_value=MAX_HOURS,
            help_text=gettext_lazy("Additional working hours (lunch break excluded)."),
            error_messages={
                "invalid": gettext_lazy("'hours' must be a number of working hours."),
                "min_value": gettext_lazy("'hours' must not be negative."),
                "max_value": gettext_lazy("'hours' is too large."),
            },
        ),
        "cutoff": _CutoffField(
            required=False,
            allow_blank=True,
            help_text=gettext_lazy(
                "Cut-off hour HH:MM: received after it, the clock starts the next working day. "
                "Default: the XASO_DEFAULT_CUTOFF setting; 'none' (or empty) for no cut-off."
            ),
        ),
    },
)


DueSerializer = type(
    "DueSerializer",
    (serializers.Serializer,),
    {
        "from": serializers.DateTimeField(),
        "clock_start": serializers.DateTimeField(help_text=gettext_lazy("When the legal clock starts.")),
        "due": serializers.DateTimeField(help_text=gettext_lazy("The legal due moment.")),
        "working_days": serializers.IntegerField(),
        "hours": serializers.FloatField(),
        "cutoff": serializers.CharField(allow_null=True, help_text=gettext_lazy("The cut-off hour applied, if any.")),
    },
)


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


class CalendarDueView(_CalendarThrottle, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="calendar_due",
        summary="Due date of a dossier",
        description=(
            "When the legal clock starts and when a dossier received at 'from' with the given processing time is "
            "due, computed exactly as the dossier lifecycle computes it (working days, holidays, swaps, working "
            "hours, cut-off hour)."
        ),
        parameters=[DueQuerySerializer],
        responses={200: DueSerializer, 400: BAD_REQUEST, 429: TOO_MANY},
        examples=[
            OpenApiExample(
                "After Tết 2026",
                value={
                    "from": "2026-02-13T10:00:00+07:00",
                    "clock_start": "2026-02-13T10:00:00+07:00",
                    "due": "2026-02-23T10:00:00+07:00",
                    "working_days": 1,
                    "hours": 0.0,
                    "cutoff": "15:00",
                },
                response_only=True,
            )
        ],
        tags=["calendar"],
    )
    def get(self, request):
        query = DueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        received: datetime = data["from"]
        cutoff = data["cutoff"] if "cutoff" in data else workdays.default_cutoff()
        cal = workdays.get_calendar()
        try:
            start = cal.clock_start(received, cutoff)
            due = cal.due_at(received, Duration(data["working_days"], data.get("hours", 0)), cutoff=cutoff)
        except CalendarRangeError:
            return Response(
                {"from": [_("The calendar covers the years %(first)s to %(last)s; the due date falls outside.")
                          % {"first": FIRST_YEAR, "last": LAST_YEAR}]},
                status=400,
            )
        tz = cal.tz
        payload = {
            "from": timezone.localtime(received, tz),
            "clock_start": start,
            "due": due,
            "working_days": data["working_days"],
            "hours": data.get("hours", 0),
            "cutoff": cutoff.strftime("%H:%M") if cutoff else None,
        }
        return Response(DueSerializer(payload).data)
