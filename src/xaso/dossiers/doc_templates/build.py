"""Builds the default DOCX form templates (docxtpl/Jinja tags inside Word documents).

Run ``python -m xaso.dossiers.doc_templates.build`` to regenerate them. Administrators edit
the resulting ``.docx`` files in Word (keeping the ``{{ … }}`` tags) and put their version in
``XASO_DOSSIER_FORMS_DIR``. Font: Times New Roman 13 (NĐ 30/2020/NĐ-CP Phụ lục I)."""
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent


def base():
    doc = Document()
    st = doc.styles["Normal"]
    st.font.name = "Times New Roman"
    st.font.size = Pt(13)
    st.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21)
    sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = Cm(3), Cm(1.5), Cm(2), Cm(2)
    t = doc.add_table(rows=1, cols=2)
    left, right = t.rows[0].cells
    p = left.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("{{ header.governing }}\n")
    p.add_run("{{ header.issuer }}").bold = True
    p2 = left.add_paragraph("______\nSố: {{ number }}/{{ suffix }}")
    p2.alignment = WD_ALIGN_PARAGRAPH.CENTER
    q = right.paragraphs[0]
    q.alignment = WD_ALIGN_PARAGRAPH.CENTER
    q.add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n").bold = True
    q.add_run("Độc lập - Tự do - Hạnh phúc").bold = True
    q2 = right.add_paragraph("______________")
    q2.alignment = WD_ALIGN_PARAGRAPH.CENTER
    q3 = right.add_paragraph()
    q3.alignment = WD_ALIGN_PARAGRAPH.CENTER
    q3.add_run("{{ place_date }}").italic = True
    return doc


def title(doc, text, sub=None):
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(text).bold = True
    if sub:
        s = doc.add_paragraph(sub)
        s.alignment = WD_ALIGN_PARAGRAPH.CENTER


def lines(doc, *texts):
    for t in texts:
        doc.add_paragraph(t)


def signatures(doc, left, right, left_name="", right_name="{{ signer }}"):
    t = doc.add_table(rows=1, cols=2)
    for cell, who, name in ((t.rows[0].cells[0], left, left_name), (t.rows[0].cells[1], right, right_name)):
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if who:
            p.add_run(who + "\n").bold = True
            p.add_run("(Ký và ghi rõ họ tên)\n\n\n").italic = True
            p.add_run(name)


def numbered(doc, var, item):
    doc.add_paragraph("{%p for x in " + var + " %}")
    doc.add_paragraph("{{ loop.index }}. {{ " + item + " }}")
    doc.add_paragraph("{%p endfor %}")


