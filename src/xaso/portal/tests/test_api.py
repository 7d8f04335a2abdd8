"""The portal's and the vault's API under /api/v1/: the same rules as the pages."""
import pytest
from rest_framework.test import APIClient

from xaso.dossiers import services as ds
from xaso.dossiers.models import Dossier
from xaso.vault.models import Document

from .helpers import jpeg, pdf, submitted, to_result

pytestmark = pytest.mark.django_db


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_submission_through_the_api(commune, birth):
    c = api(commune.citizen)
    r = c.post("/api/v1/portal/drafts/", {"procedure_code": birth.code}, format="json")
    assert r.status_code == 201, r.data
    draft = r.data["id"]
    assert [d["title"] for d in r.data["documents"]] == ["Tờ khai đăng ký khai sinh theo mẫu", "Giấy chứng sinh"]
    assert r.data["documents"][1]["condition"] == "nếu không có: văn bản của người làm chứng"
    r = c.post(f"/api/v1/portal/drafts/{draft}/applicant/", {"role": "self", "name": "Nguyễn Văn An", "id_number": "038085001234", "address": "Thôn 1", "phone": "0912345678"}, format="json")
    assert r.status_code == 200, r.data
    r = c.post(f"/api/v1/portal/drafts/{draft}/documents/0/files/", {"files": [jpeg(), pdf()]}, format="multipart")
    assert r.status_code == 201, r.data
    assert [f["is_photo"] for f in r.data["documents"][0]["files"]] == [True, False]
    # A refused file: 400 naming it, nothing kept.
    r = c.post(f"/api/v1/portal/drafts/{draft}/documents/0/files/", {"files": [pdf("x.pdf", b"")]}, format="multipart")
    assert r.status_code == 400 and "x.pdf" in r.data["files"][0]
    desks = c.get("/api/v1/portal/desks/").data
    r = c.post(f"/api/v1/portal/drafts/{draft}/delivery/", {"commune": desks[0]["commune"], "delivery": "online"}, format="json")
    assert r.status_code == 200 and r.data["problems"] == {}
    r1 = c.post(f"/api/v1/portal/drafts/{draft}/submit/")
    r2 = c.post(f"/api/v1/portal/drafts/{draft}/submit/")
    assert (r1.status_code, r2.status_code) == (201, 200) and r1.data["code"] == r2.data["code"]
    assert Dossier.objects.count() == 1
    code = r1.data["code"]
    mine = c.get("/api/v1/portal/my-dossiers/").data
    assert [d["code"] for d in mine] == [code] and mine[0]["status_text"] == "Đã gửi; bộ phận một cửa đang kiểm tra"


def test_not_found_outside_the_account(commune, birth):
    d = submitted(commune.citizen, birth)
    c = api(commune.other)
    assert c.get(f"/api/v1/portal/my-dossiers/{d.code}/").status_code == 404
    assert c.post(f"/api/v1/portal/my-dossiers/{d.code}/stop/", {"reasons": "x"}, format="json").status_code == 404
    assert c.get(f"/api/v1/portal/my-dossiers/{d.code}/result/").status_code == 404
    mine = api(commune.citizen)
    draft = mine.post("/api/v1/portal/drafts/", {"procedure_code": birth.code, "new": True}, format="json").data["id"]
    assert c.get(f"/api/v1/portal/drafts/{draft}/").status_code == 404
    assert c.post(f"/api/v1/portal/drafts/{draft}/submit/").status_code == 404
    doc = Document.objects.filter(owner=commune.citizen).first()
    assert c.get(f"/api/v1/vault/documents/{doc.pk}/").status_code == 404
    assert c.get(f"/api/v1/vault/documents/{doc.pk}/file/").status_code == 404
    assert c.delete(f"/api/v1/vault/documents/{doc.pk}/").status_code == 404
    # Officials use the staff API.
    assert api(commune.reception).get("/api/v1/portal/my-dossiers/").status_code == 403
    assert APIClient().get("/api/v1/vault/documents/").status_code in (401, 403)


