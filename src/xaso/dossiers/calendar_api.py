"""``GET /api/v1/calendar/due/`` — when a dossier received at a given moment is due, computed
by the one due-date function of the dossier lifecycle (``deadlines.compute``) over the
working-day calendar: working days and hours, or calendar days (``calendar_days=N``), the
cut-off hour, holidays, swaps and working hours. Public, throttled like the calendar."""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from xaso.core import workdays
from xaso.core.api import BAD_REQUEST, TOO_MANY, _CalendarThrottle, _CutoffField
from xaso.core.calendar import FIRST_YEAR, LAST_YEAR, CalendarRangeError

from . import deadlines

MAX_WORKING_DAYS = 3650
MAX_CALENDAR_DAYS = 3650
MAX_HOURS = 100000

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
            required=False,
            min_value=0,
            max_value=MAX_WORKING_DAYS,
            help_text=gettext_lazy(
                "Legal processing time in working days; 0 with hours 0 = same day. Give it, or calendar_days."
            ),
            error_messages={
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
        "calendar_days": serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=MAX_CALENDAR_DAYS,
            help_text=gettext_lazy(
                "Legal processing time in calendar days (some sector laws count days off too); a limit "
                "ending on a day off moves to the next working day, due at its close."
            ),
            error_messages={
                "invalid": gettext_lazy("'calendar_days' must be a whole number of days."),
                "min_value": gettext_lazy("'calendar_days' must be at least 1."),
                "max_value": gettext_lazy("'calendar_days' may be at most {max_value}."),
            },
        ),
        "cutoff": _CutoffField(
            required=False,
            allow_blank=True,
            help_text=gettext_lazy(
                "Cut-off hour HH:MM of the procedure: received after it, the clock starts the next working "
                "day. Default: the XASO_DEFAULT_CUTOFF setting (none unless the administrator set one); "
                "'none' (or empty) for no cut-off."
            ),
        ),
        "validate": lambda self, attrs: _one_time_limit(attrs),
    },
)


def _one_time_limit(attrs):
    if "calendar_days" in attrs and ("working_days" in attrs or attrs.get("hours")):
        raise serializers.ValidationError(
            {"calendar_days": [_("Give the processing time either in working days (and hours) or in calendar days, not both.")]}
        )
    if "calendar_days" not in attrs and "working_days" not in attrs:
        raise serializers.ValidationError(
            {"working_days": [_("Enter the processing time in working days ('working_days') or in calendar days ('calendar_days').")]}
        )
    return attrs


DueSerializer = type(
    "DueSerializer",
    (serializers.Serializer,),
    {
        "from": serializers.DateTimeField(),
        "clock_start": serializers.DateTimeField(help_text=gettext_lazy("When the legal clock starts.")),
        "due": serializers.DateTimeField(help_text=gettext_lazy("The legal due moment.")),
        "working_days": serializers.IntegerField(allow_null=True),
        "hours": serializers.FloatField(),
        "calendar_days": serializers.IntegerField(allow_null=True),
        "cutoff": serializers.CharField(allow_null=True, help_text=gettext_lazy("The cut-off hour applied, if any.")),
    },
)


class CalendarDueView(_CalendarThrottle, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="calendar_due",
        summary="Due date of a dossier",
        description=(
            "When the legal clock starts and when a dossier received at 'from' with the given processing time is "
            "due, computed by the dossier lifecycle's own due-date function (working days and hours, or calendar "
            "days; holidays, swaps, working hours, cut-off hour). A time limit in working days is counted from "
            "the day after receipt."
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
                    "calendar_days": None,
                    "cutoff": None,
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
        calendar_days = data.get("calendar_days")
        working_days = None if calendar_days else data["working_days"]
        hours = 0 if calendar_days else data.get("hours", 0)
        facts = deadlines.Facts(
            received_at=received,
            days=calendar_days or working_days,
            hours=hours,
            cutoff=cutoff,
            calendar_days=bool(calendar_days),
        )
        cal = workdays.get_calendar()
        try:
            start = cal.clock_start(received, cutoff)
            due = deadlines.compute(cal, facts, now=received).legal_due
        except CalendarRangeError:
            return Response(
                {"from": [_("The calendar covers the years %(first)s to %(last)s; the due date falls outside.")
                          % {"first": FIRST_YEAR, "last": LAST_YEAR}]},
                status=400,
            )
        payload = {
            "from": timezone.localtime(received, cal.tz),
            "clock_start": start,
            "due": due,
            "working_days": working_days,
            "hours": hours,
            "calendar_days": calendar_days,
            "cutoff": cutoff.strftime("%H:%M") if cutoff else None,
        }
        return Response(DueSerializer(payload).data)
