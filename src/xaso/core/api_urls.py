"""API routes of the core app (included under /api/v1/)."""
from django.urls import path

from . import api

urlpatterns: list = [
    path("calendar/due/", api.CalendarDueView.as_view(), name="calendar-due"),
    path("calendar/<int:year>/", api.CalendarYearView.as_view(), name="calendar-year"),
]
