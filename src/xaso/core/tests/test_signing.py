"""The signer adapter: the sandbox certificate (``xaso signing dev-cert``), the configuration
check command and the deployment check."""
import asyncio
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import CommandError, call_command

from xaso.core import signing


def _cert(path):
    _key, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), None)
    return cert


def test_dev_cert_command_is_idempotent_and_marks_the_certificate(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("signing", "dev-cert", stdout=out)
    p12 = tmp_path / "signing" / "sandbox.p12"
    pem = tmp_path / "signing" / "sandbox-cert.pem"
    assert p12.is_file() and pem.is_file()
    assert "NOT valid for real documents" in out.getvalue()
    assert oct(p12.stat().st_mode & 0o777) == "0o600"
    first = p12.read_bytes()
    call_command("signing", "dev-cert", stdout=io.StringIO())
    assert p12.read_bytes() == first  # kept
    cert = _cert(p12)
    assert "KHÔNG CÓ GIÁ TRỊ PHÁP LÝ" in cert.subject.rfc4514_string()
    assert "not valid for real documents" in cert.subject.rfc4514_string()
    assert cert.issuer == cert.subject  # self-signed
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert x509.load_pem_x509_certificate(pem.read_bytes()) == cert
    call_command("signing", "dev-cert", "--force", stdout=io.StringIO())
    assert p12.read_bytes() != first
    assert x509.load_pem_x509_certificate(pem.read_bytes()) == _cert(p12)


def test_unusable_sandbox_file_is_replaced(tmp_path):
    (tmp_path / "sandbox.p12").write_bytes(b"broken")
    path = signing.ensure_sandbox_certificate(tmp_path)
    assert _cert(path) is not None


def test_concurrent_creation_gives_one_certificate(tmp_path):
    with ThreadPoolExecutor(max_workers=4) as pool:
        paths = list(pool.map(lambda _: signing.ensure_sandbox_certificate(tmp_path), range(4)))
    assert len(set(paths)) == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_check_command(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.XASO_SIGNING_BACKEND = "sandbox"
    out = io.StringIO()
    call_command("signing", "check", stdout=out)
    assert "SANDBOX" in out.getvalue() and "A test PDF was signed" in out.getvalue()
    settings.XASO_SIGNING_BACKEND = "none"
    out = io.StringIO()
    call_command("signing", "check", stdout=out)
    assert "unsigned" in out.getvalue()
    settings.XASO_SIGNING_BACKEND = "pkcs12"
    settings.XASO_SIGNING_P12 = str(tmp_path / "missing.p12")
    with pytest.raises(CommandError, match="XASO_SIGNING_P12"):
        call_command("signing", "check", stdout=io.StringIO())


def test_signing_inside_a_running_event_loop(settings, tmp_path):
    from weasyprint import HTML

    settings.VAR_DIR = tmp_path
    settings.XASO_SIGNING_BACKEND = "sandbox"
    pdf = HTML(string="<p>x</p>").write_pdf()

    async def inside():
        return signing.sign_pdf(pdf, reason="thử", location="xã")

    # In a thread of its own: this test's thread may already run a loop of another test's
    # (Playwright's sync API keeps one), and asyncio.run refuses to nest.
    with ThreadPoolExecutor(1) as pool:
        signed = pool.submit(asyncio.run, inside()).result()
    assert signed.startswith(pdf[:8]) and len(signed) > len(pdf) and b"/ByteRange" in signed


def test_deploy_check_warns_about_the_sandbox_certificate(settings):
    settings.DEBUG = False
    settings.XASO_SIGNING_BACKEND = "sandbox"
    assert [w.id for w in signing.check_signing_backend()] == ["xaso.W001"]
    settings.XASO_SIGNING_BACKEND = "pkcs12"
    settings.XASO_SIGNING_P12 = ""
    assert [e.id for e in signing.check_signing_backend()] == ["xaso.E001"]  # no file: an error
    settings.XASO_SIGNING_BACKEND = "none"
    assert signing.check_signing_backend() == []
    settings.DEBUG = True
    settings.XASO_SIGNING_BACKEND = "sandbox"
    assert signing.check_signing_backend() == []
