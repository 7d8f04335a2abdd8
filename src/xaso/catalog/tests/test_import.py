import csv
import datetime as dt

import pytest
from openpyxl import Workbook, load_workbook

from xaso.catalog.importer import import_file
from xaso.catalog.models import Field, Procedure, ProcedureVersion

from .conftest import FIXTURE, reimport_into_empty_catalogue

pytestmark = pytest.mark.django_db


def _rows():
    with open(FIXTURE, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_csv(path, rows, columns=None):
    columns = columns or list(rows[0].keys())
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def test_real_file_counts(catalogue):
    assert catalogue.count("created") == 50
    assert Procedure.objects.count() == 50
    assert ProcedureVersion.objects.count() == 50
    assert Field.objects.count() == 11
    assert Procedure.objects.filter(code_is_local=True).count() == 4
    assert all(p.code.startswith("XS-") for p in Procedure.objects.filter(code_is_local=True))
    # every version got the default process, flagged for review, shares summing to 100
    for version in ProcedureVersion.objects.all():
        assert version.process_is_default
        assert sum(step.share for step in version.steps.all()) == 100


def test_birth_registration_hand_checked(catalogue):
    version = Procedure.objects.get(code="1.001193").current_version()
    assert version.name == "Đăng ký khai sinh"
    assert version.processing_unit == "same_day" and version.processing_amount == 0
    assert version.cutoff == dt.time(15, 0)
    assert [(f.kind, f.amount) for f in version.fees.all()] == [("free", 0), ("council", None)]
    assert version.online_level == "full"
    assert (version.channel_online, version.channel_post, version.channel_counter) == (True, True, True)
    present = version.documents.filter(submission="present")
    assert present.count() == 1 and present.get().name.startswith("Giấy tờ tùy thân")
    assert version.documents.filter(requirement="conditional").count() == 5
    assert version.field.default_department.key == "van-hoa-xa-hoi"


def test_empty_fee_is_unknown_not_free(catalogue):
    version = Procedure.objects.get(code="2.000908").current_version()  # "Miễn phí" not confirmed
    assert [f.kind for f in version.fees.all()] == ["unknown"]
    council = Procedure.objects.get(code="1.001612").current_version()
    assert [(f.kind, f.amount_not_set) for f in council.fees.all()] == [("council", True)]


def test_counter_only_and_calendar_days(catalogue):
    for code in ("2.000815", "2.000884", "2.000986"):
        version = Procedure.objects.get(code=code).current_version()
        assert (version.channel_online, version.channel_post, version.channel_counter) == (False, False, True), code
        assert version.online_level == "none"
    land = Procedure.objects.get(code="1.013949").current_version()
    assert (land.processing_amount, land.processing_unit) == (15, "calendar_days")
    assert land.green_lane  # land is a green-lane field in the 2026–2030 plan
    assert Procedure.objects.get(code="1.001776").current_version().processing_unit == "unknown"


def test_reimport_changes_nothing(catalogue):
    again = import_file(FIXTURE)
    assert again.ok and again.count("unchanged") == 50
    assert ProcedureVersion.objects.count() == 50


def test_changed_row_creates_new_version(catalogue, tmp_path):
    rows = _rows()
    rows[0]["fee_note"] = rows[0]["fee_note"] + " (cập nhật)"
    path = tmp_path / "changed.csv"
    _write_csv(path, rows)
    report = import_file(path)
    assert report.count("new_version") == 1 and report.count("unchanged") == 49
    procedure = Procedure.objects.get(code="1.001193")
    assert procedure.versions.count() == 2
    old = procedure.versions.get(number=1)
    assert old.valid_to is not None and not old.fee_note.endswith("(cập nhật)")
    assert procedure.current_version().fee_note.endswith("(cập nhật)")


@pytest.mark.parametrize(
    "column, value, expected",
    [
        ("processing_days", "ba ngày", "Dòng 4, cột processing_days"),
        ("fee_vnd", "hai nghìn/trang", "Dòng 4, cột fee_vnd"),
        ("online_level", "mức độ 4", "Dòng 4, cột online_level"),
        ("code", "ABC", "Dòng 4, cột code"),
    ],
)
def test_malformed_csv_writes_nothing(db, tmp_path, run_catalog, column, value, expected):
    rows = _rows()
    rows[2][column] = value
    path = tmp_path / "bad.csv"
    _write_csv(path, rows)
    code, out, err = run_catalog("import", str(path))
    assert code == 1
    assert expected in err
    assert "không có gì được ghi" in err.lower() or "không ghi" in err.lower()
    assert Procedure.objects.count() == 0 and Field.objects.count() == 0


def test_missing_column(db, tmp_path, run_catalog):
    rows = _rows()
    columns = [c for c in rows[0] if c != "fee_note"]
    path = tmp_path / "missing.csv"
    _write_csv(path, rows, columns)
    code, out, err = run_catalog("import", str(path))
    assert code == 1 and "cột fee_note" in err
    assert Procedure.objects.count() == 0


def test_malformed_xlsx_writes_nothing(db, tmp_path):
    rows = _rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0].keys()))
    for row in rows[:5]:
        sheet.append(list(row.values()))
    sheet.cell(row=6, column=4, value="năm")  # processing_days of data row 5 (sheet row 6)
    path = tmp_path / "bad.xlsx"
    workbook.save(path)
    report = import_file(path)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(6, "processing_days")]
    assert Procedure.objects.count() == 0


