import io

import pytest
from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook

from xaso.indicators import services as indicator_services
from xaso.indicators.models import Target
from xaso.plan import reports, services, workflow
from xaso.plan.models import ProgressReport, ReportTemplate, Task
from xaso.plan.tests.factories import import_seed, official, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(commune):
    plan = import_seed(commune).plan
    indicator_services.load_targets(plan)
    kt = official("kt_head", commune, "kt", "unit_head", "head")
    office = official("vhxh", commune, "vhxh", "standing_office", "head")
    official("chair", commune, None, "leader", "chairman").__class__.objects.filter(username="chair").update(full_name="Phan Thị Hà")
    q1 = plan.periods.get(kind="quarter", year=2026, number=1)
    report = services.open_report(Task.objects.get(plan=plan, number=43), q1, unit(commune, "kt"), kt)
    services.save_report(report, kt, status="done", progress=100, done="Đã bố trí 120 triệu đồng kinh phí CCHC", difficulties="Nguồn thu còn hạn chế", submit=True)
    services.review_report(report, office, workflow.ACCEPT)
    revenue = Target.objects.get(plan=plan, code="budget-revenue-growth")
    indicator_services.report_value(revenue, q1, kt, "8.5", "Số liệu Kho bạc")
    return plan, q1


def docx_text(data):
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return document, "\n".join(parts)


def test_quarterly_report_is_a_valid_docx(filled):
    plan, q1 = filled
    document, text = docx_text(reports.build_docx(q1))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "ỦY BAN NHÂN DÂN" in text and "XÃ NGỌC LIÊN" in text
    assert "/BC-UBND" in text and "Ngọc Liên, ngày" in text
    assert "Kết quả thực hiện công tác cải cách hành chính quý I năm 2026" in text
    for area in plan.areas.all():
        assert area.title.upper() in text
    assert "Nhiệm vụ 43 (Phòng Kinh tế): hoàn thành, 100%. Đã bố trí 120 triệu đồng kinh phí CCHC." in text
    assert "Nguồn thu còn hạn chế" in text
    # the reported target with its value and assessment; a measured one with no data
    assert "Tốc độ tăng thu ngân sách bình quân hằng năm" in text and "8,5 %" not in text
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in document.tables[1].rows}
    assert rows["Tốc độ tăng thu ngân sách bình quân hằng năm"][2:] == ["≥ 7%", "8,5%", "Đạt"]
    assert rows["Hồ sơ TTHC được giải quyết trước và đúng hạn"][2:] == ["> 98%", "chưa có số liệu", "Chưa đánh giá"]
    assert "Nơi nhận:" in text and "TM. ỦY BAN NHÂN DÂN" in text and "CHỦ TỊCH" in text and "Phan Thị Hà" in text
    fonts = {r.font.name for p in document.paragraphs for r in p.runs if r.font.name}
    assert fonts == {"Times New Roman"}
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_annex_lists_every_task(filled):
    plan, q1 = filled
    workbook = load_workbook(io.BytesIO(reports.build_annex(q1)))
    sheet = workbook.active
    numbers = [row[0] for row in sheet.iter_rows(min_row=4, values_only=True) if isinstance(row[0], int)]
    assert sorted(set(numbers)) == list(range(1, 63))
    row43 = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == 43)
    assert row43[6] == "hoàn thành" and row43[7] == 100


def test_uploaded_template_replaces_the_bundled_one(filled, tmp_path, settings):
    from django.core.files.base import ContentFile
    from docx import Document as NewDocument

    plan, q1 = filled
    custom = NewDocument()
    custom.add_paragraph("MẪU RIÊNG {{ subject }}")
    buffer = io.BytesIO()
    custom.save(buffer)
    settings.MEDIA_ROOT = tmp_path
    ReportTemplate.objects.create(name="Mẫu xã", file=ContentFile(buffer.getvalue(), name="mau.docx"), is_active=True)
    _, text = docx_text(reports.build_docx(q1))
    assert text.strip() == "MẪU RIÊNG Kết quả thực hiện công tác cải cách hành chính quý I năm 2026"


def test_report_command(filled, tmp_path):
    plan, q1 = filled
    call_command("plan", "report", "2026-Q1", "--plan", str(plan.pk), "--out", str(tmp_path))
    assert (tmp_path / "bao-cao-cchc-2026-Q1.docx").stat().st_size > 5000
    assert (tmp_path / "phu-luc-cchc-2026-Q1.xlsx").exists()


def test_vn_date():
    from datetime import date

    assert reports.vn_date("Ngọc Liên", date(2026, 2, 5)) == "Ngọc Liên, ngày 05 tháng 02 năm 2026"
    assert reports.vn_date("Ngọc Liên", date(2026, 11, 28)) == "Ngọc Liên, ngày 28 tháng 11 năm 2026"
