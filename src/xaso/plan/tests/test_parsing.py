import pytest
from hypothesis import given
from hypothesis import strategies as st

from xaso.plan import parsing
from xaso.plan.tests.factories import SEED


@pytest.fixture(scope="module")
def seed():
    return parsing.parse_file(SEED.name, SEED.read_bytes())


def test_seed_has_six_areas_and_62_tasks(seed):
    assert [a.number for a in seed.areas] == ["I", "II", "III", "IV", "V", "VI"]
    assert [t.number for t in seed.tasks] == list(range(1, 63))
    assert seed.period_start == 2026 and seed.period_end == 2030
    assert seed.title == "Kế hoạch cải cách hành chính trên địa bàn xã Ngọc Liên giai đoạn 2026-2030"
    assert seed.decision.startswith("Quyết định số /QĐ-UBND ngày tháng 3 năm 2026")


def test_areas_per_task(seed):
    by_area = {}
    for t in seed.tasks:
        by_area.setdefault(t.area, []).append(t.number)
    assert by_area["I"] == list(range(1, 7))
    assert by_area["II"] == list(range(7, 23))
    assert by_area["III"] == list(range(23, 33))
    assert by_area["IV"] == list(range(33, 39))
    assert by_area["V"] == list(range(39, 47))
    assert by_area["VI"] == list(range(47, 63))


@pytest.mark.parametrize(
    "number,lead,coordinating,deadline",
    [
        # checked by hand against the appendix of the seed file
        (1, "Các phòng, ban, ngành, đơn vị cấp xã.", "Văn phòng HĐND và UBND xã.", "- Thường xuyên."),
        (15, "Các phòng, ban, ngành, đơn vị cấp xã.", "Trung tâm Phục vụ hành chính công.", "- Thường xuyên."),
        (34, "Phòng Văn hóa - Xã hội.", "Các phòng, ban, ngành, đơn vị cấp xã.", "- Triển khai: Bắt đầu từ Quý I/2026. Thực hiện: hằng năm"),
        (43, "- Phòng Kinh tế", "Các phòng, ban, ngành, đơn vị cấp xã.", "- Quý I/2026."),
        (56, "Trung tâm Phục vụ hành chính công.", "Các phòng, ban, ngành, đơn vị cấp xã.", "- Thường xuyên."),
        (62, "Phòng Văn hóa - Xã hội", "- Các phòng, ban, ngành, đơn vị cấp xã.", "- Thường xuyên."),
    ],
)
def test_lead_units_match_the_seed(seed, number, lead, coordinating, deadline):
    task = seed.tasks[number - 1]
    assert (task.lead, task.coordinating, task.deadline) == (lead, coordinating, deadline)


def test_rows_continued_across_page_breaks(seed):
    t15 = seed.tasks[14].text
    assert "trong số đó, tỷ lệ giao dịch thanh toán trực tuyến đạt tối thiểu từ 50% trở lên và tăng dần theo từng năm." in t15
    t56 = seed.tasks[55].text
    assert "thủ tục hành chính trên môi trường điện tử. Hoàn thành cập nhật" in t56
    assert t56.endswith("rộng rãi đến người dân.")
    assert seed.tasks[15].text == "100% TTHC đủ điều kiện được thực hiện trực tuyến toàn trình."


def test_round_trip_through_rows_csv_and_xlsx(seed, tmp_path):
    rows = parsing.plan_to_rows(seed)
    again = parsing.parse_table(rows)
    assert again == parsing.ParsedPlan(seed.title, seed.decision, 2026, 2030, seed.areas, [
        parsing.ParsedTask(t.number, t.area, t.text, t.lead, t.coordinating, t.deadline, again.tasks[i].line) for i, t in enumerate(seed.tasks)
    ])
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    from_csv = parsing.parse_file("x.csv", buffer.getvalue().encode())
    assert [(t.number, t.text, t.lead, t.deadline) for t in from_csv.tasks] == [(t.number, t.text, t.lead, t.deadline) for t in seed.tasks]
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    from_xlsx = parsing.parse_file("plan.xlsx", path.read_bytes())
    assert [(t.number, t.text, t.coordinating) for t in from_xlsx.tasks] == [(t.number, t.text, t.coordinating) for t in seed.tasks]
    assert from_xlsx.title == seed.title and from_xlsx.period_start == 2026


def test_pipe_tables():
    text = "## Phụ lục\n\n| TT | Nội dung | Chủ trì | Phối hợp | Thời gian |\n|---|---|---|---|---|\n| **I** | **Cải cách thể chế** | | | |\n| 1. | Việc một | Phòng Kinh tế | | Năm 2026 |\n| | tiếp theo | | | |\n"
    plan = parsing.parse_markdown(text)
    assert plan.tasks[0].text == "Việc một tiếp theo"
    assert plan.tasks[0].deadline == "Năm 2026"


@pytest.mark.parametrize(
    "text,code",
    [
        ("no table here", "no_table"),
        ("## Phụ lục\nTT\tNội dung\n1.\tViệc\tA\tB\tC\n", "task_before_area"),
        ("## Phụ lục\nTT\tNội dung\nI\tThể chế\n1.\tViệc\tA\tB\tC\n1.\tViệc khác\tA\tB\tC\n", "duplicate_task"),
        ("## Phụ lục\nTT\tNội dung\nI\tThể chế\nabc\tViệc\tA\tB\tC\n", "unreadable_row"),
        ("## Phụ lục\nTT\tNội dung\nI\tThể chế\n", "no_tasks"),
        ("## Phụ lục\nTT\tNội dung\nI\tThể chế\n\tmồ côi\t\t\t\n", "continuation_without_task"),
    ],
)
def test_malformed_files(text, code):
    with pytest.raises(parsing.PlanFormatError) as info:
        parsing.parse_markdown(text)
    assert info.value.code == code


def test_error_names_the_line():
    with pytest.raises(parsing.PlanFormatError) as info:
        parsing.parse_markdown("intro\n## Phụ lục\nTT\tNội dung\nI\tThể chế\n1.\tViệc\tA\tB\tC\n1.\tLặp\tA\tB\tC\n")
    assert info.value.line == 6


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\t|\n\r<>*"), max_size=30).map(str.strip)


@given(st.lists(st.tuples(cell.filter(bool), cell, cell, cell), min_size=1, max_size=8))
def test_any_table_round_trips(tasks):
    plan = parsing.ParsedPlan("Kế hoạch", "QĐ", 2026, 2030, [parsing.ParsedArea("I", "Lĩnh vực", 1)], [])
    for n, (text, lead, coord, deadline) in enumerate(tasks, start=1):
        plan.tasks.append(parsing.ParsedTask(n, "I", parsing.clean_cell(text) or "x", parsing.clean_cell(lead), parsing.clean_cell(coord), parsing.clean_cell(deadline)))
    again = parsing.parse_table(parsing.plan_to_rows(plan))
    assert [(t.number, t.text, t.lead, t.coordinating, t.deadline) for t in again.tasks] == [
        (t.number, t.text, t.lead, t.coordinating, t.deadline) for t in plan.tasks
    ]
