"""The personal document vault: kept once, typed from the catalogue's names, reused
without copying (at the counter too), deleted by its owner only when they uploaded it,
downloaded only by its owner through a checked view, and every staff read shown to them."""
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.test import Client
from django.urls import reverse

from xaso.dossiers import services as ds
from xaso.vault import selectors, services
from xaso.vault.models import Document, DocumentType, Reuse

from xaso.portal.tests.helpers import jpeg, logged_in, pdf, submitted

pytestmark = pytest.mark.django_db


def upload(owner, code="giay-chung-sinh", f=None, **kw):
    return services.upload(owner, file=f or pdf("gcs.pdf", b"%PDF-1.4 " + code.encode()), doc_type=DocumentType.objects.get(code=code), **kw)


@pytest.mark.parametrize(
    "name,code",
    [
        ("Tờ khai đăng ký khai sinh theo mẫu (trực tiếp/bưu chính)", "to-khai"),
        ("Giấy chứng sinh (nếu không có: văn bản của người làm chứng)", "giay-chung-sinh"),
        ("Văn bản ủy quyền có chứng thực (nếu ủy quyền)", "uy-quyen"),
        ("Xuất trình: giấy tờ tùy thân (hộ chiếu/CCCD/thẻ căn cước)", "can-cuoc"),
        ("Giấy tờ chứng minh nơi cư trú (chỉ khi không khai thác được dữ liệu cư trú)", "cu-tru"),
        ("Bản sao Giấy khai sinh cũ hoặc giấy tờ có giá trị thay thế (nếu có)", "giay-khai-sinh"),
        ("Biên bản về việc trẻ bị bỏ rơi", None),
    ],
)
def test_catalogue_names_map_to_types(db, name, code):
    t = selectors.type_for(name)
    assert (t.code if t else None) == code


def test_upload_is_kept_once_and_photos_lose_their_metadata(commune):
    a = upload(commune.citizen, f=jpeg(exif_gps=True), title="Giấy chứng sinh")
    b = upload(commune.citizen, f=jpeg(exif_gps=True), title="again")
    assert a.pk == b.pk  # the same content is one document
    from PIL import Image

    with a.file.open("rb") as f:
        assert not Image.open(f).getexif()
    assert a.source == Document.Source.UPLOAD and a.file.name.startswith(f"vault/{commune.citizen.pk}/")


def test_dates_checked(commune):
    import datetime

    with pytest.raises(ValidationError) as exc:
        upload(commune.citizen, issued_on=datetime.date(2030, 1, 1))
    assert "tương lai" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        upload(commune.citizen, issued_on=datetime.date(2024, 1, 1), valid_until=datetime.date(2023, 1, 1))


def test_delete_rules(commune, birth, django_capture_on_commit_callbacks):
    own = upload(commune.citizen)
    storage_name = own.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.delete(commune.citizen, own)
    assert not Document.objects.filter(pk=own.pk).exists()
    assert not own.file.storage.exists(storage_name)
    # Reused in a dossier: hidden, the file stays for the dossier.
    reused = upload(commune.citizen, f=pdf("gcs2.pdf", b"%PDF-1.4 second"))
    d = submitted(commune.citizen, birth, vault_doc=reused)
    services.delete(commune.citizen, reused)
    reused.refresh_from_db()
    assert reused.deleted_at is not None and reused.file.storage.exists(reused.file.name)
    assert d.components.get(reused=True).file.name == reused.file.name
    assert selectors.document_of(commune.citizen, reused.pk) is None
    # A result issued to the person cannot be deleted by them.
    from xaso.portal.tests.helpers import to_result

    to_result(d, commune)
    result = Document.objects.get(owner=commune.citizen, source=Document.Source.RESULT)
    with pytest.raises(ValidationError) as exc:
        services.delete(commune.citizen, result)
    assert "chỉ xóa được" in " ".join(exc.value.messages)
    # Another person's document: refused.
    with pytest.raises(ValidationError):
        services.delete(commune.other, upload(commune.citizen, f=pdf("x.pdf", b"%PDF-1.4 x")))


def test_delete_page(client, commune):
    doc = upload(commune.citizen)
    logged_in(client, commune.other)
    assert client.post(reverse("vault:delete", args=[doc.pk])).status_code == 404
    logged_in(client, commune.citizen)
    assert client.post(reverse("vault:delete", args=[doc.pk])).status_code == 302
    assert not Document.objects.filter(pk=doc.pk).exists()


def test_upload_page_and_bad_file(client, commune):
    logged_in(client, commune.citizen)
    t = DocumentType.objects.get(code="can-cuoc")
    r = client.post(reverse("vault:list"), {"doc_type": t.pk, "title": "CCCD", "file": pdf("cccd.pdf", b"")})
    assert r.status_code == 400 and "không có nội dung" in r.content.decode()
    r = client.post(reverse("vault:list"), {"doc_type": t.pk, "title": "CCCD", "number": "038085001234", "valid_until": "2040-01-01", "file": jpeg(name="cccd.jpg")})
    assert r.status_code == 302
    doc = Document.objects.get(owner=commune.citizen, title="CCCD")
    r = client.get(reverse("vault:download", args=[doc.pk]))
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")


