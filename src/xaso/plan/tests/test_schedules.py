from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xaso.plan import parsing, schedules
from xaso.plan.schedules import CONTINUOUS, EXTERNAL, FROM, ONCE, UNPARSED, YEARLY
from xaso.plan.tests.factories import SEED

# Every distinct deadline text of the seed plan → (label, kind, due, start, month) per milestone.
EXPECTED = {
    "- Ban hành kế hoạch: chậm nhất tháng 01/2026. - Hoàn thành các nhiệm vụ: theo Kế hoạch của UBND tỉnh. - Báo cáo kết quả thực hiện: định kỳ hằng năm.": [
        ("Ban hành kế hoạch", ONCE, date(2026, 1, 31), None, None),
        ("Hoàn thành các nhiệm vụ", EXTERNAL, None, None, None),
        ("Báo cáo kết quả thực hiện", YEARLY, None, None, 12),
    ],
    "- Bắt đầu từ Quý I/2026.": [("", FROM, None, date(2026, 1, 1), None)],
    "- Hàng năm.": [("", YEARLY, None, None, 12)],
    "- Hằng năm.": [("", YEARLY, None, None, 12)],
    "- KH: Quý I hàng năm. - Thông báo, kết luận: Ngay sau cuộc kiểm tra. - Báo cáo kết quả: Tháng 12 hàng năm.": [
        ("KH", YEARLY, None, None, 3),
        ("Thông báo, kết luận", EXTERNAL, None, None, None),
        ("Báo cáo kết quả", YEARLY, None, None, 12),
    ],
    "- Kế hoạch: Sau khi có hướng dẫn của Sở Nội vụ. - Báo cáo kết quả: định kỳ hằng năm.": [
        ("Kế hoạch", EXTERNAL, None, None, None),
        ("Báo cáo kết quả", YEARLY, None, None, 12),
    ],
    "- Kế hoạch: hàng năm. - BC kết quả thực hiện: theo quy định, hướng dẫn của Sở Tư pháp": [
        ("Kế hoạch", YEARLY, None, None, 12),
        ("BC kết quả thực hiện", EXTERNAL, None, None, None),
    ],
    "- Kế hoạch: hằng năm.": [("Kế hoạch", YEARLY, None, None, 12)],
    "- Năm 2026": [("", ONCE, date(2026, 12, 31), None, None)],
    "- Năm 2026.": [("", ONCE, date(2026, 12, 31), None, None)],
    "- Quý I/2026.": [("", ONCE, date(2026, 3, 31), None, None)],
    "- Quý II/2026": [("", ONCE, date(2026, 6, 30), None, None)],
    "- Sau khi có văn bản của Tỉnh.": [("", EXTERNAL, None, None, None)],
    "- Theo Kế hoạch hằng năm hoặc đột xuất.": [("", YEARLY, None, None, 12)],
    "- Theo hướng dẫn của Sở Nội vụ.": [("", EXTERNAL, None, None, None)],
    "- Theo kế hoạch của Tỉnh": [("", EXTERNAL, None, None, None)],
    "- Thường xuyên": [("", CONTINUOUS, None, None, None)],
    "- Thường xuyên.": [("", CONTINUOUS, None, None, None)],
    "- Thường xuyên. - Báo cáo kết quả khảo sát: tháng 12 hằng năm.": [
        ("", CONTINUOUS, None, None, None),
        ("Báo cáo kết quả khảo sát", YEARLY, None, None, 12),
    ],
    "- Thường xuyên. Báo cáo kết quả khảo sát: tháng 12 hằng năm.": [
        ("", CONTINUOUS, None, None, None),
        ("Báo cáo kết quả khảo sát", YEARLY, None, None, 12),
    ],
    "- Thực hiện theo hướng dẫn, yêu cầu của Bộ Nội vụ hằng năm.": [("", YEARLY, None, None, 12)],
    "- Triển khai: Bắt đầu từ Quý I/2026. Thực hiện: hằng năm": [
        ("Triển khai", FROM, None, date(2026, 1, 1), None),
        ("Thực hiện", YEARLY, None, None, 12),
    ],
    "- Từ năm 2026.": [("", FROM, None, date(2026, 1, 1), None)],
    "Theo Kế hoạch số 101/KH-UBND ngày 25/5/2025 của UBND tỉnh.": [("", EXTERNAL, None, None, None)],
    "Theo lộ trình KH số 220/KH-UBND, ngày 23/10/2025 của UBND tỉnh.": [("", EXTERNAL, None, None, None)],
    "Thường xuyên": [("", CONTINUOUS, None, None, None)],
}


def test_expected_covers_every_deadline_text_of_the_seed():
    seed = parsing.parse_file(SEED.name, SEED.read_bytes())
    assert {t.deadline for t in seed.tasks} == set(EXPECTED)


@pytest.mark.parametrize("text", sorted(EXPECTED))
def test_seed_deadline(text):
    specs = schedules.parse_deadline(text)
    assert [(s.label, s.kind, s.due, s.start, s.month) for s in specs] == EXPECTED[text]
    for spec in specs:
        assert spec.needs_date == (spec.kind in (EXTERNAL, UNPARSED))
        assert spec.text  # the source text of each part is kept


@pytest.mark.parametrize(
    "text,kind,due",
    [
        ("Quý III/2027", ONCE, date(2027, 9, 30)),
        ("Quý IV/2028.", ONCE, date(2028, 12, 31)),
        ("chậm nhất tháng 02/2028", ONCE, date(2028, 2, 29)),
        ("Hàng năm", YEARLY, None),
        ("Khi cần thiết", UNPARSED, None),
        ("", UNPARSED, None),
    ],
)
def test_other_forms(text, kind, due):
    spec = schedules.parse_deadline(text)[0]
    assert (spec.kind, spec.due) == (kind, due)


def test_occurrences():
    assert schedules.occurrences(YEARLY, due=None, month=3, first_year=2026, last_year=2027) == [date(2026, 3, 31), date(2027, 3, 31)]
    assert schedules.occurrences(CONTINUOUS, due=None, month=None, first_year=2026, last_year=2030) == []
    assert schedules.occurrences(EXTERNAL, due=date(2026, 5, 1), month=None, first_year=2026, last_year=2030) == [date(2026, 5, 1)]


@given(st.text(max_size=200))
def test_nothing_is_dropped(text):
    specs = schedules.parse_deadline(text)
    assert specs
    for spec in specs:
        assert spec.kind in schedules.KINDS
        assert spec.text in text or not text.strip()
        if spec.kind in (ONCE,):
            assert spec.due is not None
