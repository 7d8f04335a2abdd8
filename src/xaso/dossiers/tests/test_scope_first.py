"""Every dossier endpoint resolves the dossier through the caller's scope first (404 outside
it, the same answer as for a code that does not exist), then checks the role (403), then the
state (409). Before, the action, fee-payment and file endpoints loaded any dossier by its
code and checked the state first: any logged-in account could probe codes and read a
dossier's status from the 409 message while GET on the same dossier answered 404."""
import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from xaso.core.models import Role, Unit, User
from xaso.dossiers.states import Action

from .conftest import PDF, api_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def outsiders(world):
    """An official of another commune, a citizen who is not the applicant, and an official
    of another unit of the same commune (who holds every staff role there)."""
    economy = Unit.objects.create(parent=world.commune, kind=Unit.Kind.DEPARTMENT, code="nl-kt", name="Phòng Kinh tế", identifier="000.03.22.H56")
    other_unit = world.official("kinhte", economy, Role.SPECIALIST)
    for role in (Role.UNIT_HEAD, Role.RECEPTION):
        other_unit.memberships.create(unit=economy, role=role)
    stranger = User.objects.create_user(username="0987654321", password="x" * 12, kind=User.Kind.CITIZEN, phone="0987654321")
    return {"other commune": world.outsider_head, "citizen": stranger, "other unit": other_unit}


@pytest.fixture
def dossier(make_intake):
    return make_intake()


API_ACTIONS = [a.value.replace("_", "-") for a in Action]


def _api_calls(code, component_id):
    base = f"/api/v1/dossiers/{code}/"
    calls = [("get", base, None), ("post", base + "fee-payment/", {"amount": 1000, "method": "cash"})]
    calls += [("post", f"{base}{a}/", {}) for a in API_ACTIONS]
    calls.append(("post", base + "files/", {"component": component_id, "file": ContentFile(PDF, name="scan.pdf")}))
    return calls


@pytest.mark.parametrize("who", ["other commune", "citizen", "other unit"])
def test_api_answers_404_outside_the_callers_scope_on_every_endpoint(world, dossier, outsiders, who):
    api = api_as(outsiders[who])
    comp = dossier.components.exclude(file="").first().pk
    unknown = _api_calls("000.01.22.H56-260302-9999", comp)
    for (method, url, data), (_m, unknown_url, _d) in zip(_api_calls(dossier.code, comp), unknown):
        fmt = "multipart" if url.endswith("files/") else "json"
        r = getattr(api, method)(url, data, format=fmt) if method == "post" else api.get(url)
        assert r.status_code == 404, (who, url, r.status_code, r.content[:200])
        # The same answer as for a code that does not exist: nothing tells them apart.
        r2 = getattr(api, method)(unknown_url, data, format=fmt) if method == "post" else api.get(unknown_url)
        assert (r2.status_code, r2.json()) == (r.status_code, r.json()), url
        assert dossier.get_status_display() not in r.content.decode()


def _page_calls(d):
    comp = d.components.exclude(file="").first()
    doc = d.documents.first()
    calls = [
        ("get", reverse("dossiers:detail", args=[d.code])),
        ("post", reverse("dossiers:fee_payment", args=[d.code])),
        ("get", reverse("dossiers:document", args=[d.code, doc.pk, "pdf"])),
        ("get", reverse("dossiers:control_sheet", args=[d.code, "pdf"])),
        ("get", reverse("dossiers:result_file", args=[d.code])),
        ("get", reverse("dossiers:component_file", args=[d.code, comp.pk])),
    ]
    calls += [("post", reverse("dossiers:act", args=[d.code, a.value])) for a in Action]
    return calls


@pytest.mark.parametrize("who", ["other commune", "other unit"])
def test_pages_answer_404_outside_the_callers_scope(world, dossier, outsiders, who):
    client = Client()
    client.force_login(outsiders[who])
    for method, url in _page_calls(dossier):
        r = getattr(client, method)(url)
        assert r.status_code == 404, (who, url, r.status_code)


def test_citizen_gets_no_staff_page_of_a_dossier(world, dossier, outsiders):
    client = Client()
    client.force_login(outsiders["citizen"])
    for method, url in _page_calls(dossier):
        assert getattr(client, method)(url).status_code in (403, 404), url


def test_in_scope_the_role_is_checked_before_the_state(world, dossier):
    # The specialist of the competent unit sees the dossier once it is transferred there; he
    # may not "receive" it (reception's), whatever its state: 403, not 409.
    from xaso.dossiers import services

    services.transfer(dossier, world.reception)
    api = api_as(world.specialist)
    assert api.get(f"/api/v1/dossiers/{dossier.code}/").status_code == 200
    r = api.post(f"/api/v1/dossiers/{dossier.code}/receive/", {}, format="json")
    assert r.status_code == 403, r.json()
    # With the role, the state decides: 409 (it is transferred already).
    r = api_as(world.reception).post(f"/api/v1/dossiers/{dossier.code}/transfer/", {}, format="json")
    assert r.status_code == 409, r.json()


def test_the_applicant_sees_his_own_online_dossier_and_acts_as_applicant(world):
    from xaso.dossiers import services

    from .conftest import applicant, components

    d = services.submit_online(user=world.citizen, terms=world.terms, applicant=applicant(), components=components(), receiving_unit=world.centre)
    api = api_as(world.citizen)
    assert api.get(f"/api/v1/dossiers/{d.code}/").status_code == 200
    # Not his action: 403 (role), not 404 (it is in his scope).
    assert api.post(f"/api/v1/dossiers/{d.code}/receive/", {}, format="json").status_code == 403
