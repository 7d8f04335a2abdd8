import pytest

from xaso.catalog.parsing import (
    fee_cell_of, local_code_for, parse_channels, parse_cutoff, parse_documents, parse_fees, parse_processing, parse_row,
)


def test_fees():
    assert parse_fees("0", "Miễn lệ phí") == [{"kind": "free", "amount": 0, "unit": "", "description": "", "online_amount": None}]
    assert parse_fees("2000/trang", "")[0] == {"kind": "per_unit", "amount": 2000, "unit": "trang", "description": "", "online_amount": None}
    assert parse_fees("8000/bản sao", "")[0]["unit"] == "bản sao"
    assert parse_fees("50.000/giao dịch", "")[0]["amount"] == 50000
    assert parse_fees("150000", "")[0]["kind"] == "fixed"
    assert [f["kind"] for f in parse_fees("", "Mức do HĐND tỉnh quyết định")] == ["council"]
    assert [f["kind"] for f in parse_fees("", "Cổng ghi 'Miễn phí' không kèm mô tả")] == ["unknown"]
    assert [f["kind"] for f in parse_fees("", "")] == ["unknown"]
    # free on time, council-set otherwise (birth registration)
    assert [f["kind"] for f in parse_fees("0", "không đúng hạn: mức do HĐND tỉnh quy định")] == ["free", "council"]
    with pytest.raises(ValueError):
        parse_fees("hai nghìn", "")


def test_online_price_in_the_fee_cell():
    line = parse_fees("20000/lần; trực tuyến 10000/lần", "")[0]
    assert (line["kind"], line["amount"], line["unit"], line["online_amount"]) == ("per_unit", 20000, "lần", 10000)
    assert parse_fees("20.000/lần; Trực tuyến: 10.000", "")[0]["online_amount"] == 10000  # unit implied
    assert parse_fees("8000; truc tuyen 0", "")[0] == {"kind": "fixed", "amount": 8000, "unit": "", "description": "", "online_amount": 0}
    assert fee_cell_of(parse_fees("20000/lần; trực tuyến 10000", "")) == "20000/lần; trực tuyến 10000/lần"
    assert fee_cell_of(parse_fees("8000; trực tuyến 4000", "")) == "8000; trực tuyến 4000"
    # never read from the note: the note stays text
    assert parse_fees("20000/lần", "Trực tiếp 20.000 đồng/lần; trực tuyến 10.000 đồng/lần")[0]["online_amount"] is None
    for bad in ("20000/lần; trực tuyến 10000/trang", "20000/lần;", "20000/lần; bưu chính 10000", "0; trực tuyến 0",
                "20000/lần; trực tuyến mười nghìn"):
        with pytest.raises(ValueError):
            parse_fees(bad, "")


def test_processing_and_cutoff():
    assert parse_processing("0", "") == (0, "same_day")
    assert parse_processing("3", "03 ngày làm việc") == (3, "working_days")
    assert parse_processing("15", "Cổng DVCQG: 15 'Ngày'") == (15, "calendar_days")
    assert parse_processing("30", "(ngày theo lịch)") == (30, "calendar_days")
    assert parse_processing("", "x") == (None, "unknown")
    with pytest.raises(ValueError):
        parse_processing("3,5", "")
    assert parse_cutoff("nếu tiếp nhận hồ sơ sau 15 giờ thì trả") == "15:00"
    assert parse_cutoff("03 ngày làm việc") == ""


def test_channels():
    assert parse_channels("Kênh nộp: trực tuyến, bưu chính, trực tiếp") == {"online", "post", "counter"}
    assert parse_channels("... (Cổng 2026 ghi 'Không có thông tin'). Chỉ nộp trực tiếp") == {"counter"}
    assert parse_channels("Chỉ nộp trực tiếp/bưu chính") == {"counter", "post"}
    assert parse_channels("Cổng DVCQG: bưu chính 30 'Ngày', trực tiếp 40 'Ngày'. Không có kênh trực tuyến") == {"post", "counter"}
    assert parse_channels("Nộp trực tiếp hoặc qua bưu điện; không gửi đơn qua mạng") == {"counter", "post"}
    assert parse_channels("25 ngày làm việc (trang Cổng DVCQG bản cũ)") is None


def test_documents():
    docs = parse_documents(
        "Tờ khai; Giấy chứng sinh (nếu không có: văn bản); Xuất trình: giấy tờ tùy thân; giấy tờ cư trú; "
        "Giấy khác; (ghi chú giải thích)"
    )
    assert [(d["requirement"], d["submission"]) for d in docs] == [
        ("mandatory", "submit"), ("conditional", "submit"), ("mandatory", "present"), ("mandatory", "present"),
        ("mandatory", "submit"), ("note", "submit"),
    ]
    assert docs[2]["name"] == "Giấy tờ tùy thân"
    case = parse_documents("Tờ khai; Xuất trình theo trường hợp: giấy khai sinh; giấy xác nhận khuyết tật")
    assert [(d["requirement"], d["submission"]) for d in case[1:]] == [("conditional", "present")] * 2
    assert parse_documents("Hồ sơ thiết kế: 02 bộ bản vẽ")[0]["copies"] == 2


def test_row_errors_name_the_column():
    row = {"code": "1.001193", "name_vi": "X", "field_vi": "Hộ tịch", "processing_days": "ba", "processing_note": "",
           "fee_vnd": "abc", "fee_note": "", "online_level": "mức 4", "legal_basis": "", "required_documents": "",
           "source_url": ""}
    content, errors = parse_row(row, 7)
    assert content is None
    assert {(e.row, e.column, e.code) for e in errors} == {
        (7, "processing_days", "bad_days"), (7, "fee_vnd", "bad_fee"), (7, "online_level", "bad_online_level")}


def test_local_code_is_stable():
    assert local_code_for("Giải quyết tố cáo tại cấp xã") == local_code_for("giai quyet  TO CAO tai cap xa")
    assert local_code_for("A").startswith("XS-")


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from xaso.catalog.parsing import documents_cell_of, fee_cell_of  # noqa: E402

UNITS = st.sampled_from(["trang", "bản sao", "giao dịch", "trường hợp", "lần", "di chúc", "văn bản"])


@given(st.integers(min_value=0, max_value=10**9), st.one_of(st.none(), UNITS))
def test_fee_cell_round_trip(amount, unit):
    cell = str(amount) if unit is None else f"{amount}/{unit}"
    fees = parse_fees(cell, "")
    assert fee_cell_of(fees) == cell


WORDS = st.text(alphabet="abcdeghiklmnopqrstuvxyàáảãạăâđêôơưĐ ", min_size=1, max_size=20).map(str.strip).filter(bool)


@given(st.lists(st.tuples(WORDS, st.booleans(), st.booleans()), min_size=1, max_size=8))
def test_documents_cell_round_trip(items):
    cell = "; ".join(
        ("Xuất trình: " if present else "") + ("G" + name) + (" (nếu có)" if conditional else "")
        for name, present, conditional in items
    )
    if items[0][1]:
        cell = "Xuất trình theo trường hợp: giấy tờ; " + cell
    documents = parse_documents(cell)
    assert len(documents) == len(items) + (1 if items[0][1] else 0)
    assert parse_documents(documents_cell_of(documents)) == documents
