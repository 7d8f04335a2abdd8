"""The API applies the same rules as the pages, and an idempotent replay with another body is
a conflict.

The attacks: the API accepted ``999999999999`` as a personal identification number (no
province has code 999); a request replayed with the same ``Idempotency-Key`` and a different
body silently returned the first dossier, as if the second submission had been received."""
import pytest

from xaso.catalog.models import ProcedureVersion
from xaso.dossiers import services
from xaso.dossiers.models import Dossier
from xaso.dossiers.services import DossierError

from .conftest import api_as, applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(world, catalogue):
    v = ProcedureVersion.objects.filter(valid_to__isnull=True, processing_unit="working_days", processing_amount__gt=0).select_related("procedure").first()
    terms = services.terms_from_version(v, world.commune)
    return {
        "procedure_code": v.procedure.code, "receiving_unit": world.centre.code, "channel": 1, "delivery": "counter",
        "applicant": {"name": "Lê Thị Bình", "phone": "0987654321", "id_number": "038195000123"},
        "components": [{"name": d["name"]} for d in terms.documents],
    }


@pytest.mark.parametrize("number", ["999999999999", "038999000123", "12345", "03819500012a"])
def test_an_invalid_identification_number_is_refused(world, body, number):
    body["applicant"]["id_number"] = number
    r = api_as(world.reception).post("/api/v1/dossiers/", body, format="json")
    assert r.status_code == 400, r.content
    assert not Dossier.objects.exists()


def test_the_service_refuses_it_for_the_pages_too(world, make_intake):
    with pytest.raises(DossierError):
        make_intake(applicant=applicant(id_number="999999999999"))
    with pytest.raises(DossierError):
        make_intake(applicant=applicant(agent_name="Trần Văn B", agent_id_number="999999999999"))


@pytest.mark.parametrize("number", ["038195000123", "038 195 000 123", "123456789", "C1234567", "0100109106", "0100109106-001"])
def test_valid_numbers_pass(world, make_intake, number):
    kind = "organisation" if number.startswith("0100") else "citizen"
    assert make_intake(applicant=applicant(id_number=number, kind=kind)).pk


def test_a_replay_with_another_body_is_a_422_conflict(world, body):
    api = api_as(world.reception)
    key = "3f1c9a52-7a4e-4c1e-9d1b-2b1f0e6c8a11"
    first = api.post("/api/v1/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201
    same = api.post("/api/v1/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert same.status_code == 200 and same.json()["code"] == first.json()["code"]
    other = {**body, "applicant": {**body["applicant"], "name": "Người Khác"}}
    r = api.post("/api/v1/dossiers/", other, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert r.status_code == 422, r.content
    assert "Idempotency-Key" in r.json()["detail"] and first.json()["code"] in r.json()["detail"]
    assert Dossier.objects.count() == 1 and Dossier.objects.get().applicant_name == "Lê Thị Bình"
