"""Reading a reform plan document into plain data (no Django).

Two inputs are understood:

* the plan document as the commune issues it, in Markdown: the decision, the plan text and
  the appendix table ("Phân công thực hiện các nhiệm vụ trọng tâm…"). The table's rows are
  tab-separated or pipe rows; the header row is repeated after every page break, a row that
  starts with a Roman numeral opens a reform area (I–VI), and a row whose first cell is empty
  continues the task above it (a task cut by a page break, e.g. tasks 15 and 56 of the
  Ngọc Liên plan);
* a table (CSV or XLSX, see :func:`rows_from_csv` / :func:`rows_from_xlsx`) in the same five
  columns, optionally preceded by metadata rows ("Tên kế hoạch", "Quyết định", "Giai đoạn").
  :func:`plan_to_rows` writes that table, so export → import is a round trip.

Errors are raised as :class:`PlanFormatError` with a code and the line/row number; the Django
layer turns them into Vietnamese messages.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

HEADER = ["TT", "Nội dung thực hiện", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
META_TITLE = "Tên kế hoạch"
META_DECISION = "Quyết định"
META_PERIOD = "Giai đoạn"

_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_ROMAN = re.compile(r"^(?=[IVXLC])M*(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})\.?$")
_NUMBER = re.compile(r"^(\d{1,3})\.?$")
_PERIOD = re.compile(r"giai đoạn\s*(\d{4})\s*[-–]\s*(\d{4})", re.IGNORECASE)
_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}")


class PlanFormatError(ValueError):
    """A plan file that cannot be read. ``code`` names the problem, ``line`` the line (Markdown)
    or row (table) where it was found."""

    def __init__(self, code: str, line: int | None = None, **params):
        self.code, self.line, self.params = code, line, params
        super().__init__(f"{code} (line {line}) {params}")


@dataclass
class ParsedArea:
    number: str  # Roman numeral as in the document: "I" … "VI"
    title: str
    order: int


@dataclass
class ParsedTask:
    number: int
    area: str
    text: str
    lead: str
    coordinating: str
    deadline: str
    line: int = 0


@dataclass
class ParsedPlan:
    title: str = ""
    decision: str = ""
    period_start: int | None = None
    period_end: int | None = None
    areas: list[ParsedArea] = field(default_factory=list)
    tasks: list[ParsedTask] = field(default_factory=list)


def clean_cell(value) -> str:
    if value is None:
        return ""
    text = _TAG.sub("", str(value)).replace("**", "").replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


def _join(a: str, b: str) -> str:
    if not a:
        return b
    if not b:
        return a
    return f"{a} {b}"


def _split_row(line: str) -> list[str] | None:
    """Cells of a table row, or None for a line that is not a table row."""
    if "\t" in line:
        return [clean_cell(c) for c in line.split("\t")]
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        if _SEPARATOR.match(stripped):
            return []
        inner = stripped[1:-1] if stripped.endswith("|") else stripped[1:]
        return [clean_cell(c) for c in inner.split("|")]
    return None


def parse_rows(rows, *, first_line: int = 1) -> ParsedPlan:
    """Build areas and tasks from table rows (lists of cell strings). Metadata rows, header
    rows and blank rows are accepted anywhere before or between the data rows."""
    plan = ParsedPlan()
    area: ParsedArea | None = None
    task: ParsedTask | None = None
    seen: set[int] = set()
    for offset, raw in enumerate(rows):
        line = first_line + offset
        cells = [clean_cell(c) for c in raw]
        if not any(cells):
            continue
        cells += [""] * (5 - len(cells))
        head = cells[0]
        if head in (META_TITLE, META_DECISION, META_PERIOD):
            value = cells[1]
            if head == META_TITLE:
                plan.title = value
            elif head == META_DECISION:
                plan.decision = value
            else:
                match = re.match(r"^\s*(\d{4})\s*[-–]\s*(\d{4})\s*$", value)
                if not match:
                    raise PlanFormatError("bad_period", line, value=value)
                plan.period_start, plan.period_end = int(match[1]), int(match[2])
            continue
        if head.upper() in ("TT", "STT"):
            continue  # the header, repeated after each page break
        if _ROMAN.match(head):
            number = head.rstrip(".")
            if any(a.number == number for a in plan.areas):
                raise PlanFormatError("duplicate_area", line, number=number)
            if not cells[1]:
                raise PlanFormatError("area_without_title", line, number=number)
            area = ParsedArea(number=number, title=cells[1], order=len(plan.areas) + 1)
            plan.areas.append(area)
            task = None
            continue
        match = _NUMBER.match(head)
        if match:
            number = int(match[1])
            if area is None:
                raise PlanFormatError("task_before_area", line, number=number)
            if number in seen:
                raise PlanFormatError("duplicate_task", line, number=number)
            if not cells[1]:
                raise PlanFormatError("task_without_text", line, number=number)
            seen.add(number)
            task = ParsedTask(number, area.number, cells[1], cells[2], cells[3], cells[4], line)
            plan.tasks.append(task)
            continue
        if head == "":
            if task is None:
                raise PlanFormatError("continuation_without_task", line)
            task.text = _join(task.text, cells[1])
            task.lead = _join(task.lead, cells[2])
            task.coordinating = _join(task.coordinating, cells[3])
            task.deadline = _join(task.deadline, cells[4])
            continue
        raise PlanFormatError("unreadable_row", line, cell=head[:60])
    return plan


def parse_markdown(text: str) -> ParsedPlan:
    """Parse the plan document (decision + plan + appendix table) given as Markdown."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = None
    for index, line in enumerate(lines):
        if re.match(r"^#+\s*(\*\*)?\s*ph[uụ] l[uụ]c", line.strip(), re.IGNORECASE):
            start = index + 1
            break
    if start is None:  # no appendix heading: the first table header row
        for index, line in enumerate(lines):
            cells = _split_row(line)
            if cells and cells[0].upper() in ("TT", "STT"):
                start = index
                break
    if start is None:
        raise PlanFormatError("no_table")
    table_rows: list[list[str]] = []
    first = None
    for index in range(start, len(lines)):
        cells = _split_row(lines[index])
        if cells is None:
            stripped = lines[index].strip()
            if not stripped or stripped.startswith("#") or first is None:
                continue
            raise PlanFormatError("unreadable_row", index + 1, cell=stripped[:60])
        if first is None:
            first = index
        # keep line numbers exact: pad skipped lines with blanks
        while len(table_rows) < index - first:
            table_rows.append([])
        table_rows.append(cells)
    plan = parse_rows(table_rows, first_line=(first or 0) + 1)
    if not plan.tasks:
        raise PlanFormatError("no_tasks")

    head_text = "\n".join(lines[: start or len(lines)])
    title = ""
    for index, line in enumerate(lines):
        if re.match(r"^#+\s*(\*\*)?\s*KẾ HOẠCH\s*(\*\*)?\s*$", line.strip()):
            for following in lines[index + 1 : index + 6]:
                candidate = clean_cell(following.lstrip("#"))
                if candidate:
                    title = candidate
                    break
            break
    if title and not title.lower().startswith("kế hoạch"):
        title = "Kế hoạch " + title[0].lower() + title[1:]
    if not title:
        match = re.search(r"Ban hành (Kế hoạch[^\n*]+)", head_text)
        title = clean_cell(match[1]) if match else ""
    plan.title = title
    match = re.search(r"Ban hành kèm theo (Quyết định số[^)\n]*)", head_text)
    if match:
        plan.decision = clean_cell(match[1].strip(" *"))
    else:
        match = re.search(r"Số:\s*([^\s*]*/QĐ-[^\s*]+)", head_text)
        plan.decision = f"Quyết định số {match[1]}" if match else ""
    match = _PERIOD.search(title) or _PERIOD.search(head_text)
    if match:
        plan.period_start, plan.period_end = int(match[1]), int(match[2])
    return plan


