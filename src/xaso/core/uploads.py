"""Uploaded files: what is accepted, and how it is served back. One place for every app
(dossier components and results, plan and target evidence, blank forms…).

Accepting (``check_upload``): the type is read from the content, never from the name or the
browser's ``Content-Type``: the file's extension must be one the caller accepts, and the
content must be a file of that type (a PDF header, a JPEG/PNG/TIFF signature, a Word or
Excel file: an OLE2 compound file or a ZIP with the parts of that format, an OpenDocument
ZIP with its ``mimetype``). XML is parsed with defusedxml (no DTD, no entity, no external
reference) and refused when it is a document a browser would run: XHTML, HTML, SVG,
MathML, XSLT, or one that asks for a stylesheet (``<?xml-stylesheet?>``). Size: from 1 byte
to the caller's limit. The answer is the content type to store (the one detected).

Serving (``attachment_response``): always as an attachment (``Content-Disposition:
attachment``) with ``X-Content-Type-Options: nosniff`` and ``Content-Security-Policy:
sandbox`` (even a file a browser is told to open runs no script and reaches nothing),
never stored in a cache, with a content type from the list of accepted types (anything
else is ``application/octet-stream``).
"""
from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Iterable

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
XML = "application/xml"
HTML_TEMPLATE = "text/html"  # served (as an attachment) by the form-template download only

# Extension → the content type its content must have.
TYPES = {
    ".pdf": PDF,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".png": PNG,
    ".tif": TIFF,
    ".tiff": TIFF,
    ".doc": DOC,
    ".xls": XLS,
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".odt": ODT,
    ".ods": ODS,
    ".xml": XML,
}
SERVABLE_TYPES = frozenset(TYPES.values()) | {HTML_TEMPLATE}

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Namespaces of documents a browser renders and may run scripts in.
ACTIVE_NAMESPACES = (
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1998/Math/MathML",
    "http://www.w3.org/1999/XSL/Transform",
)
ACTIVE_ROOTS = {"html", "svg", "math", "stylesheet", "transform"}

# Headers of every served upload.
SANDBOX_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"


class UploadRejected(ValidationError):
    """A file refused, with a message for people naming it."""


@dataclass(frozen=True)
class Checked:
    content_type: str
    size: int
    extension: str


def extension_of(name: str) -> str:
    return os.path.splitext(os.path.basename(name or ""))[1].lower()


def _read_all(f) -> bytes:
    pos = f.tell() if hasattr(f, "tell") else 0
    f.seek(0)
    data = f.read()
    f.seek(pos)
    return data.encode() if isinstance(data, str) else data


def _zip_names(data: bytes) -> tuple[set, zipfile.ZipFile] | tuple[None, None]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        return set(archive.namelist()), archive
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None, None


def _opendocument(data: bytes) -> str | None:
    names, archive = _zip_names(data)
    if not names or "mimetype" not in names:
        return None
    try:
        return archive.read("mimetype")[:100].decode("ascii", "replace").strip()
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return None


def _office_open(data: bytes) -> str | None:
    names, _archive = _zip_names(data)
    if not names or "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def xml_refusal(data: bytes) -> str | None:
    """Why an XML file is refused (a message), or None if it is plain data. Parsed with
    defusedxml: a DTD, an entity or an external reference is refused, and so is a
    document a browser would render as a page (XHTML, HTML, SVG, MathML, XSLT) or style
    with a stylesheet it names."""
    import xml.etree.ElementTree as ET

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    class Target(ET.TreeBuilder):
        def __init__(self):
            super().__init__()
            self.instructions = []

        def pi(self, target, text=None):
            self.instructions.append((target or "").lower())
            return super().pi(target, text)

    target = Target()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        return _("it declares a DTD, entities or external references, which are not accepted")
    except ET.ParseError:
        return _("it is not well-formed XML")
    if any(t == "xml-stylesheet" for t in target.instructions):
        return _("it asks for a stylesheet")
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        namespace, _sep, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if namespace in ACTIVE_NAMESPACES or (element is root and local.lower() in ACTIVE_ROOTS):
            return _("it is a web page or an image a browser would run (XHTML, HTML, SVG), not data")
        for attribute in element.attrib:
            if isinstance(attribute, str) and attribute.startswith("{") and attribute[1:].partition("}")[0] in ACTIVE_NAMESPACES:
                return _("it is a web page or an image a browser would run (XHTML, HTML, SVG), not data")
    return None


