"""Spreadsheets written safely: what people typed is always text, never a formula.

An applicant named ``=HYPERLINK("http://…","Bấm vào đây")`` became a live formula in the
tracking book. ``append_row`` writes every string cell as a string (``t="inlineStr"``:
Excel and LibreOffice show it as typed and never evaluate it), with the characters XLSX
cannot hold removed; numbers and dates keep their type. Every XLSX export goes through it.
``csv_row`` does the same for CSV, where a cell cannot be typed: a text starting with
``= + - @`` (or a tab or carriage return) gets a leading apostrophe, as OWASP advises;
``csv_unescape`` takes it off again when the product reads its own CSV back (a plan exported
then imported is unchanged). Pure Python, no Django.
"""
from __future__ import annotations

from .text import xml_safe

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def cell_value(value):
    return xml_safe(value) if isinstance(value, str) else value


def append_row(sheet, values) -> None:
    """``sheet.append(values)`` with every string cell written as text."""
    values = [cell_value(v) for v in values]
    sheet.append(values)
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str) and value:
            sheet.cell(row=row, column=column).data_type = "s"


def csv_row(values) -> list:
    """A CSV row where no text can be read as a formula."""
    out = []
    for value in values:
        if isinstance(value, str):
            value = xml_safe(value)
            if value.startswith(FORMULA_STARTS):
                value = "'" + value
        out.append(value)
    return out


def csv_unescape(value: str) -> str:
    """The cell as it was before ``csv_row``: an apostrophe it added before a formula
    character is removed."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
