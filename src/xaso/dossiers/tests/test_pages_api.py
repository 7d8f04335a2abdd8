"""Staff pages, the public lookup and the API."""
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from xaso.dossiers import services
from xaso.dossiers.models import Dossier
from xaso.dossiers.states import Status

from .conftest import api_as, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_2fa(settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    cache.clear()


def login(client, user):
    client.force_login(user)
    return client


def test_worklist_and_detail_pages(client, world, make_intake):
    d = make_intake()
    services.transfer(d, world.reception, now=at(2026, 3, 2, 10))
    services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 11))
    login(client, world.specialist)
    r = client.get(reverse("dossiers:my_work"))
    assert r.status_code == 200 and d.code in r.content.decode()
    assert 'lang="vi"' in r.content.decode()
    r = client.get(reverse("dossiers:detail", args=[d.code]))
    html = r.content.decode()
    assert r.status_code == 200 and d.procedure_name in html
    # Buttons offered = actions allowed by the state table for this user.
    offered = set(re.findall(r'data-action="([a-z_]+)"', html))
    assert offered == set(services.allowed_actions(Dossier.objects.get(pk=d.pk), world.specialist))
    assert "submit_for_approval" in offered and "approve" not in offered
    # An official of another commune cannot open it: outside his scope, as if it did not exist.
    client.force_login(world.outsider_specialist)
    assert client.get(reverse("dossiers:detail", args=[d.code])).status_code == 404


def test_act_through_page_and_refusal_message(client, world, make_intake):
    d = make_intake()
    login(client, world.reception)
    r = client.post(reverse("dossiers:act", args=[d.code, "transfer"]), {"transfer-note": ""}, follow=True)
    assert r.status_code == 200
    assert Dossier.objects.get(pk=d.pk).status == Status.TRANSFERRED
    r = client.post(reverse("dossiers:act", args=[d.code, "transfer"]), {"transfer-note": ""}, follow=True)
    assert Dossier.objects.get(pk=d.pk).status == Status.TRANSFERRED
    assert "alert-danger" in r.content.decode()


def test_an_action_form_sent_after_the_dossier_changed(client, world, make_intake, vietnamese_pages):
    """The page's action forms carry the dossier's last event: sent twice (double click,
    resent form) the second says "already done"; sent after a colleague acted, it asks to
    look again; neither changes the dossier."""
    d = make_intake()
    login(client, world.reception)
    html = client.get(reverse("dossiers:detail", args=[d.code])).content.decode()
    seen = re.search(r'name="seen" value="(\d+)"', html).group(1)
    url = reverse("dossiers:act", args=[d.code, "transfer"])
    first = client.post(url, {"seen": seen, "transfer-note": ""}, follow=True)
    assert "alert-success" in first.content.decode()
    events = d.events.count()
    again = client.post(url, {"seen": seen, "transfer-note": ""}, follow=True).content.decode()
    assert "Đã thực hiện" in again and "alert-danger" not in again and d.events.count() == events
    # The head's page was drawn before the specialist's colleague (another head) assigned it.
    login(client, world.head)
    html = client.get(reverse("dossiers:detail", args=[d.code])).content.decode()
    seen = re.search(r'name="seen" value="(\d+)"', html).group(1)
    other_head = world.official("truongphong2", world.dept, "unit_head")
    services.assign(Dossier.objects.get(pk=d.pk), other_head, specialist=world.specialist2, now=at(2026, 3, 2, 11))
    r = client.post(reverse("dossiers:act", args=[d.code, "assign"]), {"seen": seen, "assign-specialist": world.specialist.pk}, follow=True).content.decode()
    assert "đã thay đổi" in r and "Truongphong2" in r
    assert Dossier.objects.get(pk=d.pk).assignee == world.specialist2  # not reassigned
    # A form without the marker (an older page) is still checked by the state table.
    r = client.post(url, {"transfer-note": ""}, follow=True).content.decode()
    assert "alert-danger" in r