def content_type_of(data: bytes, extension: str) -> str | None:
    """The type the content shows, among the ones that could carry ``extension`` (an OLE2
    file is a ``.doc`` or an ``.xls``, its name says which); None if it is none of them."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(OLE2):
        return XLS if extension == ".xls" else DOC
    if head.startswith(b"PK\x03\x04"):
        if extension in (".odt", ".ods"):
            return _opendocument(data)
        return _office_open(data)
    if extension == ".xml":
        return XML
    return None


def describe(extensions: Iterable[str]) -> str:
    return ", ".join(sorted({e.lstrip(".").upper() for e in extensions}))


def check_upload(f, *, extensions: Iterable[str], max_bytes: int, label: str = "") -> Checked:
    """Accept ``f`` (an uploaded or stored file) or raise ``UploadRejected``. ``extensions``:
    the extensions the caller accepts (lower case, with the dot; only those ``TYPES``
    knows can be accepted); ``max_bytes``: the largest size; ``label``: how the message
    names the file (its name by default)."""
    name = os.path.basename(getattr(f, "name", "") or "")
    label = label or name
    extensions = {e.lower() for e in extensions}
    ext = extension_of(name)
    if ext not in extensions or ext not in TYPES:
        raise UploadRejected(
            _("The file “%(name)s” is not an accepted type (accepted: %(types)s).") % {"name": label, "types": describe(extensions & set(TYPES))},
            code="type",
        )
    size = getattr(f, "size", None)
    if size is None:
        size = len(_read_all(f))
    if size > max_bytes:
        raise UploadRejected(
            _("The file “%(name)s” is %(size).1f MB; at most %(max).1f MB is accepted.") % {"name": label, "size": size / 1048576, "max": max_bytes / 1048576},
            code="size",
        )
    if size == 0:
        raise UploadRejected(_("The file “%(name)s” is empty.") % {"name": label}, code="empty")
    data = _read_all(f)
    if content_type_of(data, ext) != TYPES[ext]:
        raise UploadRejected(_("The content of “%(name)s” does not match its type (%(ext)s).") % {"name": label, "ext": ext}, code="content")
    if ext == ".xml":
        why = xml_refusal(data)
        if why:
            raise UploadRejected(_("The XML file “%(name)s” is refused: %(why)s.") % {"name": label, "why": why}, code="xml")
    return Checked(TYPES[ext], size, ext)


# --------------------------------------------------------------------------- serving

_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def safe_filename(name: str, fallback: str = "tep") -> str:
    """A file name for ``Content-Disposition``: no path, no control characters, no quotes,
    at most 150 characters (NFC)."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = _UNSAFE_NAME.sub("_", name).strip(" .") or fallback
    if len(name) > 150:
        stem, ext = os.path.splitext(name)
        name = stem[: 150 - len(ext)] + ext
    return name


def attachment_response(content, filename: str, content_type: str | None = None) -> FileResponse:
    """Serve an uploaded file (a file object or bytes) as an attachment, with the headers
    that keep a browser from running it. ``content_type``: the type stored when the file
    was accepted (a type not in ``SERVABLE_TYPES`` is sent as ``application/octet-stream``)."""
    if isinstance(content, (bytes, bytearray)):
        content = io.BytesIO(content)
    ctype = content_type if content_type in SERVABLE_TYPES else "application/octet-stream"
    if ctype == HTML_TEMPLATE:
        ctype = "text/html; charset=utf-8"
    response = FileResponse(content, as_attachment=True, filename=safe_filename(filename), content_type=ctype)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["X-Download-Options"] = "noopen"
    return response


def stored_content_type(field_file, recorded: str = "") -> str:
    """The content type to serve a stored file with: the one recorded when it was accepted,
    else the one its extension stands for."""
    if recorded in TYPES.values():
        return recorded
    return TYPES.get(extension_of(getattr(field_file, "name", "")), "application/octet-stream")
