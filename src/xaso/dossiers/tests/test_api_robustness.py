"""The dossiers API refuses odd input with a Vietnamese message (never a server error) and
answers as docs/openapi.yaml says (found by property-based testing from the schema)."""
import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from .conftest import api_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_2fa(settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    cache.clear()


CHANNEL = "Kênh nộp phải là 1 (tại quầy), 2 (trực tuyến) hoặc 3 (bưu chính)."


@pytest.mark.parametrize(
    "params, errors",
    [
        ({"channel": "AAA"}, {"channel": [CHANNEL]}),
        ({"channel": "null"}, {"channel": [CHANNEL]}),
        ({"channel": "0.5"}, {"channel": [CHANNEL]}),
        ({"channel": "4"}, {"channel": [CHANNEL]}),
        ({"status": "AAA"}, {"status": ["Không có trạng thái hồ sơ 'AAA'."]}),
        ({"mine": "maybe"}, {"mine": ["'mine' phải là true hoặc false."]}),
    ],
)
def test_list_refuses_bad_filters_in_vietnamese(world, make_intake, params, errors):
    make_intake()
    r = api_as(world.reception).get("/api/v1/dossiers/", params)
    assert r.status_code == 400 and r.json() == errors


def test_list_filters_by_channel_status_and_mine(world, make_intake):
    d = make_intake()
    api = api_as(world.reception)
    assert api.get("/api/v1/dossiers/", {"channel": str(d.channel)}).json()["count"] == 1
    other = 2 if d.channel != 2 else 1
    assert api.get("/api/v1/dossiers/", {"channel": str(other)}).json()["count"] == 0
    assert api.get("/api/v1/dossiers/", {"status": d.status, "channel": ""}).json()["count"] == 1
    # mine=false is "not only mine", not a filter (any non-empty value used to filter).
    assert api.get("/api/v1/dossiers/", {"mine": "false"}).json()["count"] == 1


def test_unknown_dossier_is_a_vietnamese_404(world):
    api = api_as(world.reception)
    for r in (
        api.get("/api/v1/dossiers/0/"),
        api.post("/api/v1/dossiers/0/transfer/", {}, format="json"),
        api.post("/api/v1/dossiers/0/fee-payment/", {"amount": 1000, "method": "cash"}, format="json"),
        api.post("/api/v1/dossiers/0/files/", {}, format="multipart"),
    ):
        assert r.status_code == 404
        assert r.json() == {"detail": "Không có hồ sơ nào mang mã này."}


def test_fee_payment_amount_must_be_positive(world, make_intake):
    d = make_intake()
    api = api_as(world.reception)
    for amount in (0, -5, "abc", "1e99"):
        r = api.post(f"/api/v1/dossiers/{d.code}/fee-payment/", {"amount": amount, "method": "cash"}, format="json")
        assert r.status_code == 400 and set(r.json()) == {"amount"}
        assert r.json()["amount"][0] in ("Số tiền phải lớn hơn 0 đ.", "Số tiền phải là số nguyên (đồng).")
    assert not d.fee_payments.exists()


def test_detail_matches_the_schema_types(world, make_intake):
    d = make_intake()  # not assigned yet: assignee is null, documented as nullable
    body = api_as(world.reception).get(f"/api/v1/dossiers/{d.code}/").json()
    assert body["assignee"] is None
    assert body["cutoff"] is None or len(body["cutoff"]) == 8  # HH:MM:SS, no offset


def test_schema_documents_nullable_assignee_local_cutoff_and_404():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    props = schema["components"]["schemas"]["Dossier"]["properties"]
    assert props["assignee"]["nullable"] is True
    assert props["cutoff"].get("format") != "time" and props["cutoff"]["pattern"]
    paths = schema["paths"]
    assert "404" in paths["/api/v1/dossiers/{code}/"]["get"]["responses"]
    assert "404" in paths["/api/v1/dossiers/{code}/transfer/"]["post"]["responses"]
    assert "400" in paths["/api/v1/dossiers/"]["get"]["responses"]
    assert list(paths["/api/v1/dossiers/"]["post"]["requestBody"]["content"]) == ["application/json"]
    assert paths["/api/v1/dossiers/{code}/fee-payment/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    fee_in = schema["components"]["schemas"]["FeePaymentIn"]["properties"]["amount"]
    assert fee_in["minimum"] == 1


def test_public_lookup_times_are_vietnam_time(world, make_intake):
    d = make_intake()
    body = APIClient().get("/api/v1/dossiers/lookup/", {"code": d.code, "key": "0123"}).json()
    assert body["received_at"].endswith("+07:00") and body["due_at"].endswith("+07:00")
    assert body["history"] and all(step["at"].endswith("+07:00") for step in body["history"])
    detail = api_as(world.reception).get(f"/api/v1/dossiers/{d.code}/").json()
    assert body["received_at"] == detail["received_at"] and body["due_at"] == detail["due_at"]


def test_action_json_body_has_no_file(world, make_intake):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["paths"]["/api/v1/dossiers/{code}/result-ready/"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["$ref"].endswith("/DossierActionJSON")
    assert "result_file" not in schema["components"]["schemas"]["DossierActionJSON"]["properties"]
    assert schema["components"]["schemas"]["DossierAction"]["properties"]["result_file"]["format"] == "binary"
    d = make_intake()
    r = api_as(world.reception).post(f"/api/v1/dossiers/{d.code}/transfer/", {"result_file": "x"}, format="json")
    assert r.status_code == 400
    assert r.json() == {"result_file": ["Dữ liệu gửi lên không phải là tệp. Hãy gửi tệp trong một biểu mẫu multipart/form-data."]}


def test_unknown_unit_errors_are_lists_like_every_field_error(world, make_intake):
    d = make_intake()
    api = api_as(world.reception)
    r = api.post(f"/api/v1/dossiers/{d.code}/transfer/", {"to_unit": "khong-co"}, format="json")
    assert r.status_code == 400 and r.json() == {"to_unit": ["Không tìm thấy đơn vị."]}
    body = {"procedure_code": "9.999999", "receiving_unit": world.centre.code, "channel": 1, "applicant": {"name": "An"}, "components": []}
    r = api.post("/api/v1/dossiers/", body, format="json")
    assert r.status_code == 400 and isinstance(r.json()["procedure_code"], list)