def rows_from_csv(data: bytes | str) -> list[list[str]]:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PlanFormatError("not_utf8") from exc
    sample = data[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    from xaso.core.spreadsheets import csv_unescape  # our own exports escape formula starts

    return [[csv_unescape(cell) for cell in row] for row in csv.reader(io.StringIO(data), dialect)]


def rows_from_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise PlanFormatError("not_xlsx") from exc
    sheet = workbook.worksheets[0]
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def parse_table(rows) -> ParsedPlan:
    plan = parse_rows(rows)
    if not plan.tasks:
        raise PlanFormatError("no_tasks")
    return plan


def plan_to_rows(plan: ParsedPlan) -> list[list[str]]:
    """The table form of a plan (metadata rows, header, a row per area and per task)."""
    rows = [
        [META_TITLE, plan.title, "", "", ""],
        [META_DECISION, plan.decision, "", "", ""],
        [META_PERIOD, f"{plan.period_start}-{plan.period_end}" if plan.period_start else "", "", "", ""],
        list(HEADER),
    ]
    for area in sorted(plan.areas, key=lambda a: a.order):
        rows.append([area.number, area.title, "", "", ""])
        for task in sorted((t for t in plan.tasks if t.area == area.number), key=lambda t: t.number):
            rows.append([f"{task.number}.", task.text, task.lead, task.coordinating, task.deadline])
    return rows


def parse_file(name: str, data: bytes) -> ParsedPlan:
    """Dispatch on the file name's extension (.md/.txt, .csv, .xlsx)."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return parse_table(rows_from_xlsx(data))
    if lower.endswith(".csv"):
        return parse_table(rows_from_csv(data))
    if lower.endswith((".md", ".markdown", ".txt")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PlanFormatError("not_utf8") from exc
        return parse_markdown(text)
    raise PlanFormatError("unknown_format", name=name)
