"""Digital signatures (chữ ký số) on the PDF documents the system issues.

Where a form is issued electronically it carries a digital signature ("Chữ ký số … nếu là
biểu mẫu điện tử": the forms of TT 03/2025/TT-VPCP as templated in QĐ 3621/QĐ-BYT 2025;
Luật Giao dịch điện tử 2023, NĐ 23/2025/NĐ-CP on electronic signatures, NĐ 68/2024/NĐ-CP on
the specialised public-service signatures issued to state bodies by the Government CA, Ban Cơ
yếu Chính phủ). The signature is a PAdES baseline (B-B) signature made with pyHanko.

The signer is an adapter chosen by ``XASO_SIGNING_BACKEND``:

- ``none``: PDFs are issued unsigned (a unit that still signs on paper);
- ``sandbox`` (the development default): a self-signed sandbox certificate kept under
  ``<XASO_VAR_DIR>/signing/``, created on first use or by ``xaso signing dev-cert``. It says
  in its name that it has no legal value; a deployment check warns when it is used with
  ``DEBUG`` off;
- ``pkcs12``: the unit's seal certificate and key in a PKCS#12 file
  (``XASO_SIGNING_P12``, ``XASO_SIGNING_P12_PASSWORD``): the production path;
- a dotted path to a subclass of :class:`PdfSigner` for anything else (a token or HSM
  through PKCS#11, a remote signing service): override :meth:`PyHankoSigner.cms_signer`
  to return a ``pyhanko.sign.signers.Signer`` (``pyhanko.sign.pkcs11.PKCS11Signer``, or one
  whose ``async_sign_raw`` calls the service), or :meth:`PdfSigner.sign` altogether.

When signing is configured and fails (missing file, wrong password, expired certificate),
:class:`SigningError` is raised with a Vietnamese message and the cause is logged: a form
that must be signed is never handed out unsigned.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import os
import tempfile
import time
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

FIELD_NAME = "ChuKySo"
SANDBOX_COMMON_NAME = "xaso SANDBOX - KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"
SANDBOX_ORGANISATION = "xaso sandbox (not valid for real documents)"
SANDBOX_UNIT = "Chứng thư thử nghiệm, không dùng cho văn bản thật"
SANDBOX_YEARS = 10


class SigningError(Exception):
    """Signing is configured but cannot be done; ``str(exc)`` is the Vietnamese message
    shown to the official."""


def _run(coro):
    """Run a coroutine from synchronous code, also when this thread already runs an
    event loop (pyHanko's synchronous wrappers would refuse there)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class PdfSigner(ABC):
    """The adapter interface: ``sign`` returns the signed PDF."""

    enabled = True
    description = ""

    @abstractmethod
    def sign(self, pdf: bytes, *, reason: str, location: str = "", contact: str = "") -> bytes:
        """The signed PDF."""

    def certificate(self):
        """The signing certificate (``cryptography.x509.Certificate``), if known."""
        return None


class NoSigner(PdfSigner):
    enabled = False
    description = "none"

    def sign(self, pdf: bytes, *, reason: str, location: str = "", contact: str = "") -> bytes:
        return pdf


class PyHankoSigner(PdfSigner):
    """PAdES signing with pyHanko; subclasses give the CMS signer (key and certificate)."""

    @abstractmethod
    def cms_signer(self):
        """pyHanko's ``signers.Signer`` holding the key and certificate."""

    def sign(self, pdf: bytes, *, reason: str, location: str = "", contact: str = "") -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        cms = self.cms_signer()
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            reason=reason or None,
            location=location or None,
            contact_info=contact or None,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            out = _run(signers.PdfSigner(meta, signer=cms).async_sign_pdf(writer))
        except Exception as exc:
            logger.exception("Signing a PDF with %s failed", self.description)
            raise SigningError(_("The document could not be digitally signed (%(error)s). Nothing was issued; ask the administrator to check the signing settings.") % {"error": type(exc).__name__}) from exc
        return out.getvalue()


_LOADED: dict = {}


def _load_pkcs12(path: Path, password: str, setting: str):
    """(pyHanko signer, certificate) from a PKCS#12 file, cached until the file changes."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        st = path.stat()
    except OSError:
        logger.error("Signing certificate %s (%s) not found", path, setting)
        raise SigningError(_("The signing certificate file (%(setting)s) was not found. Forms that must be digitally signed cannot be issued until the administrator fixes it.") % {"setting": setting}) from None
    key = (str(path), st.st_mtime_ns, st.st_size, password)
    if key in _LOADED:
        return _LOADED[key]
    data = path.read_bytes()
    try:
        private_key, cert, others = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except Exception as exc:  # wrong password, not a PKCS#12 file
        logger.error("Signing certificate %s (%s) cannot be opened: %s", path, setting, exc)
        raise SigningError(_("The signing certificate (%(setting)s) cannot be opened: wrong password or not a PKCS#12 file. Forms that must be digitally signed cannot be issued until the administrator fixes it.") % {"setting": setting}) from None
    if private_key is None or cert is None:
        logger.error("Signing certificate %s (%s) holds no key or no certificate", path, setting)
        raise SigningError(_("The signing certificate (%(setting)s) holds no private key or no certificate.") % {"setting": setting})
    from pyhanko.sign.signers import SimpleSigner

    signer = SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=password.encode() if password else None)
    _LOADED.clear()
    _LOADED[key] = (signer, cert)
    return signer, cert


def _check_validity(cert, setting: str):
    now = dt.datetime.now(dt.timezone.utc)
    if not (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc):
        logger.error("Signing certificate (%s) %s is not valid now (%s to %s)", setting, cert.subject.rfc4514_string(), cert.not_valid_before_utc, cert.not_valid_after_utc)
        raise SigningError(_("The signing certificate (%(setting)s) is not valid today (valid from %(start)s to %(end)s).") % {"setting": setting, "start": f"{cert.not_valid_before_utc:%d/%m/%Y}", "end": f"{cert.not_valid_after_utc:%d/%m/%Y}"})


class Pkcs12Signer(PyHankoSigner):
    """The unit's certificate and key in a PKCS#12 (.p12/.pfx) file."""

    description = "pkcs12"
    setting = "XASO_SIGNING_P12"

    def __init__(self, path=None, password=None):
        path = getattr(settings, "XASO_SIGNING_P12", "") if path is None else path
        self.password = getattr(settings, "XASO_SIGNING_P12_PASSWORD", "") if password is None else password
        self.path = Path(path) if path else None
        if not path:
            logger.error("XASO_SIGNING_BACKEND is pkcs12 but XASO_SIGNING_P12 is empty")
            raise SigningError(_("Digital signing is configured but no signing certificate file is set (XASO_SIGNING_P12). Forms that must be digitally signed cannot be issued until the administrator fixes it."))

    def _loaded(self):
        signer, cert = _load_pkcs12(self.path, self.password, self.setting)
        _check_validity(cert, self.setting)
        return signer, cert

    def cms_signer(self):
        return self._loaded()[0]

    def certificate(self):
        return self._loaded()[1]


class SandboxSigner(Pkcs12Signer):
    """The self-signed development certificate: no legal value."""

    description = "sandbox"
    setting = "XASO_SIGNING_BACKEND=sandbox"

    def __init__(self):
        self.path = ensure_sandbox_certificate()
        self.password = ""


BACKENDS = {"none": NoSigner, "sandbox": SandboxSigner, "pkcs12": Pkcs12Signer}


def get_signer() -> PdfSigner:
    name = (getattr(settings, "XASO_SIGNING_BACKEND", "sandbox") or "none").strip()
    cls = BACKENDS.get(name.lower())
    if cls is None:
        try:
            cls = import_string(name)
        except ImportError:
            logger.error("XASO_SIGNING_BACKEND %r is neither none, sandbox, pkcs12 nor an importable class", name)
            raise SigningError(_("The signing backend (XASO_SIGNING_BACKEND) is unknown. Forms that must be digitally signed cannot be issued until the administrator fixes it.")) from None
    return cls()


def sign_pdf(pdf: bytes, *, reason: str, location: str = "", contact: str = "") -> bytes:
    """Sign ``pdf`` with the configured signer (unchanged with ``none``); raises
    :class:`SigningError` when signing is configured but cannot be done."""
    return get_signer().sign(pdf, reason=reason, location=location, contact=contact)


# The sandbox certificate ------------------------------------------------------------------


def sandbox_dir() -> Path:
    return Path(settings.VAR_DIR) / "signing"


def _sandbox_usable(path: Path) -> bool:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, _others = pkcs12.load_key_and_certificates(path.read_bytes(), None)
    except Exception:
        return False
    now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    return key is not None and cert is not None and cert.not_valid_after_utc > now


def make_sandbox_certificate(years: int = SANDBOX_YEARS) -> bytes:
    """A new self-signed certificate and key as PKCS#12 (no password), marked as a sandbox
    certificate with no legal value."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, SANDBOX_ORGANISATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, SANDBOX_UNIT),
            x509.NameAttribute(NameOID.COMMON_NAME, SANDBOX_COMMON_NAME),
        ]
    )
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(b"xaso-sandbox", key, cert, None, serialization.NoEncryption())


def ensure_sandbox_certificate(directory: Path | None = None, force: bool = False) -> Path:
    """The sandbox PKCS#12 file (``sandbox.p12``, no password) and its certificate as PEM
    (``sandbox-cert.pem``, to trust it in a PDF reader on a test machine), created when
    missing, unreadable, expiring or ``force``d. Safe when several processes race: the
    first file written wins."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    folder = Path(directory) if directory is not None else sandbox_dir()
    path = folder / "sandbox.p12"
    pem = folder / "sandbox-cert.pem"
    try:
        seen = (str(path), path.stat().st_mtime_ns)
    except OSError:
        seen = None
    if not force and seen is not None and _SANDBOX_CHECKED.get(seen, 0) > time.time():
        return path  # checked a moment ago (signing every PDF calls this)
    folder.mkdir(parents=True, exist_ok=True)
    if force or not path.exists() or not _sandbox_usable(path):
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".sandbox-", suffix=".p12")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(make_sandbox_certificate())
            os.chmod(tmp, 0o600)
            if force or path.exists():
                os.replace(tmp, path)
            else:
                try:
                    os.link(tmp, path)  # fails if another process was first: keep theirs
                except FileExistsError:
                    pass
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        logger.info("Sandbox signing certificate written to %s", path)
    _key, cert, _others = pkcs12.load_key_and_certificates(path.read_bytes(), None)
    text = cert.public_bytes(serialization.Encoding.PEM)
    if not pem.exists() or pem.read_bytes() != text:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".sandbox-", suffix=".pem")
        with os.fdopen(fd, "wb") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, pem)
    _SANDBOX_CHECKED.clear()
    _SANDBOX_CHECKED[(str(path), path.stat().st_mtime_ns)] = time.time() + 3600
    return path


