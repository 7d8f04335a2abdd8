"""When periodic jobs run: schedule specifications and their next run time.

Pure logic (no Django). A specification is one of:

- ``daily HH:MM``: once a day at that local time (e.g. ``daily 07:00``);
- ``every N minutes`` (or ``every N min``): at most once per N minutes;
- ``off``: never.

``next_run(spec, last, tz)`` is the first time at or after which a job whose last run
started at ``last`` (an aware datetime) is due again. Missed runs are not made up one by one:
a daily job that was not run for three days (the server was off) runs once, then follows its
time again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_DAILY = re.compile(r"^daily\s+([01]?\d|2[0-3]):([0-5]\d)$")
_EVERY = re.compile(r"^every\s+(\d{1,4})\s+(?:minutes?|min)$")


class ScheduleError(ValueError):
    """A specification that cannot be read."""


@dataclass(frozen=True)
class Spec:
    kind: str  # "daily", "every" or "off"
    at: time | None = None
    minutes: int = 0

    def __str__(self):
        if self.kind == "daily":
            return f"daily {self.at:%H:%M}"
        if self.kind == "every":
            return f"every {self.minutes} minutes"
        return "off"


def parse(text: str) -> Spec:
    value = " ".join((text or "").strip().lower().split())
    if value == "off":
        return Spec("off")
    m = _DAILY.match(value)
    if m:
        return Spec("daily", at=time(int(m.group(1)), int(m.group(2))))
    m = _EVERY.match(value)
    if m:
        minutes = int(m.group(1))
        if not 1 <= minutes <= 1440:
            raise ScheduleError(f"{text!r}: the interval must be from 1 to 1440 minutes.")
        return Spec("every", minutes=minutes)
    raise ScheduleError(f"{text!r}: write 'daily HH:MM', 'every N minutes' or 'off'.")


def next_run(spec: Spec, last: datetime, tz: ZoneInfo) -> datetime | None:
    """The first moment after ``last`` at which the job is due (None: never).

    ``daily``: the first occurrence of the local time strictly after ``last`` (so a run
    started at 07:00 is next due tomorrow at 07:00, and a catch-up run at 09:00 too).
    ``every``: ``last`` + the interval."""
    if last.tzinfo is None:
        raise ValueError("last must be an aware datetime")
    if spec.kind == "off":
        return None
    if spec.kind == "every":
        return last + timedelta(minutes=spec.minutes)
    local = last.astimezone(tz)
    candidate = datetime.combine(local.date(), spec.at, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), spec.at, tzinfo=tz)
    return candidate


def is_due(spec: Spec, last: datetime, now: datetime, tz: ZoneInfo) -> bool:
    due = next_run(spec, last, tz)
    return due is not None and due <= now
