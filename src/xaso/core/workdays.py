"""The working-day calendar as the running system sees it: the pure ``WorkCalendar`` built
from the administrators' ``CalendarDecision`` rows and the settings, cached in-process.

Settings (see docs/calendar.md):

- ``XASO_WORKING_HOURS`` — working sessions, default ``"07:00-11:30,13:30-17:00"``;
- ``XASO_DEFAULT_CUTOFF`` — a commune-wide cut-off hour for procedures without their own,
  only where the administrator sets one (e.g. ``"15:00"``); default empty: no cut-off (the
  cut-off is the procedure's rule, recorded in the catalogue);
- ``XASO_CALENDAR_EXTRA_HOLIDAYS`` — count 24/11 (Ngày Văn hóa Việt Nam) as a day off,
  default ``False`` (not yet enacted in the Labour Code);
- ``XASO_CALENDAR_TZ`` — default ``"Asia/Ho_Chi_Minh"``;
- ``XASO_CALENDAR_RECHECK_SECONDS`` — how long a process trusts its cached calendar before
  checking the decision table again for changes made by other processes (default 0: one
  cheap aggregate query per ``get_calendar()`` call outside requests, and at most one per
  HTTP request).

Saving or deleting a decision through the ORM clears this process's cache at once
(signals); other processes notice through a cheap version query (row count and latest
``updated_at``). Bulk ``QuerySet.update()`` bypasses both: use the admin or ``save()``.
"""
from __future__ import annotations

import threading
import time as _time
from datetime import date, time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarRangeError,
    DayDecision,
    WorkCalendar,
    WorkingHours,
    parse_working_hours,
)
from .models import CalendarDecision

DEFAULT_WORKING_HOURS = "07:00-11:30,13:30-17:00"

_lock = threading.Lock()
_request = threading.local()  # per request: the calendar already checked against the table
_state: dict = {"calendar": None, "version": None, "checked": 0.0, "settings": None}
_base: dict = {}


# ---------------------------------------------------------------- settings


def working_hours() -> WorkingHours:
    text = getattr(settings, "XASO_WORKING_HOURS", DEFAULT_WORKING_HOURS) or DEFAULT_WORKING_HOURS
    try:
        return parse_working_hours(text)
    except ValueError as exc:
        raise ImproperlyConfigured(f"XASO_WORKING_HOURS: {exc}") from exc


def parse_cutoff(text: str | None) -> time | None:
    """``"15:00"`` → ``time(15, 0)``; ``""``/``"none"`` → ``None``. Raises ValueError."""
    text = (text or "").strip()
    if not text or text.lower() in ("none", "null", "off", "0"):
        return None
    parsed = time.fromisoformat(text)
    if parsed.tzinfo is not None:
        raise ValueError("The cut-off is a local time.")
    return parsed


def default_cutoff() -> time | None:
    try:
        return parse_cutoff(getattr(settings, "XASO_DEFAULT_CUTOFF", ""))
    except ValueError as exc:
        raise ImproperlyConfigured(f"XASO_DEFAULT_CUTOFF: {exc}") from exc


def _settings_key():
    return (
        str(working_hours()),
        getattr(settings, "XASO_CALENDAR_TZ", "Asia/Ho_Chi_Minh"),
        bool(getattr(settings, "XASO_CALENDAR_EXTRA_HOLIDAYS", False)),
    )


# ---------------------------------------------------------------- calendars


def base_calendar() -> WorkCalendar:
    """The calendar without the administrators' decisions (statutory days, the library's
    swaps and the built-in decisions): what a new decision is checked against."""
    key = _settings_key()
    cal = _base.get(key)
    if cal is None:
        cal = _base[key] = WorkCalendar(hours=working_hours(), tz=key[1], extra_holidays=key[2])
    return cal


def _version():
    row = CalendarDecision.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return (row["n"], row["latest"])