def test_supplement_stop_documents_and_result(commune, birth):
    c = api(commune.citizen)
    d = submitted(commune.citizen, birth)
    r = c.post(f"/api/v1/portal/my-dossiers/{d.code}/supplement/", {"item_0_files": [pdf()]}, format="multipart")
    assert r.status_code == 400 and "Không có yêu cầu bổ sung" in r.data["detail"]
    ds.reception_supplement(d, commune.reception, items=["Tờ khai có chữ ký"], reason="Thiếu chữ ký.")
    detail = c.get(f"/api/v1/portal/my-dossiers/{d.code}/").data
    assert detail["supplement"] == {"items": ["Tờ khai có chữ ký"], "reason": "Thiếu chữ ký."}
    assert [e["kind"] for e in detail["expected"]] == ["supplement"]
    r = c.post(f"/api/v1/portal/my-dossiers/{d.code}/supplement/", {"item_0_files": [jpeg()]}, format="multipart")
    assert r.status_code == 200 and r.data["status"] == "submitted"
    d.refresh_from_db()
    d = to_result(d, commune)
    detail = c.get(f"/api/v1/portal/my-dossiers/{d.code}/").data
    assert detail["result_available"] and {x["kind"] for x in detail["documents"]} == {"receipt", "supplement"}
    receipt = next(x for x in detail["documents"] if x["kind"] == "receipt")
    r = c.get(f"/api/v1/portal/my-dossiers/{d.code}/documents/{receipt['id']}/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = c.get(f"/api/v1/portal/my-dossiers/{d.code}/result/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    r = c.post(f"/api/v1/portal/my-dossiers/{d.code}/stop/", {"reasons": "Không cần nữa"}, format="json")
    assert r.status_code == 400 and "không thể dừng" in r.data["detail"].lower()


def test_vault_api(commune, birth):
    c = api(commune.citizen)
    types = c.get("/api/v1/vault/types/").data
    assert {"code": "giay-chung-sinh", "name": "Giấy chứng sinh", "reusable": True, "has_expiry": False} in types
    r = c.post("/api/v1/vault/documents/", {"doc_type": "can-cuoc", "title": "CCCD", "valid_until": "2040-01-01", "file": jpeg()}, format="multipart")
    assert r.status_code == 201, r.data
    pk = r.data["id"]
    r = c.post("/api/v1/vault/documents/", {"doc_type": "can-cuoc", "issued_on": "2099-01-01", "file": pdf()}, format="multipart")
    assert r.status_code == 400 and "tương lai" in r.data["issued_on"][0]
    r = c.patch(f"/api/v1/vault/documents/{pk}/", {"number": "038085001234"}, format="json")
    assert r.status_code == 200 and r.data["number"] == "038085001234"
    assert c.get(f"/api/v1/vault/documents/{pk}/").data["access_log"] == []
    assert c.get(f"/api/v1/vault/documents/{pk}/file/").status_code == 200
    assert c.delete(f"/api/v1/vault/documents/{pk}/").status_code == 204
    assert c.get("/api/v1/vault/access-log/").status_code == 200


def test_reuse_through_the_api(commune, birth):
    c = api(commune.citizen)
    cert = c.post("/api/v1/vault/documents/", {"doc_type": "giay-chung-sinh", "title": "Giấy chứng sinh bé Bình", "file": pdf("gcs.pdf", b"%PDF-1.4 c")}, format="multipart").data
    draft = c.post("/api/v1/portal/drafts/", {"procedure_code": birth.code}, format="json").data
    assert [v["id"] for v in draft["documents"][1]["reusable"]] == [cert["id"]]
    r = c.post(f"/api/v1/portal/drafts/{draft['id']}/documents/1/choice/", {"mode": "vault", "vault": cert["id"]}, format="json")
    assert r.status_code == 200 and r.data["documents"][1]["mode"] == "vault"
    r = c.post(f"/api/v1/portal/drafts/{draft['id']}/documents/0/choice/", {"mode": "counter"}, format="json")
    assert r.status_code == 400 and "toàn trình" in r.data["mode"][0]
