"""Turning a task's deadline text ("Thời gian hoàn thành") into milestones (no Django).

Vietnamese plans write deadlines in a handful of forms; each becomes a :class:`MilestoneSpec`:

========================================  ==========  =========================================
Text (examples from the Ngọc Liên plan)   Kind        Meaning
========================================  ==========  =========================================
"Thường xuyên"                            continuous  reported every period
"Hằng năm", "Hàng năm", "định kỳ hằng     yearly      due each year (31/12 unless a month or a
năm", "Quý I hàng năm", "Tháng 12 hàng                quarter is named)
năm"
"Quý I/2026", "Năm 2026",                 once        a single due date (end of the quarter,
"chậm nhất tháng 01/2026"                             year or month)
"Từ năm 2026", "Bắt đầu từ Quý I/2026"    from        starts then, reported every period after
"Theo Kế hoạch số … của UBND tỉnh",       external    the date is set later by a person
"Theo hướng dẫn của Sở Nội vụ",
"Sau khi có văn bản của Tỉnh", "Ngay sau
cuộc kiểm tra"
anything else                             unparsed    kept verbatim, a person sets the date
========================================  ==========  =========================================

A text of several parts ("- Kế hoạch: hàng năm. - BC kết quả thực hiện: theo quy định…")
gives one milestone per part, labelled with the part's label. Nothing is dropped: every
part keeps its own source text, and kinds ``external``/``unparsed`` are flagged
(``needs_date``) for a person to set.
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

CONTINUOUS = "continuous"
YEARLY = "yearly"
ONCE = "once"
FROM = "from"
EXTERNAL = "external"
UNPARSED = "unparsed"
KINDS = (CONTINUOUS, YEARLY, ONCE, FROM, EXTERNAL, UNPARSED)

_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class MilestoneSpec:
    label: str
    kind: str
    text: str
    due: date | None = None  # once: the due date
    start: date | None = None  # from: the first day
    month: int | None = None  # yearly: month of the due date (day = last of month)
    needs_date: bool = False


def fold(text: str) -> str:
    """Lower-case, no diacritics, single spaces: for matching Vietnamese phrases written
    with either accent placement ("hóa"/"hoá") or either spelling ("hằng"/"hàng")."""
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", text.lower()).strip()


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_end(year: int, quarter: int) -> date:
    return month_end(year, quarter * 3)


def quarter_start(year: int, quarter: int) -> date:
    return date(year, quarter * 3 - 2, 1)


# "- A. - B": a dash opening the text or following a full stop (not "Văn hóa - Xã hội")
_SPLIT_DASH = re.compile(r"^\s*-\s+|(?<=\.)\s*-\s+")
# a new sentence that begins a "Label: …" part ("… Thường xuyên. Báo cáo kết quả khảo sát: …")
_SPLIT_LABEL = re.compile(r"\.\s+(?=[^\W\d_][^.:]{0,45}:)")


def split_parts(text: str) -> list[str]:
    parts = []
    for chunk in _SPLIT_DASH.split(text.strip()):
        for piece in _SPLIT_LABEL.split(chunk):
            piece = piece.strip().strip("-").strip()
            if piece:
                parts.append(piece)
    return parts


def _classify(body: str) -> dict:
    f = fold(body).rstrip(" .;")
    if m := re.search(r"bat dau tu quy (iv|iii|ii|i)\s*/\s*(\d{4})", f):
        return {"kind": FROM, "start": quarter_start(int(m[2]), _QUARTERS[m[1]])}
    if m := re.search(r"(?:^|\s)tu nam (\d{4})", f):
        return {"kind": FROM, "start": date(int(m[1]), 1, 1)}
    if m := re.search(r"(?:cham nhat |truoc )?thang (\d{1,2})\s*/\s*(\d{4})", f):
        month, year = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return {"kind": ONCE, "due": month_end(year, month)}
    if m := re.fullmatch(r"quy (iv|iii|ii|i)\s*/\s*(\d{4})", f):
        return {"kind": ONCE, "due": quarter_end(int(m[2]), _QUARTERS[m[1]])}
    if m := re.fullmatch(r"(?:trong )?nam (\d{4})", f):
        return {"kind": ONCE, "due": date(int(m[1]), 12, 31)}
    if m := re.search(r"quy (iv|iii|ii|i) hang nam", f):
        return {"kind": YEARLY, "month": _QUARTERS[m[1]] * 3}
    if m := re.search(r"thang (\d{1,2}) hang nam", f):
        if 1 <= int(m[1]) <= 12:
            return {"kind": YEARLY, "month": int(m[1])}
    if re.search(r"thuong xuyen", f):
        return {"kind": CONTINUOUS}
    if re.search(r"hang nam", f):
        return {"kind": YEARLY, "month": 12}
    if re.match(r"(theo|sau khi|ngay sau|khi co)\b", f):
        return {"kind": EXTERNAL, "needs_date": True}
    return {"kind": UNPARSED, "needs_date": True}


def parse_deadline(text: str) -> list[MilestoneSpec]:
    """Milestones of one deadline text; an empty text gives one ``unparsed`` milestone."""
    text = (text or "").strip()
    parts = split_parts(text)
    if not parts:
        return [MilestoneSpec(label="", kind=UNPARSED, text=text, needs_date=True)]
    specs = []
    for part in parts:
        label, body = "", part
        if ":" in part:
            head, tail = part.split(":", 1)
            if 0 < len(head) <= 45 and not re.search(r"\d", head) and tail.strip():
                label, body = head.strip(), tail.strip()
        specs.append(MilestoneSpec(label=label, text=part, **_classify(body)))
    return specs


def occurrences(spec_kind: str, *, due: date | None, month: int | None, first_year: int, last_year: int) -> list[date]:
    """Due dates of a milestone within the plan years (for overdue lists and reminders).
    Continuous and "from" milestones have no due date: they are reported every period."""
    if spec_kind in (ONCE, EXTERNAL, UNPARSED):
        return [due] if due else []
    if spec_kind == YEARLY:
        return [month_end(y, month or 12) for y in range(first_year, last_year + 1)]
    return []
