"""A fee line's online price (``Fee.online_amount``): read from the fee cell of the file
("20000/lần; trực tuyến 10000/lần"), never from the note; carried by the export and import;
shown next to the counter price on the public page and in the API; edited only by
publishing a new version."""
import csv
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from xaso.catalog import services
from xaso.catalog.importer import import_file
from xaso.catalog.models import Fee, FrozenVersionError, Procedure, ProcedureVersion

from .conftest import FIXTURE, reimport_into_empty_catalogue
from .test_admin import _post_data, admin_client  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

RESIDENCE = "1.004222"  # Đăng ký thường trú: 20 000 đồng at the counter, 10 000 đồng online


def _fees(code):
    return [(f.kind, f.amount, f.unit, f.online_amount) for f in Procedure.objects.get(code=code).current_version().fees.all()]


def test_bundled_file_gives_the_online_price_of_residence_registration(catalogue):
    assert _fees(RESIDENCE) == [("per_unit", 20000, "lần", 10000)]
    version = Procedure.objects.get(code=RESIDENCE).current_version()
    # the source's note is kept verbatim; the price comes from the fee cell
    assert version.fee_note.startswith("Trực tiếp 20.000 đồng/lần; trực tuyến 10.000 đồng/lần")
    # every other procedure has one price
    assert Fee.objects.exclude(online_amount=None).count() == 1


def test_csv_import_sets_and_changes_the_online_price(catalogue, tmp_path):
    with open(FIXTURE, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    row = next(r for r in rows if r["code"] == "2.000635")  # 8 000 per copy
    row["fee_vnd"] = "8000/bản sao; trực tuyến 6.000/bản sao"
    path = tmp_path / "one.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    report = import_file(path)
    assert report.ok and [r.status for r in report.rows] == ["new_version"] and "fees" in report.rows[0].detail
    procedure = Procedure.objects.get(code="2.000635")
    assert _fees("2.000635") == [("per_unit", 8000, "bản sao", 6000)]
    old = procedure.versions.get(number=1)
    assert [(f.amount, f.online_amount) for f in old.fees.all()] == [(8000, None)]  # kept as it was
    assert import_file(path).rows[0].status == "unchanged"


@pytest.mark.parametrize("value", ["20000/lần; trực tuyến 10000/trang", "0; trực tuyến 0", "20000/lần; trực tuyến mười nghìn"])
def test_bad_online_price_is_refused_in_vietnamese(db, tmp_path, run_catalog, value):
    with open(FIXTURE, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[2]["fee_vnd"] = value
    path = tmp_path / "bad.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, out, err = run_catalog("import", str(path))
    assert code == 1
    assert "Dòng 4, cột fee_vnd" in err and "trực tuyến 10000/lần" in err
    assert Procedure.objects.count() == 0


def test_bad_online_price_in_fees_json_is_refused(catalogue):
    with pytest.raises(ValidationError):
        services.publish_new_version(Procedure.objects.get(code="2.000908"), {
            "fees": [{"kind": "unknown", "amount": None, "unit": "", "description": "", "online_amount": 5000}]})


def test_export_import_round_trip_keeps_the_online_price(catalogue, tmp_path, run_catalog):
    services.publish_new_version(Procedure.objects.get(code="2.001019"), {"fees": [
        {"kind": "per_unit", "amount": 50000, "unit": "di chúc", "description": "", "online_amount": 40000},
        {"kind": "fixed", "amount": 10000, "unit": "", "description": "Phí khác", "online_amount": 0},
    ]})
    path = tmp_path / "export.xlsx"
    code, out, err = run_catalog("export", str(path))
    assert code == 0, err
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[RESIDENCE]["fee_vnd"] == "20000/lần; trực tuyến 10000/lần"
    assert rows["2.001019"]["fee_vnd"] == "50000/di chúc; trực tuyến 40000/di chúc"
    assert [f["online_amount"] for f in json.loads(rows["2.001019"]["fees_json"])] == [40000, 0]
    assert json.loads(rows["2.000635"]["fees_json"])[0]["online_amount"] is None

    before = set(ProcedureVersion.objects.values_list("pk", flat=True))
    report = import_file(path)
    assert report.ok and report.count("unchanged") == 50
    assert set(ProcedureVersion.objects.values_list("pk", flat=True)) == before

    assert Procedure.objects.count() == 50
    reimport_into_empty_catalogue(path)
    assert _fees("2.001019") == [("per_unit", 50000, "di chúc", 40000), ("fixed", 10000, "", 0)]


def test_public_page_and_api_show_both_prices(client, catalogue):
    page = client.get(f"/thu-tuc/{RESIDENCE}/").content.decode()
    assert re.search(r"20\.?000 đồng/lần khi nộp trực tiếp hoặc qua bưu chính; 10\.?000 đồng/lần khi nộp trực tuyến", page)
    page = client.get("/thu-tuc/2.000635/").content.decode()  # one price
    assert re.search(r"8\.?000 đồng/bản sao", page) and "khi nộp trực tuyến" not in page
    data = client.get(f"/api/v1/procedures/{RESIDENCE}/").json()["current_version"]
    assert [(f["amount"], f["online_amount"]) for f in data["fees"]] == [(20000, 10000)]
    assert client.get("/api/v1/procedures/2.000635/").json()["current_version"]["fees"][0]["online_amount"] is None


def test_a_published_version_keeps_its_prices(catalogue):
    procedure = Procedure.objects.get(code=RESIDENCE)
    v1 = procedure.current_version()
    content = services.version_content(v1)
    fees = [{**content["fees"][0], "online_amount": 12000}]
    v2 = services.publish_new_version(procedure, {"fees": fees}, reason="Mức phí mới")
    assert v2.number == 2 and [f.online_amount for f in v2.fees.all()] == [12000]
    fee = v1.fees.get()
    assert fee.online_amount == 10000  # the superseded version is unchanged
    fee.online_amount = 5000
    with pytest.raises(FrozenVersionError):
        fee.save()
    assert v1.fees.get().online_amount == 10000


def test_admin_edits_the_online_price_by_publishing_a_version(admin_client):  # noqa: F811
    procedure = services.create_procedure("1.000003", {
        "name": "Thủ tục thử", "field": "Hộ tịch",
        "fees": [{"kind": "fixed", "amount": 20000, "unit": "", "description": ""}]})
    v1 = procedure.current_version()
    url = reverse("admin:catalog_procedureversion_change", args=[v1.pk])
    response = admin_client.get(url)
    assert 'name="fees-0-online_amount"' in response.content.decode()
    data = _post_data(response)
    # an online price on a line without an amount is refused, nothing published
    bad = {**data, "fees-0-kind": "unknown", "fees-0-amount": "", "fees-0-online_amount": "10000"}
    response = admin_client.post(url, bad)
    assert response.status_code == 200 and procedure.versions.count() == 1
    assert "Chỉ khoản phí có mức thu" in response.content.decode()
    data["fees-0-online_amount"] = "10000"
    data["change_reason"] = "Giảm phí nộp trực tuyến"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    v1.refresh_from_db()
    v2 = procedure.current_version()
    assert v2.number == 2 and [(f.amount, f.online_amount) for f in v2.fees.all()] == [(20000, 10000)]
    assert [(f.amount, f.online_amount) for f in v1.fees.all()] == [(20000, None)] and v1.valid_to is not None
    # the superseded version is read-only
    assert admin_client.post(reverse("admin:catalog_procedureversion_change", args=[v1.pk]), data).status_code == 403