_SANDBOX_CHECKED: dict = {}


# Deployment check -----------------------------------------------------------------------


@checks.register(checks.Tags.security, deploy=True)
def check_signing_backend(app_configs=None, **kwargs):
    backend = (getattr(settings, "XASO_SIGNING_BACKEND", "") or "").strip().lower()
    if backend == "sandbox" and not settings.DEBUG:
        return [
            checks.Warning(
                "Issued PDF forms are signed with the self-signed sandbox certificate, which has no legal value.",
                hint="Set XASO_SIGNING_BACKEND=pkcs12 with the unit's certificate (XASO_SIGNING_P12, XASO_SIGNING_P12_PASSWORD), or none (docs/configuration.md).",
                id="xaso.W001",
            )
        ]
    if backend == "pkcs12":
        return _check_pkcs12()
    return []


def _check_pkcs12() -> list:
    """With ``pkcs12``, the file must exist, open with the password, hold a key and a
    certificate valid today: otherwise no form can be issued, and the deployment check
    says so before the first citizen comes."""
    hint = "Set XASO_SIGNING_P12 to the unit's PKCS#12 file and XASO_SIGNING_P12_PASSWORD to its password; check it with `xaso signing check` (docs/configuration.md)."
    try:
        signer = Pkcs12Signer()
        signer._loaded()
    except SigningError as exc:
        path = getattr(settings, "XASO_SIGNING_P12", "")
        return [checks.Error(f"XASO_SIGNING_BACKEND is pkcs12 but the certificate cannot be used ({path or 'XASO_SIGNING_P12 empty'}): {exc}", hint=hint, id="xaso.E001")]
    return []
