"""Import and export of the catalogue file (CSV or XLSX, see docs/catalog.md).

All or nothing: the whole file is read and checked first; if any row has an error nothing
is written. Otherwise every row is applied in one transaction."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Procedure
from .parsing import (
    BASE_COLUMNS, CHANNEL_WORDS, EXTRA_COLUMNS, ONLINE_LEVEL_LABELS, ParseError, documents_cell_of, fee_cell_of, parse_row,
)
from . import services

MESSAGES = {
    "required": gettext_lazy("the value is required"),
    "bad_code": gettext_lazy("“%(value)s” is not a procedure code (expected e.g. 1.001193)"),
    "bad_days": gettext_lazy("“%(value)s” is not a number of days (a whole number, 0 = same day)"),
    "bad_fee": gettext_lazy("“%(value)s” is not a fee (expected an amount in VND such as 8000, 2000/trang or 0, optionally followed by a different online price: 20000/lần; trực tuyến 10000/lần)"),
    "bad_online_level": gettext_lazy("“%(value)s” is not an online level (toàn trình, một phần, không trực tuyến or empty)"),
    "bad_url": gettext_lazy("“%(value)s” is not a web address"),
    "bad_bool": gettext_lazy("“%(value)s” is not yes/no (1 or 0)"),
    "bad_choice": gettext_lazy("“%(value)s” is not one of: %(allowed)s"),
    "bad_cutoff": gettext_lazy("“%(value)s” is not an hour (HH:MM)"),
    "bad_number": gettext_lazy("“%(value)s” is not a whole number"),
    "bad_json": gettext_lazy("invalid content: %(detail)s"),
    "missing_column": gettext_lazy("the column is missing from the header"),
    "duplicate_code": gettext_lazy("code %(value)s also appears on row %(other)s"),
    "unreadable": gettext_lazy("the file cannot be read: %(detail)s"),
    "empty": gettext_lazy("the file has no data rows"),
    "invalid": gettext_lazy("%(detail)s"),
}


def error_text(error: ParseError) -> str:
    message = str(MESSAGES[error.code]) % error.params if error.params else str(MESSAGES[error.code])
    if error.column:
        return _("Row %(row)s, column %(column)s: %(message)s") % {"row": error.row, "column": error.column, "message": message}
    return _("Row %(row)s: %(message)s") % {"row": error.row, "message": message}


@dataclass
class RowResult:
    line: int
    code: str
    status: str  # created | new_version | updated | unchanged | error
    detail: str = ""


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    written: bool = False

    def count(self, status):
        return sum(1 for row in self.rows if row.status == status)

    @property
    def ok(self):
        return not self.errors


# --- reading ------------------------------------------------------------------------------

def _cell_text(column: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and column == "code":
        return f"{value:.6f}"  # a code typed as a number: 2.00072 → 2.000720
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime") and column == "cutoff":
        return value.strftime("%H:%M")
    return str(value)


def read_rows(path: str | Path) -> tuple[list[tuple[int, dict]], list[ParseError]]:
    """(line, row) pairs of a CSV or XLSX file; header errors as ParseErrors (row 1)."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            values = list(sheet.iter_rows(values_only=True))
            workbook.close()
            header = [str(v).strip() if v is not None else "" for v in (values[0] if values else [])]
            raw = values[1:]
        else:
            text = path.read_bytes().decode("utf-8-sig")
            reader = csv.reader(io.StringIO(text))
            all_rows = list(reader)
            header = [h.strip() for h in (all_rows[0] if all_rows else [])]
            raw = all_rows[1:]
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError, IndexError) as exc:
        return [], [ParseError(1, "", "unreadable", {"detail": str(exc)[:200]})]
    except Exception as exc:  # openpyxl raises assorted zip/XML errors on a broken file
        return [], [ParseError(1, "", "unreadable", {"detail": f"{type(exc).__name__}: {str(exc)[:200]}"})]
    missing = [column for column in BASE_COLUMNS if column not in header]
    if missing:
        return [], [ParseError(1, column, "missing_column") for column in missing]
    known = [c for c in header if c in BASE_COLUMNS or c in EXTRA_COLUMNS]
    rows = []
    for offset, values in enumerate(raw, start=2):
        values = list(values) + [None] * (len(header) - len(values))
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        rows.append((offset, {c: _cell_text(c, values[header.index(c)]) for c in known}))
    if not rows:
        return [], [ParseError(1, "", "empty")]
    return rows, []


# --- importing ----------------------------------------------------------------------------