def test_counter_scans_go_to_the_vault_and_reuse_at_the_counter(client, commune):
    from xaso.dossiers.services import Applicant, ComponentIn, terms_from_version

    from xaso.portal.tests.helpers import make_procedure

    proc = make_procedure()
    terms = terms_from_version(proc.current_version(), commune.commune)
    d = ds.intake(
        officer=commune.reception, terms=terms, receiving_unit=commune.centre,
        applicant=Applicant(name="Nguyễn Văn An", id_number="038085001234", phone="0912345678", account=commune.citizen),
        components=[ComponentIn(name=terms.documents[0]["name"], file=pdf("tk.pdf", b"%PDF-1.4 scanned")), ComponentIn(name=terms.documents[1]["name"])],
    )
    scanned = Document.objects.get(owner=commune.citizen)
    assert scanned.source == Document.Source.COUNTER and scanned.doc_type.code == "to-khai" and scanned.source_dossier == d
    # The applicant's birth certificate, reused at the counter for the second component.
    cert = upload(commune.citizen, f=pdf("gcs.pdf", b"%PDF-1.4 cert"))
    officer = logged_in(Client(), commune.reception)
    page = officer.get(reverse("vault:desk", args=[d.code]))
    assert page.status_code == 200 and cert.title in page.content.decode()
    comp = d.components.get(name=terms.documents[1]["name"])
    r = officer.post(reverse("vault:desk_reuse", args=[d.code]), {"component": comp.pk, "document": cert.pk})
    assert r.status_code == 302
    comp.refresh_from_db()
    assert comp.reused and comp.file.name == cert.file.name and Reuse.objects.get(component=comp).document == cert
    # The officer opens it: the applicant sees who.
    assert officer.get(reverse("vault:desk_download", args=[d.code, cert.pk])).status_code == 200
    log = selectors.access_log(commune.citizen, cert)
    assert {a.what for a in log} == {"file", "details"} and all(a.who == "Nguyễn Văn Hùng" for a in log)
    assert "Trung tâm Phục vụ hành chính công" in log[0].unit
    # Another commune's desk cannot see it; a citizen neither.
    other = logged_in(Client(), commune.ngoclac_reception)
    assert other.get(reverse("vault:desk", args=[d.code])).status_code == 404
    assert logged_in(Client(), commune.other).get(reverse("vault:desk", args=[d.code])).status_code == 403


def test_staff_opening_a_component_is_in_the_access_log(client, commune, birth):
    d = submitted(commune.citizen, birth)
    doc = Document.objects.get(owner=commune.citizen)
    officer = logged_in(Client(), commune.reception)
    comp = d.components.first()
    assert officer.get(reverse("dossiers:component_file", args=[d.code, comp.pk])).status_code == 200
    logged_in(client, commune.citizen)
    html = client.get(reverse("vault:access_log")).content.decode()
    assert "Nguyễn Văn Hùng" in html and doc.title[:20] in html


class NoPublicURLStorage(FileSystemStorage):
    """A storage that refuses to give a URL: the vault must never need one."""

    def url(self, name):
        raise AssertionError(f"a public URL was asked for {name}")


def test_no_public_url_ever(client, commune, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.NoPublicURLStorage", "OPTIONS": {"location": str(tmp_path / "s")}}}
    from django.core.files.storage import storages

    storages._storages.pop("default", None)
    try:
        logged_in(client, commune.citizen)
        t = DocumentType.objects.get(code="giay-chung-sinh")
        r = client.post(reverse("vault:list"), {"doc_type": t.pk, "file": jpeg()})
        assert r.status_code == 302
        doc = Document.objects.get(owner=commune.citizen)
        for url in (reverse("vault:list"), reverse("vault:document", args=[doc.pk]), reverse("vault:download", args=[doc.pk]), "/api/v1/vault/documents/"):
            assert client.get(url).status_code == 200
    finally:
        storages._storages.pop("default", None)


def test_s3_storage_by_settings(settings):
    """S3-compatible object storage is chosen by settings alone (django-storages)."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": "xaso", "endpoint_url": "http://127.0.0.1:9000", "access_key": "a", "secret_key": "b", "querystring_auth": True, "default_acl": "private"}}}
    from django.core.files.storage import storages

    storages._storages.pop("default", None)
    try:
        from storages.backends.s3 import S3Storage

        assert isinstance(storages["default"], S3Storage) and storages["default"].default_acl == "private"
    finally:
        storages._storages.pop("default", None)