def test_desk_documents_book(client, world, make_intake):
    d = make_intake()
    login(client, world.reception)
    assert d.code in client.get(reverse("dossiers:desk")).content.decode()
    doc = d.documents.get(kind="receipt")
    r = client.get(reverse("dossiers:document", args=[d.code, doc.pk, "pdf"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    r = client.get(reverse("dossiers:document", args=[d.code, doc.pk, "docx"]))
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = client.get(reverse("dossiers:control_sheet", args=[d.code, "pdf"]))
    assert r.status_code == 200
    r = client.get(reverse("dossiers:book"), {"unit": world.centre.pk, "from": "2026-03-01", "to": "2026-03-31", "download": "1"})
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_counter_intake_page(client, world):
    from pathlib import Path

    from xaso.catalog.importer import import_file
    from xaso.catalog.models import ProcedureVersion

    import_file(Path(__file__).resolve().parents[2] / "catalog" / "fixtures" / "procedures.csv")
    v = ProcedureVersion.objects.filter(valid_to__isnull=True, processing_unit="working_days", processing_amount__gt=0).select_related("procedure").first()
    login(client, world.reception)
    r = client.get(reverse("dossiers:intake"), {"procedure": v.procedure.code})
    assert r.status_code == 200
    terms = services.terms_from_version(v, world.commune)
    data = {"procedure": v.procedure.code, "receiving_unit": world.centre.pk, "applicant_kind": "citizen", "applicant_name": "Lê Thị Bình", "applicant_phone": "0987654321", "channel": 1, "delivery": "counter", "copies": 1}
    for i, doc in enumerate(terms.documents):
        data[f"doc_{i}_submitted"] = "on"
    r = client.post(reverse("dossiers:intake"), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    d = Dossier.objects.get(applicant_name="Lê Thị Bình")
    assert d.procedure_version == v and d.status == Status.RECEIVED
    # Linked to the citizen's account (VNeID-verified: counted by the index).
    r = client.post(reverse("dossiers:intake"), {**data, "applicant_name": "Nguyễn Văn An", "account_phone": world.citizen.phone})
    assert r.status_code == 302
    linked = Dossier.objects.get(applicant_name="Nguyễn Văn An")
    assert linked.applicant_account == world.citizen and linked.vneid_verified
    r = client.post(reverse("dossiers:intake"), {**data, "account_phone": "0900000000"})
    assert r.status_code == 200 and 'id="id_account_phone-error"' in r.content.decode()
    assert Dossier.objects.count() == 2
    linked.delete()
    # Bad phone: a clear error on the field, nothing created.
    data["applicant_phone"] = "12ab"
    r = client.post(reverse("dossiers:intake"), data)
    assert r.status_code == 200 and 'aria-invalid="true"' in r.content.decode()
    assert Dossier.objects.count() == 1


def test_public_lookup_page(client, world, make_intake):
    d = make_intake()
    r = client.get(reverse("lookup:lookup"), {"ma": d.code, "k": "5678"})
    html = r.content.decode()
    assert r.status_code == 200 and d.procedure_name in html and "lookup-status" in html
    # No names or personal data.
    assert d.applicant_name not in html and "motcua" not in html.lower() and "Motcua" not in html
    assert client.get(reverse("lookup:lookup"), {"ma": d.code, "k": d.lookup_secret}).context["d"] == d
    r = client.get(reverse("lookup:lookup"), {"ma": d.code, "k": "0000"})
    assert "d" not in r.context and r.context["error"]


def test_public_lookup_rate_limited(client, world, make_intake, settings):
    settings.XASO_LOOKUP_RATE = "3/m"
    d = make_intake()
    codes = [client.get(reverse("lookup:lookup"), {"ma": d.code, "k": "0000"}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429


def test_api_flow(world, make_intake):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.create(user=world.reception).key)
    d = make_intake()
    r = api.get("/api/v1/dossiers/", {"status": "received"})
    assert r.status_code == 200 and r.data["count"] == 1 and r.data["results"][0]["code"] == d.code
    r = api.get(f"/api/v1/dossiers/{d.code}/")
    assert r.status_code == 200 and r.data["events"][0]["action"] == "intake" and "transfer" in r.data["allowed_actions"]
    r = api.post(f"/api/v1/dossiers/{d.code}/transfer/", {}, format="json")
    assert r.status_code == 200 and r.data["status"] == "transferred"
    r = api.post(f"/api/v1/dossiers/{d.code}/transfer/", {}, format="json")
    assert r.status_code == 409
    r = api.post(f"/api/v1/dossiers/{d.code}/assign/", {"specialist": "chuyenvien"}, format="json")
    assert r.status_code == 403  # reception cannot assign
    head = api_as(world.head)
    r = head.post(f"/api/v1/dossiers/{d.code}/assign/", {"specialist": "chuyenvien"}, format="json")
    assert r.status_code == 200 and r.data["assignee"] == "chuyenvien"
    sp = api_as(world.specialist)
    r = sp.post(f"/api/v1/dossiers/{d.code}/request-supplement/", {"reason": "Thiếu", "items": []}, format="json")
    assert r.status_code == 400 and r.data["detail"]
    assert sp.get("/api/v1/dossiers/", {"mine": "1"}).data["count"] == 1
    # Public lookup without authentication.
    anon = APIClient()
    r = anon.get("/api/v1/dossiers/lookup/", {"code": d.code, "key": "0123"})
    assert r.status_code == 200 and r.data["status"] == "in_progress" and "applicant_name" not in r.data
    assert anon.get("/api/v1/dossiers/lookup/", {"code": d.code, "key": "9999"}).status_code == 404
    assert anon.get("/api/v1/dossiers/").status_code in (401, 403)


def test_api_create(world):
    from pathlib import Path

    from xaso.catalog.importer import import_file
    from xaso.catalog.models import ProcedureVersion

    import_file(Path(__file__).resolve().parents[2] / "catalog" / "fixtures" / "procedures.csv")
    v = ProcedureVersion.objects.filter(valid_to__isnull=True, processing_unit="working_days", processing_amount__gt=0).select_related("procedure").first()
    terms = services.terms_from_version(v, world.commune)
    body = {
        "procedure_code": v.procedure.code,
        "receiving_unit": world.centre.code,
        "channel": 2,
        "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678"},
        "components": [{"name": d["name"]} for d in terms.documents],
    }
    citizen = api_as(world.citizen)
    r = citizen.post("/api/v1/dossiers/", body, format="json")
    assert r.status_code == 201 and r.data["status"] == "submitted"
    assert citizen.get("/api/v1/dossiers/").data["count"] == 1
    body["channel"] = 1
    assert citizen.post("/api/v1/dossiers/", body, format="json").status_code == 400
    officer = api_as(world.reception)
    r = officer.post("/api/v1/dossiers/", body, format="json")
    assert r.status_code == 201 and r.data["status"] == "received"
    body["components"] = []
    if terms.documents:
        r = officer.post("/api/v1/dossiers/", body, format="json")
        assert r.status_code == 400 and r.data["detail"]


def test_api_read_is_audited(world, make_intake):
    from xaso.core.models import AuditRecord

    d = make_intake()
    api = api_as(world.reception)
    assert api.get(f"/api/v1/dossiers/{d.code}/").status_code == 200
    assert AuditRecord.objects.filter(action="read", object_id=str(d.pk)).exists()
    outsider = api_as(world.outsider_reception)
    assert outsider.get(f"/api/v1/dossiers/{d.code}/").status_code == 404


def test_public_lookup_api_rate_limited(client, world, make_intake, settings):
    from rest_framework.test import APIClient as Anonymous

    settings.XASO_LOOKUP_RATE = "3/m"
    d = make_intake()
    anon = Anonymous()
    codes = [anon.get("/api/v1/dossiers/lookup/", {"code": d.code, "key": "5678"}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429
    # The page and the API share one budget per IP.
    assert client.get("/tra-cuu/", {"ma": d.code, "k": "5678"}).status_code == 429
