import pytest
from django.urls import reverse

from xaso.catalog.models import Procedure

pytestmark = pytest.mark.django_db


def test_search_is_accent_insensitive(client, catalogue):
    for query in ("dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Dang Ky Khai Sinh"):
        page = client.get("/thu-tuc/", {"q": query}).content.decode()
        assert "Đăng ký khai sinh" in page
    page = client.get("/thu-tuc/", {"q": "1.001193"}).content.decode()
    assert "Đăng ký khai sinh" in page
    page = client.get("/thu-tuc/", {"q": "chung thuc"})
    assert page.context["page"].paginator.count == 8  # the field name matches too


def test_pages_render_in_vietnamese(client, catalogue):
    response = client.get("/thu-tuc/")
    assert response.status_code == 200 and "Tra cứu theo lĩnh vực" in response.content.decode()
    assert response.context["page"].paginator.count == 50
    assert client.get("/thu-tuc/", {"page": 3}).status_code == 200
    response = client.get("/thu-tuc/linh-vuc/ho-tich/")
    assert response.status_code == 200 and response.context["page"].paginator.count == 16
    page = client.get("/thu-tuc/1.001193/").content.decode()
    assert ">Miễn phí</span>" in page and "15:00" in page
    # Curation notes are for staff: no "default process" remark, no source remarks.
    assert "Quy trình mặc định" not in page and "Cổng DVCQG 2026" not in page and "chưa xác minh" not in page
    assert "đăng ký không đúng hạn: mức do HĐND tỉnh quy định;" in page  # the fact stays
    page = client.get("/thu-tuc/2.000908/").content.decode()  # fee not confirmed
    # An unknown fact: one plain sentence to ask the centre, not "not determined".
    assert "Chưa có thông tin công bố: xin hỏi" in page and ">Miễn phí</span>" not in page
    assert 'class="text-unknown">chưa xác định</span>' not in page
    page = client.get("/thu-tuc/1.001612/").content.decode()
    assert "Hội đồng nhân dân tỉnh" in page
    assert client.get("/thu-tuc/9.999999/").status_code == 404


def test_history_only_for_staff(client, catalogue, django_user_model):
    from xaso.catalog import services

    services.publish_new_version(Procedure.objects.get(code="1.001193"), {"result": "Giấy khai sinh"})
    assert "?v=1" not in client.get("/thu-tuc/1.001193/").content.decode()
    staff = django_user_model.objects.create_user("canbo", password="x" * 12, is_staff=True)
    client.force_login(staff)
    page = client.get("/thu-tuc/1.001193/").content.decode()
    assert "?v=1" in page
    old = client.get("/thu-tuc/1.001193/", {"v": 1})
    assert old.context["version"].number == 1 and not old.context["is_current"]


def test_api_list_detail_404(client, catalogue):
    data = client.get("/api/v1/procedures/", {"q": "dang ky khai sinh"}).json()
    assert data["count"] >= 1 and any(r["code"] == "1.001193" for r in data["results"])
    data = client.get("/api/v1/procedures/", {"field": "chung-thuc"}).json()
    assert data["count"] == 8
    detail = client.get("/api/v1/procedures/1.001193/").json()
    version = detail["current_version"]
    assert version["processing"] == {"amount": 0, "unit": "same_day", "note": version["processing"]["note"], "cutoff": "15:00"}
    assert version["fees"][0]["kind"] == "free"
    assert len(version["steps"]) == 6 and sum(s["share"] for s in version["steps"]) == 100
    missing = client.get("/api/v1/procedures/9.999999/")
    assert missing.status_code == 404 and missing.json() == {"detail": "Không có thủ tục nào mang mã này."}


def test_api_cutoff_is_documented_as_it_is_sent(client, catalogue):
    import re

    from drf_spectacular.generators import SchemaGenerator

    cutoff = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]["Processing"]["properties"]["cutoff"]
    assert "format" not in cutoff and cutoff["nullable"] is True
    sent = client.get("/api/v1/procedures/1.001193/").json()["current_version"]["processing"]["cutoff"]
    assert re.fullmatch(cutoff["pattern"], sent)


def test_schema_documents_the_endpoints(client):
    schema = client.get(reverse("schema")).content.decode()
    assert "/api/v1/procedures/{code}/" in schema and "ProcedureDetail" in schema and "'404'" in schema


def test_best_match_comes_first(client, catalogue):
    results = client.get("/api/v1/procedures/", {"q": "dang ky khai sinh"}).json()["results"]
    assert results[0]["code"] == "1.001193"
    results = client.get("/api/v1/procedures/", {"q": "ket hon"}).json()["results"]
    assert results[0]["code"] == "1.000894"
