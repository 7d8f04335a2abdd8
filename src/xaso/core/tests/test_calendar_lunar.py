"""The lunar dates the calendar relies on (Tết, Hùng Kings' day) checked against an
independent implementation of the Vietnamese lunar calendar (Hồ Ngọc Đức's published
astronomical algorithm, UTC+7), written here from the algorithm's description, so that a
library switching to the Chinese (UTC+8) calendar would be caught."""
import math
from datetime import date

import holidays
import pytest

from xaso.core.calendar import WorkCalendar

PI = math.pi
DR = PI / 180


def jd_from_date(dd, mm, yy):
    a = (14 - mm) // 12
    y = yy + 4800 - a
    m = mm + 12 * a - 3
    jd = dd + (153 * m + 2) // 5 + 365 * y + y // 4 - y // 100 + y // 400 - 32045
    if jd < 2299161:
        jd = dd + (153 * m + 2) // 5 + 365 * y + y // 4 - 32083
    return jd


def jd_to_date(jd):
    if jd > 2299160:
        a = jd + 32044
        b = (4 * a + 3) // 146097
        c = a - (b * 146097) // 4
    else:
        b, c = 0, jd + 32082
    d = (4 * c + 3) // 1461
    e = c - (1461 * d) // 4
    m = (5 * e + 2) // 153
    day = e - (153 * m + 2) // 5 + 1
    month = m + 3 - 12 * (m // 10)
    year = b * 100 + d - 4800 + m // 10
    return date(year, month, day)


def new_moon(k):
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * DR)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * DR) + 0.0021 * math.sin(2 * DR * m)
    c1 = c1 - 0.4068 * math.sin(mpr * DR) + 0.0161 * math.sin(DR * 2 * mpr)
    c1 = c1 - 0.0004 * math.sin(DR * 3 * mpr)
    c1 = c1 + 0.0104 * math.sin(DR * 2 * f) - 0.0051 * math.sin(DR * (m + mpr))
    c1 = c1 - 0.0074 * math.sin(DR * (m - mpr)) + 0.0004 * math.sin(DR * (2 * f + m))
    c1 = c1 - 0.0004 * math.sin(DR * (2 * f - m)) - 0.0006 * math.sin(DR * (2 * f + mpr))
    c1 = c1 + 0.0010 * math.sin(DR * (2 * f - mpr)) + 0.0005 * math.sin(DR * (2 * mpr + m))
    if t < -11:
        deltat = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        deltat = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - deltat


def new_moon_day(k, tz):
    return math.floor(new_moon(k) + 0.5 + tz / 24)


def sun_longitude_sector(day_number, tz):
    jdn = day_number - 0.5 - tz / 24
    t = (jdn - 2451545.0) / 36525
    t2 = t * t
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(DR * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(DR * 2 * m) + 0.000290 * math.sin(DR * 3 * m)
    lon = (l0 + dl) * DR
    lon -= PI * 2 * math.floor(lon / (PI * 2))
    return math.floor(lon / PI * 6)


def lunar_month_11(yy, tz):
    off = jd_from_date(31, 12, yy) - 2415021
    k = math.floor(off / 29.530588853)
    nm = new_moon_day(k, tz)
    if sun_longitude_sector(nm, tz) >= 9:
        nm = new_moon_day(k - 1, tz)
    return nm


def leap_month_offset(a11, tz):
    k = math.floor((a11 - 2415021.076998695) / 29.530588853 + 0.5)
    i = 1
    arc = sun_longitude_sector(new_moon_day(k + i, tz), tz)
    while True:
        last = arc
        i += 1
        arc = sun_longitude_sector(new_moon_day(k + i, tz), tz)
        if not (arc != last and i < 14):
            break
    return i - 1


def lunar_to_solar(ld, lm, ly, tz=7):
    """A day of a non-leap lunar month → the Gregorian date (Vietnam, UTC+7)."""
    if lm < 11:
        a11, b11 = lunar_month_11(ly - 1, tz), lunar_month_11(ly, tz)
    else:
        a11, b11 = lunar_month_11(ly, tz), lunar_month_11(ly + 1, tz)
    k = math.floor(0.5 + (a11 - 2415021.076998695) / 29.530588853)
    off = lm - 11
    if off < 0:
        off += 12
    if b11 - a11 > 365 and off >= leap_month_offset(a11, tz):
        off += 1
    return jd_to_date(new_moon_day(k + off, tz) + ld - 1)


def test_oracle_known_dates():
    # Published Vietnamese dates, including years where Vietnam and China differ.
    assert lunar_to_solar(1, 1, 1985) == date(1985, 1, 21)
    assert lunar_to_solar(1, 1, 2007) == date(2007, 2, 17)
    assert lunar_to_solar(1, 1, 2026) == date(2026, 2, 17)
    assert lunar_to_solar(1, 1, 2027) == date(2027, 2, 6)  # Tết Đinh Mùi
    assert lunar_to_solar(1, 1, 2030) == date(2030, 2, 2)
    assert lunar_to_solar(10, 3, 2025) == date(2025, 4, 7)


@pytest.mark.parametrize("year", list(range(1985, 2061)))
def test_library_tet_and_hung_kings_match_vietnamese_lunar_calendar(year):
    lib = holidays.country_holidays("VN", years=year, language="vi")
    by_name = {}
    for day, name in lib.items():
        by_name.setdefault(name, []).append(day)
    assert by_name["Tết Nguyên Đán"] == [lunar_to_solar(1, 1, year)]
    if year >= 2007:  # Hùng Kings' day is a holiday since 2007
        assert by_name["Ngày Giỗ Tổ Hùng Vương"] == [lunar_to_solar(10, 3, year)]


def test_tet_2027_default_break():
    """Tết Đinh Mùi falls on Saturday 06/02/2027. The Prime Minister has not decided the
    2027 days yet; by default the five days (Giao thừa to mùng 4) are kept, the two falling
    on the weekend moved to the 29th and mùng 5: weekdays 04, 05, 08, 09, 10/02 are off."""
    cal = WorkCalendar()
    off = {s.date for s in cal.special_days(2027) if not s.working and s.date.month == 2}
    assert off == {date(2027, 2, d) for d in (4, 5, 8, 9, 10)}
    assert cal.is_working_day(date(2027, 2, 3)) and cal.is_working_day(date(2027, 2, 11))
    basis = {s.basis for s in cal.special_days(2027) if s.date == date(2027, 2, 8)}.pop()
    assert "Điều 112" in basis and "chưa ghi nhận văn bản của năm 2027" in basis