def import_file(path, *, dry_run=False, actor=None, progress=None) -> ImportReport:
    """Check then apply a catalogue file. ``progress`` wraps an iterable (e.g. tqdm)."""
    progress = progress or (lambda iterable, **kwargs: iterable)
    report = ImportReport()
    rows, errors = read_rows(path)
    report.errors.extend(errors)
    parsed, seen = [], {}
    for line, row in progress(rows, desc=_("Checking"), unit=_("row")):
        content, row_errors = parse_row(row, line)
        report.errors.extend(row_errors)
        if content is None:
            report.rows.append(RowResult(line, row.get("code", ""), "error", "; ".join(error_text(e) for e in row_errors)))
            continue
        if content["code"] in seen:
            error = ParseError(line, "code", "duplicate_code", {"value": content["code"], "other": seen[content["code"]]})
            report.errors.append(error)
            report.rows.append(RowResult(line, content["code"], "error", error_text(error)))
            continue
        seen[content["code"]] = line
        parsed.append((line, content))
    if report.errors:
        return report

    now = timezone.now()
    try:
        with transaction.atomic():
            for line, content in progress(parsed, desc=_("Importing"), unit=_("row")):
                try:
                    report.rows.append(_apply(line, content, now, actor))
                except ValidationError as exc:
                    error = ParseError(line, "", "invalid", {"detail": " ".join(exc.messages)})
                    report.errors.append(error)
                    report.rows.append(RowResult(line, content["code"], "error", error_text(error)))
            if report.errors or dry_run:
                raise _Rollback
    except _Rollback:
        return report
    report.written = True
    return report


class _Rollback(Exception):
    pass


def _apply(line: int, content: dict, now, actor) -> RowResult:
    code = content["code"]
    changes = {k: v for k, v in content.items() if k in services.CONTENT_KEYS}
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        services.create_procedure(
            code, changes, valid_from=now, actor=actor, code_is_local=content.get("code_is_local", False),
            is_frequent=content.get("frequent", False), reason=_("Imported"),
        )
        return RowResult(line, code, "created")
    latest = procedure.latest_version()
    diff = services.differences(services.version_content(latest), {**services.version_content(latest), **changes})
    status = "unchanged"
    if diff:
        services.publish_new_version(procedure, changes, valid_from=max(now, latest.valid_from + _MICRO), actor=actor,
                                     reason=_("Imported"))
        status = "new_version"
    if "frequent" in content and content["frequent"] != procedure.is_frequent:
        services.set_frequent(procedure, content["frequent"])
        status = "updated" if status == "unchanged" else status
    return RowResult(line, code, status, ", ".join(sorted(diff)))


import datetime as _dt  # noqa: E402

_MICRO = _dt.timedelta(microseconds=1)


# --- exporting ----------------------------------------------------------------------------

def export_rows():
    """One dict per procedure's current version, in the columns of the export."""
    procedures = Procedure.objects.order_by("code")
    for procedure in procedures:
        version = procedure.current_version()
        if version is None:
            continue
        content = services.version_content(version)
        if content["channels_known"]:
            channels = ", ".join(label for key, label in CHANNEL_WORDS.items() if content[f"channel_{key}"]) or "không có"
        else:
            channels = ""
        amount = content["processing_amount"]
        yield {
            "code": procedure.code,
            "name_vi": content["name"],
            "field_vi": content["field"],
            "processing_days": "" if amount is None or content["processing_unit"] == "hours" else amount,
            "processing_note": content["processing_note"],
            "fee_vnd": fee_cell_of(content["fees"]),
            "fee_note": content["fee_note"],
            "online_level": ONLINE_LEVEL_LABELS[content["online_level"]] or "chưa xác định",
            "legal_basis": content["legal_basis"],
            "required_documents": documents_cell_of(content["documents"]),
            "source_url": content["source_url"],
            "code_is_local": int(procedure.code_is_local),
            "frequent": int(procedure.is_frequent),
            "level": content["level"],
            "authority": content["authority"],
            "competent_department": content["competent_department"],
            "result": content["result"],
            "processing_amount": "" if amount is None else amount,
            "processing_unit": content["processing_unit"],
            "cutoff": content["cutoff"],
            "channels": channels,
            "green_lane": int(content["green_lane"]),
            "supplement_mode": content["supplement_mode"],
            "supplement_max": content["supplement_max"],
            "needs_verification": int(content["needs_verification"]),
            "process_is_default": int(content["process_is_default"]),
            "documents_json": json.dumps(content["documents"], ensure_ascii=False),
            "fees_json": json.dumps(content["fees"], ensure_ascii=False),
            "steps_json": json.dumps(content["steps"], ensure_ascii=False),
            "fee_timing": content["fee_timing"],
            "online_payment": int(content["online_payment"]),
        }


def export_file(path, progress=None) -> int:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from xaso.core.spreadsheets import append_row

    progress = progress or (lambda iterable, **kwargs: iterable)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "thu-tuc"
    columns = BASE_COLUMNS + EXTRA_COLUMNS
    append_row(sheet, columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    total = Procedure.objects.count()
    for row in progress(export_rows(), desc=_("Exporting"), unit=_("row"), total=total):
        append_row(sheet, [row[c] for c in columns])  # text stays text, never a formula
        count += 1
    sheet.freeze_panes = "C2"
    workbook.save(path)
    return count
