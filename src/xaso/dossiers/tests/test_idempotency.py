"""A dossier is received once per submission: a double click, a retried request or a
replayed API call with the same submission key gives back the first dossier."""
import pytest
from django.db import connection
from django.urls import reverse

from xaso.catalog.models import ProcedureVersion
from xaso.core.tests.parallel import run_parallel
from xaso.dossiers import services
from xaso.dossiers.models import CodeCounter, Dossier, Event
from xaso.dossiers.services import DossierError
from xaso.notifications.models import Message as OutboxMessage

from .conftest import api_as, applicant, at, components


pytestmark = pytest.mark.django_db


def test_intake_with_the_same_key_receives_once(world, make_intake):
    first = make_intake(request_key="form-1")
    outbox = OutboxMessage.objects.count()
    again = make_intake(request_key="form-1", now=at(2026, 3, 2, 9, 1))
    assert not first.replayed and again.replayed
    assert again.pk == first.pk and Dossier.objects.count() == 1
    assert Event.objects.filter(dossier=first, action="intake").count() == 1
    assert OutboxMessage.objects.count() == outbox  # no second SMS or e-mail
    # the next dossier of the day takes the next number: the replay used none
    assert make_intake(request_key="form-2").code.endswith("-0002")
    # without a key every request is a new dossier, as before
    assert make_intake().code.endswith("-0003")


def test_a_key_belongs_to_whoever_used_it_first(world, make_intake):
    make_intake(request_key="shared")
    other = world.official("motcua2", world.centre, "reception")
    with pytest.raises(DossierError, match="đã được dùng|already used"):
        make_intake(request_key="shared", officer=other)
    with pytest.raises(DossierError):
        services.submit_online(user=world.citizen, terms=world.terms, applicant=applicant(), components=components(), receiving_unit=world.centre, request_key="shared")
    assert Dossier.objects.count() == 1


@pytest.mark.parametrize("key", ["x" * 65, "khóa", "a b", "tab\there"])
def test_bad_keys_are_refused(world, make_intake, key):
    with pytest.raises(DossierError):
        make_intake(request_key=key)
    assert not Dossier.objects.exists()


def test_online_submission_with_the_same_key(world):
    def submit():
        return services.submit_online(user=world.citizen, terms=world.terms, applicant=applicant(), components=components(), receiving_unit=world.centre, request_key="app-7f3a", now=at(2026, 3, 2, 20))

    a, b = submit(), submit()
    assert a.pk == b.pk and b.replayed and Dossier.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_double_click_at_the_same_moment_receives_once(world, make_intake):
    codes, errors = run_parallel(4, lambda i: make_intake(request_key="double-click", now=at(2026, 3, 2, 9, i)).code)
    assert not errors, [e.tb for e in errors]
    assert len(set(codes)) == 1 and Dossier.objects.count() == 1
    assert CodeCounter.objects.get().last == 1  # the losers' numbers were rolled back: no gap


def test_intake_page_sent_twice(client, world, catalogue, vietnamese_pages):
    v = ProcedureVersion.objects.filter(valid_to__isnull=True, processing_unit="working_days", processing_amount__gt=0).select_related("procedure").first()
    client.force_login(world.reception)
    page = client.get(reverse("dossiers:intake"), {"procedure": v.procedure.code}).content.decode()
    assert 'name="request_key"' in page
    key = page.split('name="request_key" value="', 1)[1].split('"', 1)[0]
    assert len(key) == 32
    terms = services.terms_from_version(v, world.commune)
    data = {"procedure": v.procedure.code, "receiving_unit": world.centre.pk, "applicant_kind": "citizen", "applicant_name": "Lê Thị Bình",
            "applicant_phone": "0987654321", "channel": 1, "delivery": "counter", "copies": 1, "request_key": key}
    for i, _doc in enumerate(terms.documents):
        data[f"doc_{i}_submitted"] = "on"
    first = client.post(reverse("dossiers:intake"), data)
    second = client.post(reverse("dossiers:intake"), data, follow=True)
    d = Dossier.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("dossiers:detail", args=[d.code])
    assert second.redirect_chain[-1][0] == reverse("dossiers:detail", args=[d.code])
    assert "đã được gửi" in second.content.decode()
    # a fresh form has a fresh key
    again = client.get(reverse("dossiers:intake"), {"procedure": v.procedure.code}).content.decode()
    assert key not in again


def test_api_idempotency_key(world, catalogue):
    v = ProcedureVersion.objects.filter(valid_to__isnull=True, processing_unit="working_days", processing_amount__gt=0).select_related("procedure").first()
    terms = services.terms_from_version(v, world.commune)
    api = api_as(world.reception)
    body = {"procedure_code": v.procedure.code, "receiving_unit": world.centre.code, "channel": 1, "delivery": "counter",
            "applicant": {"name": "Lê Thị Bình", "phone": "0987654321"}, "components": [{"name": d["name"]} for d in terms.documents]}
    r1 = api.post("/api/v1/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY="3f1c9a52-7a4e-4c1e-9d1b-2b1f0e6c8a11")
    r2 = api.post("/api/v1/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY="3f1c9a52-7a4e-4c1e-9d1b-2b1f0e6c8a11")
    assert (r1.status_code, r2.status_code) == (201, 200), r2.content
    assert r1.json()["code"] == r2.json()["code"] and Dossier.objects.count() == 1
    r3 = api.post("/api/v1/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k" * 65, HTTP_ACCEPT_LANGUAGE="vi")
    assert r3.status_code == 400 and "ký tự" in r3.content.decode() and Dossier.objects.count() == 1
    assert api.post("/api/v1/dossiers/", body, format="json").status_code == 201 and Dossier.objects.count() == 2


def test_api_actions_with_if_match(world, make_intake):
    """GET gives the dossier's ETag; an action sent with If-Match is not done when the dossier
    changed since (412), except a retry of that very action by the same user (200, nothing
    more changed)."""
    from .conftest import api_as

    d = make_intake()
    desk, head = api_as(world.reception), api_as(world.head)
    etag = desk.get(f"/api/v1/dossiers/{d.code}/")["ETag"]
    r = desk.post(f"/api/v1/dossiers/{d.code}/transfer/", {}, format="json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200 and r["ETag"] != etag
    events = d.events.count()
    retry = desk.post(f"/api/v1/dossiers/{d.code}/transfer/", {}, format="json", HTTP_IF_MATCH=etag)
    assert retry.status_code == 200 and retry.json()["status"] == "transferred" and d.events.count() == events
    # the head read the dossier before the transfer: its assignment is refused
    stale = head.post(f"/api/v1/dossiers/{d.code}/assign/", {"specialist": "chuyenvien"}, format="json", HTTP_IF_MATCH=etag, HTTP_ACCEPT_LANGUAGE="vi")
    assert stale.status_code == 412 and "đã thay đổi" in stale.json()["detail"] and d.events.count() == events
    fresh = head.get(f"/api/v1/dossiers/{d.code}/")["ETag"]
    assert head.post(f"/api/v1/dossiers/{d.code}/assign/", {"specialist": "chuyenvien"}, format="json", HTTP_IF_MATCH=fresh).status_code == 200
    # without If-Match (or with *), the state table alone decides, as before
    assert desk.post(f"/api/v1/dossiers/{d.code}/transfer/", {}, format="json").status_code == 409
    assert desk.post(f"/api/v1/dossiers/{d.code}/transfer/", {}, format="json", HTTP_IF_MATCH="*").status_code == 409
