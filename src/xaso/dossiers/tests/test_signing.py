"""Digital signatures on the issued PDF forms (vn-rules 1.8: "Chữ ký số … nếu là biểu mẫu
điện tử"): a PAdES signature that pyHanko validates against the signing certificate as trust
root, the form's text unchanged, tampering detected, no signature with ``none``, and no
unsigned form when signing is configured but broken."""
import io
import logging

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from xaso.core import signing
from xaso.dossiers import documents
from xaso.dossiers.models import IssuedDocument

from .conftest import at
from .test_documents import pdf_text

pytestmark = pytest.mark.django_db

REASON = "Ký số biểu mẫu điện tử theo Thông tư 03/2025/TT-VPCP"


@pytest.fixture
def sandbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.XASO_SIGNING_BACKEND = "sandbox"
    path = signing.ensure_sandbox_certificate()
    return path


def trust_root(p12_path, password=None):
    from cryptography.hazmat.primitives.serialization import pkcs12

    _key, cert, _ = pkcs12.load_key_and_certificates(p12_path.read_bytes(), password)
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def validate(pdf: bytes, root):
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    assert len(reader.embedded_signatures) == 1
    sig = reader.embedded_signatures[0]
    return sig, validate_pdf_signature(sig, ValidationContext(trust_roots=[root]))


def test_issued_pdf_is_signed_and_validates(world, make_intake, sandbox):
    d = make_intake(now=at(2026, 3, 2, 9, 5))
    doc = IssuedDocument.objects.get(dossier=d, kind="receipt")
    pdf = documents.render_pdf(doc)
    sig, status = validate(pdf, trust_root(sandbox))
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert "SANDBOX" in status.signing_cert.subject.human_friendly
    assert sig.field_name == signing.FIELD_NAME
    assert str(sig.sig_object["/Reason"]) == REASON
    assert str(sig.sig_object["/Location"]) == world.centre.name
    assert "/ETSI.CAdES.detached" == str(sig.sig_object["/SubFilter"])  # PAdES
    # The form's text is unchanged by the signature.
    text = pdf_text(pdf)
    for expected in ["GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", d.code, "Nguyễn Văn An", "Số: 1/TNHS"]:
        assert expected in text, expected


def test_every_form_kind_is_signed(world, make_intake, sandbox):
    d = make_intake()
    ctl = documents.control_sheet(d, world.reception)
    root = trust_root(sandbox)
    for doc in [d.documents.get(kind="receipt"), ctl]:
        _sig, status = validate(documents.render_pdf(doc), root)
        assert status.bottom_line


def test_tampered_pdf_fails_validation(world, make_intake, sandbox):
    d = make_intake()
    pdf = documents.render_pdf(d.documents.get(kind="receipt"))
    # Change one signed byte (the producer in the document information, same length, so
    # the file still parses): the digest no longer matches.
    assert pdf.count(b"WeasyPrint") >= 1
    tampered = pdf.replace(b"WeasyPrint", b"WeasyPrinX", 1)
    _sig, status = validate(tampered, trust_root(sandbox))
    assert not status.intact and not status.bottom_line
    # The untouched file still validates.
    assert validate(pdf, trust_root(sandbox))[1].bottom_line


def test_untrusted_certificate_is_not_trusted(world, make_intake, sandbox, tmp_path):
    d = make_intake()
    pdf = documents.render_pdf(d.documents.get(kind="receipt"))
    other = signing.ensure_sandbox_certificate(tmp_path / "other")
    _sig, status = validate(pdf, trust_root(other))
    assert status.intact and not status.trusted and not status.bottom_line


def test_none_backend_issues_unsigned_pdf(world, make_intake, settings):
    settings.XASO_SIGNING_BACKEND = "none"
    d = make_intake()
    pdf = documents.render_pdf(d.documents.get(kind="receipt"))
    assert pdf.startswith(b"%PDF")
    assert PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures == []
    assert d.code in pdf_text(pdf)


def test_pkcs12_backend_with_password(world, make_intake, settings, tmp_path):
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    key, cert, _ = pkcs12.load_key_and_certificates(signing.make_sandbox_certificate(), None)
    p12 = tmp_path / "don-vi.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"unit", key, cert, None, BestAvailableEncryption(b"mat-khau")))
    settings.XASO_SIGNING_BACKEND = "pkcs12"
    settings.XASO_SIGNING_P12 = str(p12)
    settings.XASO_SIGNING_P12_PASSWORD = "mat-khau"
    d = make_intake()
    _sig, status = validate(documents.render_pdf(d.documents.get(kind="receipt")), trust_root(p12, b"mat-khau"))
    assert status.bottom_line