def test_dry_run_writes_nothing(db, run_catalog):
    code, out, err = run_catalog("import", str(FIXTURE), "--dry-run")
    assert code == 0, err
    assert Procedure.objects.count() == 0


def test_export_import_round_trip(catalogue, tmp_path, run_catalog):
    procedure = Procedure.objects.get(code="1.001193")
    from xaso.catalog import services

    services.set_frequent(procedure, True)
    services.publish_new_version(procedure, {"result": "Giấy khai sinh", "supplement_max": 2})
    path = tmp_path / "export.xlsx"
    code, out, err = run_catalog("export", str(path))
    assert code == 0, err
    sheet = load_workbook(path).active
    assert sheet.max_row == 51
    before = {v.pk for v in ProcedureVersion.objects.all()}
    report = import_file(path)
    assert report.ok and report.count("unchanged") == 50, [r for r in report.rows if r.status != "unchanged"]
    assert {v.pk for v in ProcedureVersion.objects.all()} == before

    # into an empty database: the same content comes back
    assert Procedure.objects.count() == 50
    reimport_into_empty_catalogue(path)
    assert Procedure.objects.get(code="1.001193").is_frequent


def test_demo_loader_is_idempotent(db):
    from io import StringIO

    from xaso.catalog import demo

    demo.load(StringIO())
    demo.load(StringIO())
    assert Procedure.objects.count() == 50 and ProcedureVersion.objects.count() == 50
    assert set(Procedure.objects.filter(is_frequent=True).values_list("code", flat=True)) == {
        "1.001193", "1.000894", "1.000656", "1.004873", "2.000635", "2.000815", "2.000884"}


def test_plain_xlsx_is_read_like_the_csv(catalogue, tmp_path, run_catalog):
    rows = _rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0].keys()))
    for row in rows:
        values = list(row.values())
        if row["processing_days"]:
            values[3] = int(row["processing_days"])  # numbers typed as numbers
        sheet.append(values)
    path = tmp_path / "plain.xlsx"
    workbook.save(path)
    code, out, err = run_catalog("import", str(path))
    assert code == 0, err
    assert "0 tạo mới, 0 phiên bản mới, 0 cập nhật, 50 không đổi, 0 lỗi." in out
    assert "Dòng 2 1.001193: không đổi" in out


def test_import_is_audited(db):
    from xaso.core.models import AuditRecord

    import_file(FIXTURE)
    assert AuditRecord.objects.filter(verb="catalog.create_procedure").count() == 50


def test_unreadable_empty_and_duplicate(db, tmp_path, run_catalog):
    code, out, err = run_catalog("import", str(tmp_path / "khong-co.csv"))
    assert code == 1 and "Dòng 1: không đọc được tệp" in err
    empty = tmp_path / "empty.csv"
    empty.write_text(",".join(_rows()[0].keys()) + "\n", encoding="utf-8")
    code, out, err = run_catalog("import", str(empty))
    assert code == 1 and "không có dòng dữ liệu" in err
    rows = _rows()
    rows[5]["code"] = rows[0]["code"]
    duplicate = tmp_path / "dup.csv"
    _write_csv(duplicate, rows)
    code, out, err = run_catalog("import", str(duplicate))
    assert code == 1 and "Dòng 7, cột code: mã 1.001193 bị trùng với dòng 2" in err
    assert Procedure.objects.count() == 0