def receipt():
    doc = base()
    title(doc, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Mã hồ sơ: {{ code }}")
    lines(
        doc,
        "{{ receiving_unit }} tiếp nhận hồ sơ của:",
        "Ông/Bà/Tổ chức: {{ applicant }}",
        "Số định danh cá nhân/tổ chức: {{ applicant_id }}",
        "Địa chỉ: {{ address }}",
        "Số điện thoại: {{ phone }}    Thư điện tử: {{ email }}",
        "{% if agent %}Người được ủy quyền: {{ agent }}; số định danh: {{ agent_id }}; địa chỉ: {{ agent_address }}; số điện thoại: {{ agent_phone }}; thư điện tử: {{ agent_email }}; văn bản ủy quyền: {{ authorisation }}{% endif %}",
        "Nội dung yêu cầu giải quyết: {{ request }}",
        "1. Thành phần hồ sơ nộp gồm:",
    )
    numbered(doc, "components", "x")
    lines(
        doc,
        "2. Số lượng hồ sơ: {{ copies }} (bộ)",
        "3. Thời gian giải quyết hồ sơ theo quy định: {{ legal_time }}",
        "4. Thời gian nhận hồ sơ: {{ received_at }}",
        "5. Thời gian trả kết quả giải quyết hồ sơ: {{ due_at }}",
        "6. Đăng ký nhận kết quả tại: {{ delivery }}",
        "{% if fee_total %}Phí, lệ phí: {{ fee_total }}{% if fee_detail %} ({{ fee_detail }}){% endif %}{% endif %}",
        "{% if book_seq %}Vào Sổ theo dõi hồ sơ, Quyển số: {{ book_volume }}; Số thứ tự: {{ book_seq }}{% endif %}",
        "Tra cứu tình trạng hồ sơ: {{ lookup_url }} (mã tra cứu {{ lookup_secret }})",
    )
    signatures(doc, "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "{{ applicant }}")
    return doc


def supplement():
    doc = base()
    title(doc, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Mã hồ sơ: {{ code }}")
    lines(doc, "Hồ sơ của: {{ applicant }}", "Nội dung yêu cầu giải quyết: {{ request }}", "Địa chỉ: {{ address }}", "Số điện thoại: {{ phone }}    Thư điện tử: {{ email }}", "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:")
    numbered(doc, "items", "x")
    lines(doc, "Lý do: {{ reason }}", "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ {{ contact_person }} ({{ contact_unit }}){% if contact_phone %}, số điện thoại {{ contact_phone }}{% endif %} để được hướng dẫn.")
    signatures(doc, "", "NGƯỜI HƯỚNG DẪN")
    return doc


def refusal():
    doc = base()
    title(doc, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ")
    lines(
        doc,
        "{{ receiving_unit }} tiếp nhận hồ sơ của: {{ applicant }}",
        "Số định danh cá nhân/tổ chức: {{ applicant_id }}",
        "Địa chỉ: {{ address }}",
        "Số điện thoại: {{ phone }}    Thư điện tử: {{ email }}",
        "Mã hồ sơ: {{ code }}",
        "Nội dung yêu cầu giải quyết: {{ request }}",
        "Qua nghiên cứu, xem xét hồ sơ, cơ quan không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
        "{{ reason }}",
        "Xin thông báo để Ông/Bà biết và thực hiện.",
    )
    signatures(doc, "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "{{ applicant }}")
    return doc


def apology():
    doc = base()
    title(doc, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "Kính gửi: {{ applicant }}")
    lines(
        doc,
        "{{ received_on }}, {{ receiving_unit }} tiếp nhận giải quyết thủ tục hành chính {{ procedure }} của Ông/Bà/Tổ chức {{ applicant }} (số định danh: {{ applicant_id }}), mã số hồ sơ: {{ code }}.",
        "Thời gian hẹn trả kết quả giải quyết hồ sơ: {{ previous_due_at }}.",
        "Tuy nhiên, đến nay {{ competent_unit }} chưa trả kết quả giải quyết hồ sơ cho Ông/Bà/Tổ chức đúng thời hạn.",
        "Lý do: {{ reason }}",
        "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của Ông/Bà/Tổ chức. Chúng tôi xin lỗi Ông/Bà/Tổ chức và sẽ trả kết quả giải quyết hồ sơ vào {{ new_due_at }}.",
        "Mong nhận được sự thông cảm của Ông/Bà/Tổ chức.",
    )
    signatures(doc, "", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ")
    return doc


def denial():
    """Refusal to resolve after processing: the competent authority's written answer, with
    the reasons and the legal basis, signed by the competent person."""
    doc = base()
    title(doc, "THÔNG BÁO\nVề việc từ chối giải quyết hồ sơ thủ tục hành chính", "Kính gửi: {{ applicant }}")
    lines(
        doc,
        "{{ received_on }}, {{ receiving_unit }} tiếp nhận hồ sơ của Ông/Bà/Tổ chức {{ applicant }} (số định danh: {{ applicant_id }}; địa chỉ: {{ address }}; số điện thoại: {{ phone }}), mã hồ sơ {{ code }}, đề nghị giải quyết thủ tục hành chính {{ procedure }}.",
        "Sau khi xem xét, thẩm định hồ sơ, {{ issuer_name }} không giải quyết yêu cầu của Ông/Bà/Tổ chức với lý do cụ thể như sau:",
        "{{ reason }}",
        "Căn cứ pháp lý: {{ legal_basis }}",
        "Hồ sơ được trả lại tại {{ receiving_unit }}. Trường hợp không đồng ý với nội dung thông báo này, Ông/Bà/Tổ chức có quyền khiếu nại, khởi kiện theo quy định của pháp luật.",
    )
    t = doc.add_table(rows=1, cols=2)
    left, right = t.rows[0].cells
    p = left.paragraphs[0]
    p.add_run("Nơi nhận:\n").bold = True
    p.add_run("- Như trên;\n- {{ receiving_unit }};\n- Lưu: VT.")
    q = right.paragraphs[0]
    q.alignment = WD_ALIGN_PARAGRAPH.CENTER
    q.add_run("{{ signer_capacity.lines|join('\n') }}\n").bold = True
    q.add_run("(Ký, ghi rõ họ tên và đóng dấu)\n\n\n").italic = True
    q.add_run("{{ signer }}")
    return doc


def stop():
    doc = base()
    title(doc, "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Kính gửi: {{ applicant }}")
    lines(
        doc,
        "{{ receiving_unit }} nhận được đề nghị dừng giải quyết hồ sơ của Ông/Bà/Tổ chức {{ applicant }} (số định danh: {{ applicant_id }}; địa chỉ: {{ address }}; số điện thoại: {{ phone }}) đối với hồ sơ mã số {{ code }}, thủ tục hành chính {{ procedure }}, tiếp nhận {{ received_at }}.",
        "Lý do đề nghị dừng: {{ reason }}",
        "Tại thời điểm đề nghị, hồ sơ chưa có quyết định giải quyết hoặc thông báo kết quả. {{ receiving_unit }} thông báo dừng giải quyết hồ sơ nêu trên theo Điều 21 Nghị định số 118/2025/NĐ-CP.",
    )
    signatures(doc, "", "NGƯỜI TIẾP NHẬN HỒ SƠ")
    return doc


def control():
    doc = base()
    title(doc, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")
    lines(
        doc,
        "Mã số hồ sơ: {{ code }}",
        "Cơ quan (bộ phận) giải quyết hồ sơ: {{ competent_unit }}",
        "Cơ quan phối hợp giải quyết hồ sơ: {{ partners }}",
        "Ngày nhận hồ sơ: {{ received_at }}",
        "Hẹn trả kết quả: {{ due_at }}",
    )
    t = doc.add_table(rows=3, cols=4)
    t.style = "Table Grid"
    for cell, text in zip(t.rows[0].cells, ["Tên đơn vị, bước", "Thời gian giao, nhận hồ sơ", "Kết quả giải quyết hồ sơ (trước hạn/đúng hạn/quá hạn)", "Ghi chú"]):
        cell.text = text
    t.rows[1].cells[0].text = "{%tr for r in rows %}"
    t.rows[2].cells[0].text = "{{ r.seq }}. {{ r.name }} — {{ r.unit }}"
    t.rows[2].cells[1].text = "Giao: {{ r.given_by }}; Nhận: {{ r.official }} {{ r.received }}; Chuyển tiếp: {{ r.handed }}"
    t.rows[2].cells[2].text = "{{ r.verdict }}"
    t.rows[2].cells[3].text = "{{ r.due }}"
    row = t.add_row()
    row.cells[0].text = "{%tr endfor %}"
    return doc


BUILDERS = {"receipt": receipt, "supplement": supplement, "refusal": refusal, "denial": denial, "apology": apology, "stop": stop, "control": control}


def main():
    for kind, build in BUILDERS.items():
        build().save(HERE / f"{kind}.docx")
        print(kind)


if __name__ == "__main__":
    main()
