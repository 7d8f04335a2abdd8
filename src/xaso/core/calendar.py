"""The Vietnamese working-day calendar and working-time arithmetic. Pure Python: no Django.

Which days are working days (civil servants, the one-stop-shop):

- Monday to Friday (QĐ 188/1999/QĐ-TTg, Điều 1: 40 hours over 5 days, Saturday and Sunday off);
- minus the public holidays of Bộ luật Lao động 2019 (45/2019/QH14) Điều 112 k1: New Year
  (1/1), lunar Tết (5 days), Hùng Kings' day (10/3 lunar), 30/4, 1/5, National Day (2/9 and
  one adjacent day); the days of Tết and National Day are decided each year by the Prime
  Minister (Điều 112 k3), conveyed by a VPCP letter and announced by a Ministry of Home
  Affairs notice (NĐ 128/2025/NĐ-CP Điều 7 k2);
- minus compensatory days: a holiday on the weekly rest day gives a day off on the next
  working day (Điều 111 k3);
- minus the weekdays the government swaps to a day off, plus the Saturdays it makes
  working days (e.g. 2026: Monday 31/08 off, Saturday 22/08 worked, Thông báo 9441/TB-BNV).

The statutory part and the swaps known to it come from the ``holidays`` package (Vietnamese
lunar calendar, UTC+7). Decisions it does not have (``BUILTIN_DECISIONS`` below, and the
administrators' rows passed as ``decisions``) override it, later ones winning.

24/11 (Ngày Văn hóa Việt Nam): the ``holidays`` package lists it from 2026 on the strength
of Politburo Resolution 80-NQ/TW (01/2026), a policy that has to be enacted by law (Government
Resolution 30/NQ-CP, 02/2026, tasks amending Bộ luật Lao động Điều 112 k1). Secondary sources
name the enacting text as Nghị quyết 28/2026/QH16 of the National Assembly, in force
01/07/2026; its text could not be read (``CULTURE_DAY_STATUS``). It is therefore *not* a day
off unless ``extra_holidays=True`` (setting ``XASO_CALENDAR_EXTRA_HOLIDAYS``), and the calendar
page shows that status.

Time arithmetic (see docs/calendar.md for the rules and their basis):

- all datetimes are timezone-aware; results are in the calendar's zone (Asia/Ho_Chi_Minh);
- a working day has working sessions (default 07:00–11:30 and 13:30–17:00 = 8 hours);
- N working days = N × (the working-day length) of working time from the clock start; the
  law counts the N days from the day after receipt, so a time limit in working days that runs
  out exactly at the end of a working session falls due at the start of the next one (received
  at or before the opening on Monday, 3 working days: due Thursday at the opening, not
  Wednesday at the close); time limits in hours keep the session's end;
- the clock starts at receipt when received inside a working session of a working day and
  not after the cut-off hour; otherwise at the opening of the next working session;
- a same-day procedure (``Duration(0, 0)``) is due at the close of the clock-start day;
- working time inside a pause (a supplement request) does not count; while a pause is open
  the due date cannot be known and ``due_at`` returns ``None``.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable, Literal, Sequence
from zoneinfo import ZoneInfo

import holidays as holidays_lib

__all__ = [
    "BUILTIN_DECISIONS",
    "CalendarRangeError",
    "DayDecision",
    "Duration",
    "FIRST_YEAR",
    "LAST_YEAR",
    "SpecialDay",
    "WorkCalendar",
    "WorkingHours",
    "parse_working_hours",
]

# The Vietnamese lunar calendar of the ``holidays`` package covers 1901–2100; outside it the
# package silently returns no holidays at all, so the calendar refuses those years.
FIRST_YEAR = 1901
LAST_YEAR = 2100

DAY_OFF = "day_off"
WORKING_DAY = "working_day"

CULTURE_DAY_NAME = "Ngày Văn hóa Việt Nam"

# Legal bases (Vietnamese citations: they are names of Vietnamese legal documents).
BASIS_LABOUR_CODE = "Bộ luật Lao động 2019 (45/2019/QH14), Điều 112 khoản 1"
BASIS_PM_DECIDES = (
    "Bộ luật Lao động 2019, Điều 112 khoản 1 và khoản 3 (Thủ tướng Chính phủ quyết định cụ thể ngày nghỉ)"
)
BASIS_COMPENSATORY = "Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù khi ngày lễ trùng ngày nghỉ hằng tuần)"
BASIS_CULTURE_DAY = "Nghị quyết 28/2026/QH16 của Quốc hội (hiệu lực 01/07/2026); Nghị quyết 80-NQ/TW của Bộ Chính trị"
# What is known of 24/11 as a day off, shown on the calendar page while it is not counted.
CULTURE_DAY_STATUS = (
    "Ngày 24/11 (Ngày Văn hóa Việt Nam) chưa được tính là ngày nghỉ. Nghị quyết 80-NQ/TW (01/2026) của "
    "Bộ Chính trị chủ trương đây là ngày nghỉ hưởng nguyên lương; Nghị quyết 30/NQ-CP (02/2026) của Chính "
    "phủ giao sửa khoản 1 Điều 112 Bộ luật Lao động. Một số nguồn thứ cấp dẫn Nghị quyết 28/2026/QH16 của "
    "Quốc hội (hiệu lực 01/07/2026) nhưng chưa đối chiếu được văn bản gốc. Khi văn bản có hiệu lực được xác "
    "nhận, quản trị viên bật XASO_CALENDAR_EXTRA_HOLIDAYS hoặc ghi nhận ngày nghỉ trong Quản trị."
)
CULTURE_DAY_FIRST_YEAR = 2026
BASIS_LIBRARY_SWAP = "Văn bản hoán đổi ngày làm việc của Chính phủ năm {year} (theo dữ liệu thư viện holidays)"
UNDECIDED_NOTE = "ngày nghỉ dự kiến theo quy tắc mặc định; chưa ghi nhận văn bản của năm {year}"

# The yearly decisions on Tết and National Day whose text or official summary was read,
# used as the basis of the library's days for that year.
YEAR_NOTICES: dict[int, str] = {
    # Tết Ất Tỵ (25/01–02/02/2025), the 30/4 swap (Friday 02/05 off, Saturday 26/04 worked)
    # and National Day (01–02/09): the Prime Minister's opinion (Công văn 8726/VPCP-KGVX,
    # 26/11/2024) announced by the labour ministry's notice for officials (the reference the
    # ``holidays`` package cites for its 2025 public-sector days).
    2025: "Công văn 8726/VPCP-KGVX (26/11/2024); Thông báo 6150/TB-BLĐTBXH (2024)",
    2026: "Công văn 9859/VPCP-KGVX (13/10/2025); Thông báo 9441/TB-BNV (2025)",
}

_NOTICE_2026_NEW_YEAR = "Công văn 12729/VPCP-KGVX (25/12/2025)"
_NOTICE_2026_SEP = "Thông báo 9441/TB-BNV (2025); Công văn 9859/VPCP-KGVX (13/10/2025)"


@dataclass(frozen=True)
class DayDecision:
    """A decision about one day overriding the statutory calendar."""

    date: date
    kind: Literal["day_off", "working_day"]
    name: str
    basis: str = ""

    def __post_init__(self):
        if self.kind not in (DAY_OFF, WORKING_DAY):
            raise ValueError(f"Unknown decision kind {self.kind!r}.")


# Government decisions missing from the ``holidays`` package (or whose basis it does not
# carry). Administrators' decisions override these.
BUILTIN_DECISIONS: tuple[DayDecision, ...] = (
    # New Year 2026: 4 days Thu 01/01–Sun 04/01; Friday 02/01 swapped with Saturday 10/01.
    DayDecision(date(2026, 1, 2), DAY_OFF, "Nghỉ Tết Dương lịch (hoán đổi với thứ Bảy 10/01/2026)", _NOTICE_2026_NEW_YEAR),
    DayDecision(date(2026, 1, 10), WORKING_DAY, "Làm bù cho thứ Sáu 02/01/2026", _NOTICE_2026_NEW_YEAR),
    # National Day 2026: Monday 31/08 swapped with Saturday 22/08.
    DayDecision(date(2026, 8, 31), DAY_OFF, "Nghỉ lễ Quốc khánh (hoán đổi với thứ Bảy 22/08/2026)", _NOTICE_2026_SEP),
    DayDecision(date(2026, 8, 22), WORKING_DAY, "Làm bù cho thứ Hai 31/08/2026", _NOTICE_2026_SEP),
)


@dataclass(frozen=True)
class SpecialDay:
    """A day that differs from the Monday–Friday rule: a non-working weekday or a working
    weekend day."""

    date: date
    working: bool
    reason: str
    basis: str


def _to_td(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


@dataclass(frozen=True)
class WorkingHours:
    """The working sessions of a working day, in local time, ordered and not overlapping."""

    sessions: tuple[tuple[time, time], ...] = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))

    def __post_init__(self):
        sessions = tuple((s, e) for s, e in self.sessions)
        if not sessions:
            raise ValueError("At least one working session is needed.")
        previous_end = None
        for start, end in sessions:
            if not (isinstance(start, time) and isinstance(end, time)):
                raise ValueError("Sessions are (time, time) pairs.")
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("Session times are local wall-clock times without a zone.")
            if start >= end:
                raise ValueError(f"A session must end after it starts ({start:%H:%M}-{end:%H:%M}).")
            if previous_end is not None and start < previous_end:
                raise ValueError("Sessions must be in order and must not overlap.")
            previous_end = end
        object.__setattr__(self, "sessions", sessions)

    @property
    def day_length(self) -> timedelta:
        return sum((_to_td(e) - _to_td(s) for s, e in self.sessions), timedelta())

    @property
    def opening(self) -> time:
        return self.sessions[0][0]

    @property
    def closing(self) -> time:
        return self.sessions[-1][1]

    def __str__(self):
        return ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.sessions)


def parse_working_hours(text: str) -> WorkingHours:
    """``"07:00-11:30,13:30-17:00"`` → ``WorkingHours``. Raises ValueError."""
    sessions = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            a, b = part.split("-")
            sessions.append((time.fromisoformat(a.strip()), time.fromisoformat(b.strip())))
        except ValueError as exc:
            raise ValueError(f"Bad working session {part!r}: expected HH:MM-HH:MM.") from exc
    return WorkingHours(tuple(sessions))


@dataclass(frozen=True)
class Duration:
    """A legal processing time: working days plus working hours. ``Duration(0, 0)`` is a
    same-day procedure; a half day is ``Duration(0, 4)`` (or ``Duration(0.5)``)."""

    days: float = 0
    hours: float = 0

    def __post_init__(self):
        for name in ("days", "hours"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"Duration.{name} must be a finite number.")
            if value < 0:
                raise ValueError(f"Duration.{name} must not be negative.")

    @property
    def same_day(self) -> bool:
        return self.days == 0 and self.hours == 0

    def working_time(self, day_length: timedelta) -> timedelta:
        return day_length * self.days + timedelta(hours=self.hours)


class CalendarRangeError(ValueError):
    """A date outside the years the calendar knows (1901–2100)."""


@dataclass
class _Year:
    off: dict[date, tuple[str, str]] = field(default_factory=dict)  # non-working weekdays
    extra: dict[date, tuple[str, str]] = field(default_factory=dict)  # working weekend days
    working: list[date] = field(default_factory=list)  # sorted working days
    working_set: frozenset = frozenset()


# ---------------------------------------------------------------- lunar month names
# The ``holidays`` package names the weekday before Giao thừa that replaces a Tết day falling on
# a Saturday "29 Tết". It is the 29th of the twelfth lunar month (tháng Chạp) only when that
# month has 30 days; in a 29-day month (Giao thừa is the 29th) it is the 28th. The month's
# length is the number of days between its new moon and Tết's, computed in Vietnam time
# (UTC+7) with the astronomical new-moon algorithm the Vietnamese lunar calendar is built on
# (Hồ Ngọc Đức's published algorithm; tested against Vietnamese lunar dates).

LIBRARY_CHAP_NAME = "29 Tết"


def _julian_day(d: date) -> int:
    return d.toordinal() + 1721425


def _new_moon_day(k: int, tz_hours: float = 7) -> int:
    """Julian day number (local, ``tz_hours`` east of UTC) of the k-th new moon after 1900-01-01."""
    rad = math.pi / 180
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * rad)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c = (0.1734 - 0.000393 * t) * math.sin(m * rad) + 0.0021 * math.sin(2 * rad * m)
    c += -0.4068 * math.sin(mpr * rad) + 0.0161 * math.sin(rad * 2 * mpr) - 0.0004 * math.sin(rad * 3 * mpr)
    c += 0.0104 * math.sin(rad * 2 * f) - 0.0051 * math.sin(rad * (m + mpr)) - 0.0074 * math.sin(rad * (m - mpr))
    c += 0.0004 * math.sin(rad * (2 * f + m)) - 0.0004 * math.sin(rad * (2 * f - m)) - 0.0006 * math.sin(rad * (2 * f + mpr))
    c += 0.0010 * math.sin(rad * (2 * f - mpr)) + 0.0005 * math.sin(rad * (2 * mpr + m))
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return math.floor(jd + c - delta_t + 0.5 + tz_hours / 24)


def twelfth_month_length(tet: date) -> int:
    """How many days the twelfth lunar month before Tết ``tet`` has (29 or 30), Vietnam time."""
    jd = _julian_day(tet)
    k = round((jd - 2415021.076998695) / 29.530588853)
    for candidate in (k, k - 1, k + 1):
        if _new_moon_day(candidate) == jd:
            return jd - _new_moon_day(candidate - 1)
    raise ValueError(f"{tet} is not the first day of a lunar month.")


def chap_day_name(day: date, tet: date) -> str:
    """"28 tháng Chạp" / "29 tháng Chạp": the lunar name of a day of the last week before Tết."""
    lunar_day = twelfth_month_length(tet) - (tet - day).days + 1
    return f"{lunar_day} tháng Chạp"


def _basis_for(name: str, year: int) -> str:
    notice = YEAR_NOTICES.get(year)
    if CULTURE_DAY_NAME in name:
        return BASIS_CULTURE_DAY
    if "(nghỉ bù)" in name:
        return BASIS_COMPENSATORY
    if name.startswith("Ngày nghỉ (thay cho"):
        return notice or BASIS_LIBRARY_SWAP.format(year=year)
    if "Tết Nguyên Đán" in name or name.endswith("tháng Chạp") or name.startswith("Quốc khánh"):
        # The Prime Minister picks the days (Điều 112 k3).
        if notice:
            return f"{BASIS_PM_DECIDES}; {notice}"
        return f"{BASIS_PM_DECIDES}; {UNDECIDED_NOTE.format(year=year)}"
    return BASIS_LABOUR_CODE


class WorkCalendar:
    """Working days and working time for the Vietnamese public administration.

    ``decisions`` (``DayDecision``) override the statutory calendar and ``BUILTIN_DECISIONS``.
    Instances are immutable after construction and safe to share between threads; per-year
    tables and due dates are memoised."""

    DUE_CACHE_SIZE = 20000

    def __init__(
        self,
        decisions: Iterable[DayDecision] = (),
        hours: WorkingHours = WorkingHours(),
        tz: str = "Asia/Ho_Chi_Minh",
        extra_holidays: bool = False,
        builtin_decisions: bool = True,
    ):
        self.hours = hours
        self.tz = ZoneInfo(tz)
        self.extra_holidays = bool(extra_holidays)
        merged: dict[date, DayDecision] = {}
        for decision in (BUILTIN_DECISIONS if builtin_decisions else ()) + tuple(decisions):
            if not (FIRST_YEAR <= decision.date.year <= LAST_YEAR):
                raise CalendarRangeError(f"Decision date {decision.date} outside {FIRST_YEAR}–{LAST_YEAR}.")
            merged[decision.date] = decision
        self.decisions: dict[date, DayDecision] = merged
        self._sessions = tuple((_to_td(s), _to_td(e)) for s, e in hours.sessions)
        self.day_length = hours.day_length
        self._years: dict[int, _Year] = {}
        self._due_cache: dict = {}

    # ------------------------------------------------------------------ days

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        if not (FIRST_YEAR <= year <= LAST_YEAR):
            raise CalendarRangeError(f"The calendar covers {FIRST_YEAR}–{LAST_YEAR}; {year} is outside.")
        lib = holidays_lib.country_holidays("VN", years=year, language="vi")
        result = _Year()
        tet = next((d for d, n in lib.items() if n == "Tết Nguyên Đán" and d.year == year), None)
        for day in sorted(lib.keys()):
            if day.year != year or day.weekday() >= 5:
                continue
            names = [n for n in lib.get_list(day) if self.extra_holidays or not n.startswith(CULTURE_DAY_NAME)]
            if tet is not None:
                names = [chap_day_name(day, tet) if n == LIBRARY_CHAP_NAME else n for n in names]
            if names:
                result.off[day] = ("; ".join(names), "; ".join(dict.fromkeys(_basis_for(n, year) for n in names)))
        for day in sorted(lib.weekend_workdays):
            if day.year == year and day.weekday() >= 5:
                result.extra[day] = ("Ngày làm việc bù", YEAR_NOTICES.get(year) or BASIS_LIBRARY_SWAP.format(year=year))
        for day, decision in sorted(self.decisions.items()):
            if day.year != year:
                continue
            basis = decision.basis
            if decision.kind == DAY_OFF:
                result.extra.pop(day, None)
                if day.weekday() < 5:
                    result.off[day] = (decision.name, basis)
            else:
                result.off.pop(day, None)
                if day.weekday() >= 5:
                    result.extra[day] = (decision.name, basis)
        current, last, step = date(year, 1, 1), date(year, 12, 31), timedelta(days=1)
        working = []
        while current <= last:
            if (current.weekday() < 5 and current not in result.off) or current in result.extra:
                working.append(current)
            current += step
        result.working = working
        result.working_set = frozenset(working)
        self._years[year] = result
        return result

    def is_working_day(self, d: date) -> bool:
        if isinstance(d, datetime):
            d = self._local(d).date()
        return d in self._year(d.year).working_set

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (``n`` ≥ 0; ``n == 0`` returns ``d``).
        There are exactly ``n`` working days in (d, result]."""
        if n < 0 or int(n) != n:
            raise ValueError("n must be a whole number ≥ 0.")
        n = int(n)
        if n == 0:
            return d
        year = d.year
        days = self._year(year).working
        i = bisect_right(days, d)
        while i + n - 1 >= len(days):
            n -= len(days) - i
            year += 1
            days = self._year(year).working
            i = 0
        return days[i + n - 1]

    def next_working_day(self, d: date, *, inclusive: bool = False) -> date:
        if inclusive and self.is_working_day(d):
            return d
        return self.add_working_days(d, 1)

    def working_days_in(self, start: date, end: date) -> int:
        """How many working days in (start, end]."""
        if end <= start:
            return 0
        total = 0
        for year in range(start.year, end.year + 1):
            days = self._year(year).working
            lo = bisect_right(days, start) if year == start.year else 0
            hi = bisect_right(days, end) if year == end.year else len(days)
            total += hi - lo
        return total

    def special_days(self, year: int) -> list[SpecialDay]:
        """Every non-working weekday and every working weekend day of ``year``."""
        table = self._year(year)
        days = [SpecialDay(d, False, name, basis) for d, (name, basis) in table.off.items()]
        days += [SpecialDay(d, True, name, basis) for d, (name, basis) in table.extra.items()]
        return sorted(days, key=lambda s: s.date)

    # ------------------------------------------------------------------ time

    def _local(self, moment: datetime) -> datetime:
        """Aware → naive local wall-clock time."""
        if not isinstance(moment, datetime):
            raise TypeError("A datetime is expected.")
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("Datetimes must be timezone-aware.")
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def _aware(self, naive: datetime) -> datetime:
        return naive.replace(tzinfo=self.tz)

    def _sessions_of(self, d: date) -> list[tuple[datetime, datetime]]:
        midnight = datetime(d.year, d.month, d.day)
        return [(midnight + s, midnight + e) for s, e in self._sessions]

    def _open(self, d: date) -> datetime:
        return datetime(d.year, d.month, d.day) + self._sessions[0][0]

    def _close(self, d: date) -> datetime:
        return datetime(d.year, d.month, d.day) + self._sessions[-1][1]

    def _clock_start_local(self, t: datetime, cutoff: time | None) -> datetime:
        d = t.date()
        if self.is_working_day(d) and (cutoff is None or t.time() <= cutoff):
            for start, end in self._sessions_of(d):
                if t < end:
                    return max(t, start)
        return self._open(self.add_working_days(d, 1))

    def clock_start(self, received_at: datetime, cutoff: time | None = None) -> datetime:
        """When the legal clock starts for something received at ``received_at``: at receipt
        if inside a working session of a working day and not after ``cutoff``; otherwise at
        the opening of the next working session (later that day, or the next working day)."""
        if cutoff is not None and cutoff.tzinfo is not None:
            raise ValueError("The cut-off is a local time without a zone.")
        return self._aware(self._clock_start_local(self._local(received_at), cutoff))

    def _normalise_pauses(self, pauses, after: datetime | None = None):
        """Sorted, merged local pause intervals; ``None`` as end = still open."""
        items = []
        for pause in pauses:
            start, end = pause
            s = self._local(start)
            e = None if end is None else self._local(end)
            if e is not None and e < s:
                raise ValueError("A pause ends before it starts.")
            if e is not None and (e == s or (after is not None and e <= after)):
                continue
            items.append((s, e))
        items.sort(key=lambda p: p[0])
        merged: list[list] = []
        for s, e in items:
            if merged and (merged[-1][1] is None or s <= merged[-1][1]):
                if merged[-1][1] is not None:
                    merged[-1][1] = None if e is None else max(merged[-1][1], e)
                continue
            merged.append([s, e])
        return [(s, e) for s, e in merged]

    @staticmethod
    def _free(a: datetime, b: datetime, pauses) -> tuple[list[tuple[datetime, datetime]], bool]:
        """[a, b) minus the pauses; second value: an open pause begins before ``b``."""
        segments, cur = [], a
        for ps, pe in pauses:
            if pe is not None and pe <= cur:
                continue
            if ps >= b:
                break
            if ps > cur:
                segments.append((cur, ps))
            if pe is None:
                return segments, True
            cur = max(cur, pe)
            if cur >= b:
                return segments, False
        if cur < b:
            segments.append((cur, b))
        return segments, False

    def _finish_in_day(self, d: date, remaining: timedelta, carry: bool = False) -> datetime:
        """``remaining`` (less than a working day) of working time from the opening of ``d``.
        ``carry``: a moment at the end of a session is the start of the next one."""
        for start, end in self._sessions_of(d):
            length = end - start
            if remaining < length or (remaining == length and not carry):
                return start + remaining
            remaining -= length
        raise AssertionError("remaining exceeds a working day")  # pragma: no cover

    def _advance(self, pos: datetime, remaining: timedelta, pauses, carry: bool = False) -> datetime | None:
        """The local moment at which ``remaining`` working time (outside pauses) has
        elapsed from ``pos``; ``None`` if an open pause comes first. ``carry``: when the time
        runs out exactly at a session's end, the moment given is the start of the next free
        working time instead (the same working time; a time limit in working days is counted
        from the day after receipt)."""
        if remaining <= timedelta(0):
            return pos
        d = pos.date()
        one_day = timedelta(days=1)
        while True:
            pending = [p for p in pauses if p[1] is None or p[1] > pos]
            if not pending and pos <= self._open(d):
                # Fast path: whole working days, then the rest inside the last day.
                first = self.next_working_day(d, inclusive=True)
                full, rest = divmod(remaining, self.day_length)
                if rest == timedelta(0):
                    if carry:
                        return self._open(self.add_working_days(first, full))
                    return self._close(self.add_working_days(first, full - 1))
                return self._finish_in_day(self.add_working_days(first, full), rest, carry)
            if self.is_working_day(d):
                for start, end in self._sessions_of(d):
                    a = max(start, pos)
                    if a >= end:
                        continue
                    segments, blocked = self._free(a, end, pending)
                    for x, y in segments:
                        if remaining < y - x or (remaining == y - x and not (carry and y == end)):
                            return x + remaining
                        remaining -= y - x
                        if remaining == timedelta(0):  # carried past the session's end
                            return self._next_free(y, pauses)
                    if blocked:
                        return None
            d += one_day
            pos = datetime(d.year, d.month, d.day)

    def _next_free(self, pos: datetime, pauses) -> datetime | None:
        """The first moment of working time at or after ``pos`` (local) outside the pauses,
        strictly after the stretch that ends at ``pos``; ``None`` if an open pause comes first."""
        d = pos.date()
        one_day = timedelta(days=1)
        while True:
            pending = [p for p in pauses if p[1] is None or p[1] > pos]
            if self.is_working_day(d):
                for start, end in self._sessions_of(d):
                    a = max(start, pos)
                    if a >= end:
                        continue
                    segments, blocked = self._free(a, end, pending)
                    for x, _y in segments:
                        return x
                    if blocked:
                        return None
            d += one_day
            pos = datetime(d.year, d.month, d.day)

    def due_at(
        self,
        received_at: datetime,
        duration: Duration,
        *,
        cutoff: time | None = None,
        pauses: Sequence[tuple[datetime, datetime | None]] = (),
    ) -> datetime | None:
        """The legal due moment, or ``None`` while an open pause (end ``None``) that began
        before the due moment keeps the clock stopped."""
        if not isinstance(duration, Duration):
            raise TypeError("duration must be a Duration.")
        pauses = tuple((p[0], p[1]) for p in pauses)
        key = (received_at, duration, cutoff, pauses)
        try:
            return self._due_cache[key]
        except KeyError:
            pass
        except TypeError:  # unhashable input
            key = None
        start = self._clock_start_local(self._local(received_at), cutoff)
        if duration.same_day:
            total = self._close(start.date()) - start - self._breaks_after(start)
        else:
            total = duration.working_time(self.day_length)
        # A time limit in working days is counted from the day after receipt: running out at
        # a session's end, it falls due at the start of the next session (same working time).
        carry = duration.days > 0
        result = self._advance(start, total, self._normalise_pauses(pauses, after=start), carry)
        due = None if result is None else self._aware(result)
        if key is not None:
            if len(self._due_cache) >= self.DUE_CACHE_SIZE:
                self._due_cache.clear()
            self._due_cache[key] = due
        return due

    def _breaks_after(self, t: datetime) -> timedelta:
        """Non-working time (breaks) between ``t`` and the close of its day."""
        sessions = self._sessions_of(t.date())
        gaps = timedelta(0)
        for (s1, e1), (s2, e2) in zip(sessions, sessions[1:]):
            gap_start, gap_end = max(e1, t), s2
            if gap_end > gap_start:
                gaps += gap_end - gap_start
        return gaps

    def working_time_between(self, start: datetime, end: datetime, pauses=()) -> timedelta:
        """Working time in [start, end) outside the pauses (an open pause runs to the
        end). Negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_time_between(end, start, pauses)
        a, b = self._local(start), self._local(end)
        norm = self._normalise_pauses(pauses, after=a)
        total = timedelta(0)
        d, last, one_day = a.date(), b.date(), timedelta(days=1)
        while d <= last:
            if self.is_working_day(d):
                inner = a.date() < d < last
                if inner and not any(
                    (pe is None or pe > self._open(d)) and ps < self._close(d) for ps, pe in norm
                ):
                    total += self.day_length
                else:
                    for s, e in self._sessions_of(d):
                        lo, hi = max(s, a), min(e, b)
                        if lo < hi:
                            segments, _ = self._free(lo, hi, norm)
                            total += sum((y - x for x, y in segments), timedelta(0))
            d += one_day
        return total

    def at_least_working_days_before(self, moment: datetime, deadline: datetime, days: float = 1) -> bool:
        """Whether ``moment`` is at least ``days`` working days (of working time) before
        ``deadline``: the test of a notice that must be given "at the latest one working day
        before the due date" (an apology and new date, vn-rules 1.6). Deadline Monday 09:00:
        Friday 09:00 is in time, Friday 09:01 or the weekend is not."""
        return self.working_time_between(moment, deadline) >= self.day_length * days

    def working_days_between(self, start: datetime, end: datetime) -> float:
        """Working time between two instants, in working days (day length = the sum of
        the working sessions)."""
        return self.working_time_between(start, end) / self.day_length

    def remaining_working_time(
        self,
        received_at: datetime,
        duration: Duration,
        at: datetime,
        *,
        cutoff: time | None = None,
        pauses: Sequence[tuple[datetime, datetime | None]] = (),
    ) -> timedelta:
        """Working time left at ``at`` before the due moment (negative once overdue). An
        open pause is counted as running up to ``at``, so while it lasts the remaining time
        stays frozen at what was left when it began."""
        closed = []
        for s, e in pauses:
            closed.append((s, e if e is not None else max(s, at)))
        due = self.due_at(received_at, duration, cutoff=cutoff, pauses=closed)
        if at <= due:
            return self.working_time_between(at, due, closed)
        return -self.working_time_between(due, at, closed)
