"""API routes of the core app (included under /api/v1/)."""
from django.urls import path

from . import api

urlpatterns: list = [
    path("calendar/<int:year>/", api.CalendarYearView.as_view(), name="calendar-year"),
]