def get_calendar() -> WorkCalendar:
    """The calendar in force: statutory days + built-in decisions + the decision table."""
    recheck = float(getattr(settings, "XASO_CALENDAR_RECHECK_SECONDS", 0))
    key = _settings_key()
    now = _time.monotonic()
    cal = _state["calendar"]
    if cal is not None and _state["settings"] == key:
        if getattr(_request, "checked", None) is cal or now - _state["checked"] < recheck:
            return cal
    version = _version()
    with _lock:
        if cal is not None and _state["settings"] == key and _state["version"] == version:
            _state["checked"] = now
            _mark_checked(cal)
            return cal
        decisions = [
            DayDecision(row.date, row.kind, row.name, decision_basis(row))
            for row in CalendarDecision.objects.order_by("date")
            if FIRST_YEAR <= row.date.year <= LAST_YEAR
        ]
        cal = WorkCalendar(decisions, hours=working_hours(), tz=key[1], extra_holidays=key[2])
        _state.update(calendar=cal, version=version, checked=now, settings=key)
        _mark_checked(cal)
        return cal


def _mark_checked(cal):
    if getattr(_request, "active", False):
        _request.checked = cal


@receiver(request_started, dispatch_uid="xaso_calendar_request_started")
def _on_request_started(**kwargs):
    """Within one request the table is checked once: a list computing many due dates
    costs one version query."""
    _request.active, _request.checked = True, None


@receiver(request_finished, dispatch_uid="xaso_calendar_request_finished")
def _on_request_finished(**kwargs):
    _request.active, _request.checked = False, None


def invalidate() -> None:
    with _lock:
        _state.update(calendar=None, version=None, checked=0.0)


@receiver(post_save, sender=CalendarDecision, dispatch_uid="xaso_calendar_invalidate_save")
@receiver(post_delete, sender=CalendarDecision, dispatch_uid="xaso_calendar_invalidate_delete")
def _on_decision_change(sender, **kwargs):
    invalidate()
    transaction.on_commit(invalidate)  # a rolled-back or later-committed write is re-read


def decision_basis(row: CalendarDecision) -> str:
    """How a decision is cited: its number, and its date when known."""
    number = (row.decision_number or "").strip()
    if row.decision_date:
        return f"{number} ({row.decision_date:%d/%m/%Y})"
    return number


# ---------------------------------------------------------------- validation


def validate_decision(*, day: date | None, kind: str, decision_number: str) -> None:
    """Refuse overrides that make no sense; raises ``ValidationError`` keyed by field,
    with messages for the administrator."""
    errors: dict[str, list[str]] = {}
    if not (decision_number or "").strip():
        errors.setdefault("decision_number", []).append(
            _("Enter the number of the decision or notice (e.g. 9441/TB-BNV).")
        )
    if kind not in CalendarDecision.Kind.values:
        errors.setdefault("kind", []).append(_("Choose whether the day becomes a day off or a working day."))
    if day is None:
        errors.setdefault("date", []).append(_("Enter the date."))
    elif not (FIRST_YEAR <= day.year <= LAST_YEAR):
        errors.setdefault("date", []).append(
            _("The calendar covers the years %(first)s to %(last)s; %(day)s is outside.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR, "day": day.strftime("%d/%m/%Y")}
        )
    elif kind in CalendarDecision.Kind.values:
        try:
            working = base_calendar().is_working_day(day)
        except CalendarRangeError:  # pragma: no cover - guarded above
            working = None
        weekend = day.weekday() >= 5
        if kind == CalendarDecision.Kind.WORKING_DAY and not weekend and working:
            errors.setdefault("kind", []).append(
                _("%(day)s is a weekday that is already a working day: a working-day decision is only for a "
                  "Saturday, a Sunday or a holiday.") % {"day": day.strftime("%d/%m/%Y")}
            )
        if kind == CalendarDecision.Kind.DAY_OFF and weekend and not working:
            errors.setdefault("kind", []).append(
                _("%(day)s is a Saturday or Sunday, already a day off: a day-off decision is only for a "
                  "working day.") % {"day": day.strftime("%d/%m/%Y")}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_decision(
    *, day: date, kind: str, name: str, decision_number: str, decision_date: date | None = None, note: str = ""
) -> CalendarDecision:
    """Record (or replace) the decision for one day. Audited through the model tracking
    of ``xaso.core.audit``."""
    validate_decision(day=day, kind=kind, decision_number=decision_number)
    if not (name or "").strip():
        raise ValidationError({"name": [_("Enter the reason (e.g. the holiday it is swapped for).")]})
    row = CalendarDecision.objects.filter(date=day).first() or CalendarDecision(date=day)
    row.kind, row.name, row.decision_number = kind, name.strip(), decision_number.strip()
    row.decision_date, row.note = decision_date, note
    row.full_clean()
    row.save()
    return row