@pytest.mark.parametrize("problem", ["missing", "empty", "password", "garbage"])
def test_misconfigured_pkcs12_gives_clear_error(world, make_intake, settings, tmp_path, caplog, problem):
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    key, cert, _ = pkcs12.load_key_and_certificates(signing.make_sandbox_certificate(), None)
    p12 = tmp_path / "don-vi.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"unit", key, cert, None, BestAvailableEncryption(b"dung")))
    settings.XASO_SIGNING_BACKEND = "pkcs12"
    settings.XASO_SIGNING_P12 = {"missing": str(tmp_path / "khong-co.p12"), "empty": ""}.get(problem, str(p12))
    settings.XASO_SIGNING_P12_PASSWORD = "sai" if problem == "password" else "dung"
    if problem == "garbage":
        p12.write_bytes(b"not a certificate")
    d = make_intake()
    doc = d.documents.get(kind="receipt")
    with caplog.at_level(logging.ERROR, logger="xaso.core.signing"), pytest.raises(signing.SigningError) as exc:
        documents.render_pdf(doc)
    assert "XASO_SIGNING_P12" in str(exc.value)
    assert caplog.records, "the cause is logged"
    if problem == "missing":
        assert str(tmp_path / "khong-co.p12") in caplog.text  # the path is in the log, not on the page


def test_expired_certificate_is_refused(world, make_intake, settings, tmp_path):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12

    key, cert, _ = pkcs12.load_key_and_certificates(signing.make_sandbox_certificate(), None)
    now = dt.datetime.now(dt.timezone.utc)
    old = (
        x509.CertificateBuilder()
        .subject_name(cert.subject)
        .issuer_name(cert.issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=800))
        .not_valid_after(now - dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    p12 = tmp_path / "het-han.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"old", key, old, None, NoEncryption()))
    settings.XASO_SIGNING_BACKEND = "pkcs12"
    settings.XASO_SIGNING_P12 = str(p12)
    settings.XASO_SIGNING_P12_PASSWORD = ""
    d = make_intake()
    with translation.override("vi"), pytest.raises(signing.SigningError, match="không còn hiệu lực hôm nay"):
        documents.render_pdf(d.documents.get(kind="receipt"))


def test_unknown_backend_is_refused(world, make_intake, settings):
    settings.XASO_SIGNING_BACKEND = "xaso.nowhere.Signer"
    d = make_intake()
    with pytest.raises(signing.SigningError, match="XASO_SIGNING_BACKEND"):
        documents.render_pdf(d.documents.get(kind="receipt"))


def test_page_refuses_unsigned_pdf_with_vietnamese_message(client, world, make_intake, settings, tmp_path):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    cache.clear()
    settings.XASO_SIGNING_BACKEND = "pkcs12"
    settings.XASO_SIGNING_P12 = str(tmp_path / "khong-co.p12")
    d = make_intake()
    doc = d.documents.get(kind="receipt")
    client.force_login(world.reception)
    for url in [reverse("dossiers:document", args=[d.code, doc.pk, "pdf"]), reverse("dossiers:control_sheet", args=[d.code, "pdf"])]:
        r = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        assert r.status_code == 302 and r["Location"] == reverse("dossiers:detail", args=[d.code])
        page = client.get(r["Location"], HTTP_ACCEPT_LANGUAGE="vi").content.decode()
        assert "Không tìm thấy tệp chứng thư số" in page
    # The DOCX (the editable copy, never signed) is still available.
    r = client.get(reverse("dossiers:document", args=[d.code, doc.pk, "docx"]))
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_custom_adapter_by_dotted_path(world, make_intake, settings):
    settings.XASO_SIGNING_BACKEND = f"{__name__}.StampSigner"
    d = make_intake()
    assert documents.render_pdf(d.documents.get(kind="receipt")).endswith(b"%signed by StampSigner\n")


class StampSigner(signing.PdfSigner):
    """A stand-in for a remote signing service: the interface is ``sign``."""

    def sign(self, pdf, *, reason, location="", contact=""):
        assert reason == REASON and location
        return pdf + b"%signed by StampSigner\n"
