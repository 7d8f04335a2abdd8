"""Builds the bundled DOCX template ``bao-cao-cchc.docx`` (docxtpl/Jinja tags inside a Word
document) in the layout of Decree 30/2020/NĐ-CP, Appendix I (thể thức văn bản hành chính):
A4, margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman; the header table with
the issuing body (left) and the national title and motto (right), number and symbol, place
and date; the document kind and subject; the body; "Nơi nhận" and the signature block.

Run ``python -m xaso.plan.report_templates.build`` after changing this file. An administrator
replaces the template by uploading another DOCX (admin → Report templates) or with the setting
``XASO_PLAN_REPORT_TEMPLATE`` (a path); the tags available are listed in docs/plan.md.
"""
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "bao-cao-cchc.docx"
FONT = "Times New Roman"


def _font(run, size=14, bold=False, italic=False):
    run.font.name = FONT
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    return run


def _para(container, text="", *, size=14, bold=False, italic=False, align=None, indent=False, space_after=6):
    p = container.add_paragraph()
    if text:
        _font(p.add_run(text), size, bold, italic)
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Cm(1.0)
    p.paragraph_format.space_after = Pt(space_after)
    return p


def _cell_para(cell, text, **kw):
    p = cell.paragraphs[0] if not cell.paragraphs[0].text and len(cell.paragraphs) == 1 and not getattr(cell, "_used", False) else cell.add_paragraph()
    cell._used = True
    if text:
        _font(p.add_run(text), kw.get("size", 13), kw.get("bold", False), kw.get("italic", False))
    p.alignment = kw.get("align", WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.space_after = Pt(0)
    return p


def build(path: Path = TEMPLATE) -> Path:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.font.size = Pt(14)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)

    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(10)
    _cell_para(left, "{{ issuer_parent }}", size=13, bold=True)
    _cell_para(left, "{{ issuer }}", size=13, bold=True)
    _cell_para(left, "_______", size=13)
    _cell_para(left, "Số: {{ number_symbol }}", size=13)
    _cell_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True)
    _cell_para(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True)
    _cell_para(right, "_______________________", size=13)
    _cell_para(right, "{{ place_date }}", size=14, italic=True)

    _para(doc, "", space_after=0)
    _para(doc, "BÁO CÁO", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _para(doc, "{{ subject }}", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _para(doc, "_______________", size=14, align=WD_ALIGN_PARAGRAPH.CENTER)

    _para(doc, "{{ intro }}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, "I. KẾT QUẢ THỰC HIỆN", bold=True)
    _para(doc, "{{ overall }}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, "{%p for area in areas %}")
    _para(doc, "{{ area.index }}. {{ area.title }}", bold=True, indent=True)
    _para(doc, "{{ area.summary }}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, "{%p for task in area.tasks %}")
    _para(doc, "- Nhiệm vụ {{ task.number }} ({{ task.units }}): {{ task.status }}, {{ task.progress }}. {{ task.done }}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, "{%p endfor %}")
    _para(doc, "{%p endfor %}")

    _para(doc, "II. CÁC CHỈ TIÊU", bold=True)
    # docxtpl table loop: a row holding only "{%tr for %}", the repeated row, a row with "{%tr endfor %}"
    table = doc.add_table(rows=4, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["Chỉ tiêu", "Nguồn", "Ngưỡng {{ year }}", "Kết quả", "Đánh giá"]):
        _cell_para(cell, text, size=12, bold=True)
    _cell_para(table.rows[1].cells[0], "{%tr for t in targets %}", size=12)
    row = table.rows[2].cells
    _cell_para(row[0], "{{ t.name }}", size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(row[1], "{{ t.source }}", size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(row[2], "{{ t.threshold }}", size=12)
    _cell_para(row[3], "{{ t.value }}", size=12)
    _cell_para(row[4], "{{ t.met }}", size=12)
    _cell_para(table.rows[3].cells[0], "{%tr endfor %}", size=12)

    _para(doc, "", space_after=0)
    _para(doc, "III. GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TRONG KỲ", bold=True)
    _para(doc, "{%p for line in dossiers %}")
    _para(doc, "- {{ line }}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, "{%p endfor %}")
    _para(doc, "IV. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", bold=True)
    _para(doc, "{%p for d in difficulties %}")
    _para(doc, "- {{ d }}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, "{%p endfor %}")
    _para(doc, "V. NHIỆM VỤ TRỌNG TÂM KỲ TỚI", bold=True)
    _para(doc, "{{ next_steps }}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, "{{ closing }}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    footer = doc.add_table(rows=1, cols=2)
    recipients, signature = footer.rows[0].cells
    p = _cell_para(recipients, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(recipients, "{%p for r in recipients %}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(recipients, "- {{ r }}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(recipients, "{%p endfor %}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(signature, "{{ signer_capacity }}", size=14, bold=True)
    _cell_para(signature, "{{ signer_title }}", size=14, bold=True)
    for _ in range(4):
        _cell_para(signature, "", size=14)
    _cell_para(signature, "{{ signer_name }}", size=14, bold=True)
    doc.save(path)
    return path


if __name__ == "__main__":
    print(build())
