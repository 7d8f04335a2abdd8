"""The one due-date function for dossiers. Pure: no Django import.

Everything is recomputed from the stored facts of a dossier: when it was received, the
legal processing time copied from the procedure version, the procedure's cut-off hour, the
pauses (each a row, with its "restart from zero" flag) and the apology's new date. The
working-day arithmetic itself (holidays, swaps, working hours, the cut-off rule) belongs to
the calendar (``xaso.core.calendar.WorkCalendar``), so there is exactly one calculator.

Legal basis:
- time counts in working days (QĐ 188/1999/QĐ-TTg: Monday–Friday; holidays per Bộ luật Lao
  động 2019 Điều 112 and the yearly swap notices, vn-rules 8);
- the time the applicant takes to supplement is not counted (the Decision 766 on-time
  formula subtracts it, vn-rules 1.5); where a procedure's law says the time restarts after
  a complete supplement ("tính lại từ đầu"), the clock restarts from zero at the end of that
  pause (per-procedure setting);
- an apology may set a new return date once (vn-rules 1.6): the effective due date.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Protocol, Sequence
from zoneinfo import ZoneInfo


class Calendar(Protocol):  # the subset of WorkCalendar used here
    def due_at(self, received_at, duration, *, cutoff=None, pauses=()) -> datetime: ...

    def working_time_between(self, start, end, pauses=()) -> timedelta: ...


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime | None = None
    restart: bool = False  # the clock restarts from zero when this pause ends


@dataclass(frozen=True)
class Facts:
    received_at: datetime
    days: float = 0  # working days (halves allowed); 0 with hours 0 = same day
    hours: float = 0  # working hours
    cutoff: time | None = None
    pauses: Sequence[Pause] = field(default_factory=tuple)
    apology_due: datetime | None = None
    calendar_days: bool = False  # ``days`` are calendar days (some sector laws say so)


@dataclass(frozen=True)
class Clock:
    legal_due: datetime  # the due date under the law, pauses excluded
    effective_due: datetime  # after an apology's new date, else the legal due
    remaining: timedelta  # working time left until the effective due (negative: overdue)
    paused: bool  # waiting for the applicant (an open pause)
    overdue: bool
    clock_start: datetime  # received_at, or the end of the last restart-from-zero pause


def _duration(days, hours):
    from xaso.core.calendar import Duration  # pure module, no Django

    return Duration(days, hours)


def compute(calendar: Calendar, facts: Facts, *, now: datetime, duration_factory=None) -> Clock:
    """Legal due, effective due and remaining working time of a dossier at ``now``.

    An open pause is treated as ending at ``now`` (so the due date shown while waiting is
    the one the dossier would have if the supplement arrived now, and the remaining time is
    frozen at what was left when the pause began)."""
    make = duration_factory or _duration
    pauses = sorted(facts.pauses, key=lambda p: p.start)
    if any(p.end is not None and p.end < p.start for p in pauses):
        raise ValueError("A pause ends before it starts.")
    paused = bool(pauses) and pauses[-1].end is None
    closed = [(p.start, p.end if p.end is not None else max(now, p.start)) for p in pauses]
    start = facts.received_at
    counted = closed
    for i in range(len(pauses) - 1, -1, -1):
        if pauses[i].restart and pauses[i].end is not None:
            # Restart from zero: the dossier counts as received when the supplement arrived.
            start = pauses[i].end
            counted = closed[i + 1 :]
            break
    if facts.calendar_days:
        legal_due = _calendar_days_due(calendar, start, facts, counted)
    else:
        legal_due = calendar.due_at(start, make(facts.days, facts.hours), cutoff=facts.cutoff, pauses=counted)
    effective = facts.apology_due or legal_due
    if paused:
        ref = max(now, pauses[-1].start)
    else:
        ref = now
    if ref <= effective:
        remaining = calendar.working_time_between(ref, effective)
    else:
        remaining = -calendar.working_time_between(effective, ref)
    overdue = not paused and now > effective
    return Clock(legal_due, effective, remaining, paused, overdue, start)


def running_clock(calendar: Calendar, effective_due: datetime, legal_due: datetime, *, now: datetime, clock_start=None, between=None) -> Clock:
    """The clock of a dossier without an open pause, from its due dates as ``compute`` gave
    them (they do not depend on ``now`` then): only the remaining working time is computed
    (by ``between``, default the calendar's ``working_time_between``). Gives the same
    ``Clock`` as ``compute`` for such a dossier (tested)."""
    between = between or calendar.working_time_between
    if now <= effective_due:
        remaining = between(now, effective_due)
    else:
        remaining = -between(effective_due, now)
    return Clock(legal_due, effective_due, remaining, False, now > effective_due, clock_start)


class WorkingTimeIndex:
    """The calendar's ``working_time_between`` (without pauses) for long spans, fast: the
    span is cut at local midnights, the two partial days are asked of the calendar, and the
    whole days in between come from running sums of the calendar's own answers for each
    day (computed once per calendar object, then reused). Working time is additive over
    disjoint intervals, so the answer is the calendar's (tested against it). Used for the
    remaining time of long-overdue dossiers in worklists (one request shows 50 of them)."""

    def __init__(self, calendar):
        import threading

        self.calendar = calendar
        self.tz = calendar.tz
        self.base = None
        self.cum: list[timedelta] = [timedelta(0)]  # cum[i]: from midnight(base) to midnight(base + i days)
        self._lock = threading.Lock()

    def _midnight(self, d):
        return datetime.combine(d, time(0), tzinfo=self.tz)

    def _day(self, d):
        return self.calendar.working_time_between(self._midnight(d), self._midnight(d + timedelta(days=1)))

    def _upto(self, d) -> timedelta:
        if self.base is None:
            self.base = d
        if d < self.base:
            prefix = [timedelta(0)]
            for j in range((self.base - d).days):
                prefix.append(prefix[-1] + self._day(d + timedelta(days=j)))
            shift = prefix.pop()
            self.cum = prefix + [x + shift for x in self.cum]
            self.base = d
        i = (d - self.base).days
        while len(self.cum) <= i:
            self.cum.append(self.cum[-1] + self._day(self.base + timedelta(days=len(self.cum) - 1)))
        return self.cum[i]

    def between(self, start: datetime, end: datetime) -> timedelta:
        if end < start:
            return -self.between(end, start)
        a, b = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        if (b - a).days < 2:
            return self.calendar.working_time_between(start, end)
        first, last = a + timedelta(days=1), b
        with self._lock:
            lo = self._upto(first)  # first: may move the base back (earlier sums shift)
            whole = self._upto(last) - lo
        return (
            self.calendar.working_time_between(start, self._midnight(first))
            + whole
            + self.calendar.working_time_between(self._midnight(last), end)
        )


def _calendar_days_due(calendar, received_at, facts, pauses):
    """A time limit in calendar days: N days (plus the paused time) after the clock start;
    a limit ending on a non-working day moves to the next working day (the rule of Bộ luật
    Dân sự 2015 Điều 148 k4 for time limits ending on a day off), due at its close."""
    start = calendar.clock_start(received_at, facts.cutoff)
    paused = sum(((e - max(s, start)) for s, e in pauses if e > start), timedelta())
    local_start = start.astimezone(calendar.tz)
    day = (local_start + timedelta(days=float(facts.days)) + paused).date()
    day = calendar.next_working_day(day, inclusive=True)
    return datetime.combine(day, calendar.hours.closing, tzinfo=calendar.tz)


EARLY, ON_TIME, LATE = "early", "on_time", "late"
_VN = ZoneInfo("Asia/Ho_Chi_Minh")


def timeliness(finished_at: datetime, due: datetime, *, counts_as_late: bool = False, tz=None) -> str:
    """THE classification of a finished dossier or hand-over step: ``"early"``,
    ``"on_time"`` or ``"late"`` (the process-control sheet's columns trước hạn / đúng hạn /
    quá hạn, Mẫu 05; the Decision 766 on-time rate, vn-rules 3 item 2.1).

    - For a dossier ``due`` is its **legal** due date (``Clock.legal_due``, stored as
      ``Dossier.legal_due_at``): an apology's new date is recorded and shown, but a dossier
      finished after its legal due date is late whether or not it was re-dated (the apology
      is issued *because* the dossier is late; vn-rules 1.6). For a step, its own due time.
    - ``counts_as_late``: a dossier with more than one supplement request counts as late
      whatever its dates (766 item 2.1, vn-rules 1.5).
    - Early: finished on an earlier calendar day than due (local time, ``tz`` default Vietnam).

    Every page, form, report, target and the national-portal figures classify through this
    function or its query-level twin ``dossiers.selectors.on_time_q`` (tested equal)."""
    if counts_as_late or finished_at > due:
        return LATE
    tz = tz or _VN
    if finished_at.astimezone(tz).date() < due.astimezone(tz).date():
        return EARLY
    return ON_TIME


def step_due(calendar, facts: Facts, start: datetime, share_percent: float) -> datetime | None:
    """A hand-over step's own due moment (a row of the process-control sheet): its share of
    the dossier's legal time, computed with the dossier's own calendar, working hours and
    facts, so that it never disagrees with the dossier's clock:

    - the step's clock starts at ``start`` (at the next working moment if outside working
      hours), but never before the dossier's own clock start: a step opened at a receipt
      before office hours, on a day off or after the procedure's cut-off hour starts when the
      dossier's clock does;
    - working days and hours: ``share_percent`` of (days × the working-day length + hours) of
      working time, counted like the dossier's (a share of whole days counted from the next
      day, ``WorkCalendar.due_at``); a same-day procedure's steps share the working time from
      the dossier's clock start to that day's close;
    - calendar days: ``share_percent`` of the days, in calendar time; the step falls due at the
      close of the day it ends on (of the next working day when that is a day off), as the
      dossier's own limit does;
    - never after the dossier's legal due date as it stands when the step starts.

    ``None`` for a step without a share of the time."""
    if not share_percent:
        return None
    from xaso.core.calendar import Duration

    share = float(share_percent) / 100.0
    clock = compute(calendar, facts, now=start)
    dossier_start = calendar.clock_start(clock.clock_start, facts.cutoff)
    step_start = max(calendar.clock_start(start, None), dossier_start)
    if facts.calendar_days:
        moment = step_start.astimezone(calendar.tz) + timedelta(days=float(facts.days) * share)
        day = calendar.next_working_day(moment.date(), inclusive=True)
        due = datetime.combine(day, calendar.hours.closing, tzinfo=calendar.tz)
    else:
        day_minutes = round(calendar.day_length.total_seconds() / 60)
        if facts.days or facts.hours:
            total = float(facts.days) * day_minutes + float(facts.hours) * 60
        else:  # same day: the working time left that day from the dossier's clock start
            close = datetime.combine(dossier_start.astimezone(calendar.tz).date(), calendar.hours.closing, tzinfo=calendar.tz)
            total = calendar.working_time_between(dossier_start, close).total_seconds() / 60
        minutes = max(1, round(total * share))
        whole_days, rest = divmod(minutes, day_minutes)
        due = calendar.due_at(step_start, Duration(whole_days, rest / 60))
    if clock.legal_due is not None and due > clock.legal_due:
        due = clock.legal_due
    return due
