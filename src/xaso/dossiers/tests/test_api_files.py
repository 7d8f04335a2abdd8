"""Attaching files to submitted components through the API (multipart)."""
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from xaso.core.models import AuditRecord, User
from xaso.dossiers import services
from xaso.dossiers.models import Component, Event, SyncJob

from .conftest import PDF, api_as, applicant, at, components

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean(settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    cache.clear()


def pdf(name="scan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def url(d):
    return f"/api/v1/dossiers/{d.code}/files/"


@pytest.fixture
def online(world):
    return services.submit_online(
        user=world.citizen, terms=world.terms, applicant=applicant(), components=components(with_file=False), receiving_unit=world.centre, now=at(2026, 3, 2, 20)
    )


def test_reception_scans_a_paper_component_of_a_received_dossier(world, make_intake):
    d = make_intake(components=components(with_file=False))
    comp = Component.objects.get(dossier=d, name="Giấy chứng sinh")
    assert not comp.digitised and not comp.file
    r = api_as(world.reception).post(url(d), {"component": comp.pk, "file": pdf()}, format="multipart")
    assert r.status_code == 201, r.content
    assert r.json()["id"] == comp.pk and r.json()["digitised"] is True and r.json()["content_type"] == "application/pdf"
    comp.refresh_from_db()
    assert comp.digitised and comp.file and comp.file.read().startswith(b"%PDF")
    ev = Event.objects.get(dossier=d, action="attach_file")
    assert ev.actor == world.reception and ev.data["component"] == comp.pk
    assert AuditRecord.objects.filter(verb="dossier.attach_file", object_id=str(d.pk)).exists()
    assert SyncJob.objects.filter(dossier=d, event="attach_file").latest("id").payload["HoSoCoThanhPhanSoHoa"] is True
    # by document name, replacing the file
    r = api_as(world.reception).post(url(d), {"name": "Giấy chứng sinh", "file": pdf("scan2.pdf")}, format="multipart")
    assert r.status_code == 201 and Event.objects.filter(dossier=d, action="attach_file").count() == 2
    assert Event.objects.filter(dossier=d, action="attach_file").latest("id").data["replaced"] == comp.file.name


def test_the_applicant_uploads_while_the_online_dossier_waits_for_reception_or_a_supplement(world, online):
    comp = Component.objects.get(dossier=online, name="Tờ khai đăng ký khai sinh")
    citizen = api_as(world.citizen)
    assert citizen.post(url(online), {"component": comp.pk, "file": pdf()}, format="multipart").status_code == 201
    services.reception_supplement(online, world.reception, items=["Bản chụp rõ nét"], reason="Ảnh mờ", now=at(2026, 3, 3, 8))
    assert citizen.post(url(online), {"component": comp.pk, "file": pdf()}, format="multipart").status_code == 201
    services.resubmit(online, world.citizen, now=at(2026, 3, 3, 9))
    services.receive(online, world.reception, now=at(2026, 3, 3, 10))
    r = citizen.post(url(online), {"component": comp.pk, "file": pdf()}, format="multipart")
    assert r.status_code == 409 and r.json()["detail"]  # received: the desk's turn now
    assert api_as(world.reception).post(url(online), {"component": comp.pk, "file": pdf()}, format="multipart").status_code == 201


def test_wrong_type_content_or_size_is_refused_and_changes_nothing(world, make_intake, settings):
    d = make_intake(components=components(with_file=False))
    comp = Component.objects.get(dossier=d, name="Giấy chứng sinh")
    api = api_as(world.reception)
    bad = [
        SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 10, content_type="application/octet-stream"),
        SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>", content_type="application/pdf"),
        SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"),
    ]
    for f in bad:
        r = api.post(url(d), {"component": comp.pk, "file": f}, format="multipart")
        assert r.status_code == 400, (f.name, r.content)
    settings.XASO_DOSSIER_MAX_UPLOAD_MB = 1
    r = api.post(url(d), {"component": comp.pk, "file": pdf(content=PDF + b"0" * (1024 * 1024))}, format="multipart")
    assert r.status_code == 400 and "MB" in r.json()["detail"]
    comp.refresh_from_db()
    assert not comp.file and not comp.digitised
    assert not Event.objects.filter(dossier=d, action="attach_file").exists()
    # unknown component, no component named, JSON instead of multipart
    assert api.post(url(d), {"component": 999999, "file": pdf()}, format="multipart").status_code == 400
    assert api.post(url(d), {"name": "Không có", "file": pdf()}, format="multipart").status_code == 400
    assert api.post(url(d), {"file": pdf()}, format="multipart").status_code == 400
    assert api.post(url(d), {"component": comp.pk}, format="json").status_code == 415


def test_wrong_person_or_wrong_state_is_refused(world, make_intake, online):
    d = make_intake(components=components(with_file=False))
    comp = Component.objects.filter(dossier=d).first()
    other_citizen = User.objects.create_user(username="0987000111", password="x" * 12, kind=User.Kind.CITIZEN, phone="0987000111")
    # Outside their scope (another commune's desk, citizens who did not submit it): 404, as for
    # a dossier that does not exist; in scope without the role: 403.
    for who in (world.outsider_reception, world.citizen, other_citizen):
        r = api_as(who).post(url(d), {"component": comp.pk, "file": pdf()}, format="multipart")
        assert r.status_code == 404, who.username
    for who in (world.specialist, world.head):
        r = api_as(who).post(url(d), {"component": comp.pk, "file": pdf()}, format="multipart")
        assert r.status_code == 403, who.username
    oc = Component.objects.filter(dossier=online).first()
    assert api_as(other_citizen).post(url(online), {"component": oc.pk, "file": pdf()}, format="multipart").status_code == 404
    services.transfer(d, world.reception, now=at(2026, 3, 2, 10))
    r = api_as(world.reception).post(url(d), {"component": comp.pk, "file": pdf()}, format="multipart")
    assert r.status_code == 409
    assert APIClient().post(url(d), {"component": comp.pk, "file": pdf()}, format="multipart").status_code in (401, 403)
    comp.refresh_from_db()
    assert not comp.file
