"""Issued forms: PDF (text extracted with pdftotext), DOCX and the XLSX tracking book."""
import io
import subprocess
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from xaso.dossiers import documents, services
from xaso.dossiers.models import IssuedDocument

from .conftest import at, result_pdf

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return " ".join(" ".join(parts).split())


def test_receipt_pdf_and_docx_fields(world, make_intake):
    d = make_intake(now=at(2026, 3, 2, 9, 5))
    doc = IssuedDocument.objects.get(dossier=d, kind="receipt")
    text = pdf_text(documents.render_pdf(doc))
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Mã hồ sơ: 000.01.22.H56-260302-0001",
        "Nguyễn Văn An",
        "038095000123",
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
        "3 ngày làm việc",
        "09 giờ 05 phút, ngày 02 tháng 03 năm 2026",
        "09 giờ 05 phút, ngày 05 tháng 03 năm 2026",
        "Số: 1/TNHS",
        "Ngọc Liên, ngày 02 tháng 03 năm 2026",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        d.lookup_secret,
    ]:
        assert expected in text, expected
    text = docx_text(documents.render_docx(doc))
    for expected in ["GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", d.code, "1. Tờ khai đăng ký khai sinh", "2. Giấy chứng sinh", "05 tháng 03 năm 2026"]:
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text


def test_fonts_are_embedded(world, make_intake):
    d = make_intake()
    data = documents.render_pdf(IssuedDocument.objects.get(dossier=d, kind="receipt"))
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True).stdout.decode()
    assert "Liberation-Serif" in fonts or "LiberationSerif" in fonts
    for line in fonts.splitlines()[2:]:
        assert " yes " in line  # embedded


def test_supplement_apology_stop_control(world, make_intake):
    d = make_intake(now=at(2026, 3, 2, 9))
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 10))
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 11))
    d = services.request_supplement(d, world.specialist, items=["Giấy xác nhận cư trú"], reason="Thiếu giấy tờ", now=at(2026, 3, 3, 9))
    text = pdf_text(documents.render_pdf(d.documents.get(kind="supplement")))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text and "1. Giấy xác nhận cư trú" in text and "Lý do: Thiếu giấy tờ" in text
    d = services.supplement_received(d, world.reception, now=at(2026, 3, 5, 9))
    services.apologise(d, world.head, reason="Chờ xác minh", new_due_at=at(2026, 3, 16, 17), now=at(2026, 3, 6, 9))
    text = pdf_text(documents.render_pdf(d.documents.get(kind="apology")))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "17 giờ 00 phút, ngày 16 tháng 03 năm 2026" in text and "Chờ xác minh" in text and d.code in text
    assert "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in text and "Truongphong" in text
    assert "Chờ xác minh" in docx_text(documents.render_docx(d.documents.get(kind="apology")))
    ctl = documents.control_sheet(d, world.reception)
    text = pdf_text(documents.render_pdf(ctl))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and "Phòng Văn hóa - Xã hội" in text
    dt = docx_text(documents.render_docx(ctl))
    assert "Chuyenvien" in dt and "{%" not in dt
    d = services.stop(d, world.reception, reasons="Công dân rút hồ sơ", now=at(2026, 3, 9, 9))
    text = pdf_text(documents.render_pdf(d.documents.get(kind="stop")))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "Công dân rút hồ sơ" in text


def test_refusal_pdf(world):
    from .conftest import applicant, components

    d = services.submit_online(user=world.citizen, terms=world.terms, applicant=applicant(), components=components(), receiving_unit=world.centre, now=at(2026, 3, 6, 9))
    d = services.refuse_reception(d, world.reception, reasons="Không thuộc thẩm quyền giải quyết", now=at(2026, 3, 6, 10))
    text = pdf_text(documents.render_pdf(d.documents.get(kind="refusal")))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text and "Không thuộc thẩm quyền giải quyết" in text and "Số: 1/PTC" in text


def test_document_numbers_per_kind(world, make_intake):
    a = make_intake(now=at(2026, 3, 2, 9))
    b = make_intake(now=at(2026, 3, 2, 10))
    assert [a.documents.get(kind="receipt").number, b.documents.get(kind="receipt").number] == [1, 2]


def test_template_override(world, make_intake, settings, tmp_path):
    (tmp_path / "receipt.html").write_text("<html><body>Mẫu riêng {{ code }}</body></html>", encoding="utf-8")
    settings.XASO_DOSSIER_FORMS_DIR = str(tmp_path)
    d = make_intake()
    assert "Mẫu riêng " + d.code in pdf_text(documents.render_pdf(d.documents.get(kind="receipt")))


def test_tracking_book(world, make_intake):
    d1 = make_intake(now=at(2026, 3, 2, 9))
    make_intake(now=at(2026, 3, 10, 9))
    data = documents.tracking_book(world.commune, date(2026, 3, 1), date(2026, 3, 5))
    ws = load_workbook(io.BytesIO(data)).active
    values = [tuple(row) for row in ws.iter_rows(values_only=True)]
    assert values[1][0] == "SỔ THEO DÕI HỒ SƠ"
    assert values[4][:6] == ("STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Tên tổ chức, cá nhân", "Địa chỉ, số điện thoại", "Cơ quan chủ trì giải quyết")
    body = values[6:]
    assert len(body) == 1 and body[0][1] == d1.code and body[0][7] == "09:00 05/03/2026"


def test_word_forms_keep_xml_special_characters(world, make_intake):
    """An organisation named "Công ty A & B <C>" stays text in the Word form (the values are
    escaped into the document's XML, which would otherwise be broken)."""
    from .conftest import applicant

    d = make_intake(applicant=applicant(name="Công ty A & B <C>"))
    text = docx_text(documents.render_docx(d.documents.get(kind="receipt")))
    assert "Công ty A & B <C>" in text
    assert "Công ty A & B <C>" in pdf_text(documents.render_pdf(d.documents.get(kind="receipt")))


def test_pasted_control_characters_and_decomposed_vietnamese(world, make_intake):
    """A name pasted with control characters or typed decomposed (NFD) is stored clean; text
    stored before that (or from elsewhere) still prints: the tracking book and the Word form
    drop what XML cannot hold instead of failing for the whole period."""
    import unicodedata

    from xaso.dossiers.models import Dossier

    from .conftest import applicant

    d = make_intake(applicant=applicant(name=unicodedata.normalize("NFD", "Nguyễn\x0bVăn\tAn "), address="Thôn 1\r\nxã Ngọc Liên"))
    assert (d.applicant_name, d.applicant_address) == ("Nguyễn Văn An", "Thôn 1 xã Ngọc Liên")
    Dossier.objects.filter(pk=d.pk).update(applicant_name="Lê\x0bThị\x1fBình")  # stored before the cleaning
    d.refresh_from_db()
    book = load_workbook(io.BytesIO(documents.tracking_book(world.commune, date(2026, 3, 1), date(2026, 3, 5))))
    assert [r[3] for r in book.active.iter_rows(min_row=7, values_only=True)] == ["LêThịBình"]
    assert "LêThịBình" in docx_text(documents.render_docx(d.documents.get(kind="receipt")))


def test_supplement_items_with_control_characters_print(world, make_intake):
    d = make_intake()
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 10))
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 11))
    d = services.request_supplement(d, world.specialist, items=["Giấy\x0bchứng sinh"], reason="Mờ\x1f", now=at(2026, 3, 2, 14))
    doc = d.documents.get(kind="supplement")
    assert "Giấychứng sinh" in docx_text(documents.render_docx(doc))
