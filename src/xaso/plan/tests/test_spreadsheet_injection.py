"""Report texts written by units reach the annex and the plan export as text, never as a
formula (``xaso.core.spreadsheets``)."""
import io
import zipfile

import pytest

from xaso.plan import reports, services
from xaso.plan.models import Task

from .factories import unit
from .test_documents import filled  # noqa: F401

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/","Bấm vào đây")'


def _formulas(xlsx: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_the_annex_and_the_export_write_report_text_as_text(filled, commune, settings):  # noqa: F811
    from xaso.core.models import User

    plan, q1 = filled
    kt = User.objects.get(username="kt_head")
    report = services.open_report(Task.objects.get(plan=plan, number=44), q1, unit(commune, "kt"), kt)
    services.save_report(report, kt, status="in_progress", progress=50, done=FORMULA, difficulties="-1+1", submit=True)
    annex = reports.build_annex(q1)
    assert not _formulas(annex)
    from openpyxl import load_workbook

    cells = {c.value: c.data_type for row in load_workbook(io.BytesIO(annex)).active.iter_rows() for c in row}
    assert cells[FORMULA] == "s" and cells["-1+1"] == "s"
