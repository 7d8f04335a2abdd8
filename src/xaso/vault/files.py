"""Files a citizen sends from a phone: checked from their content, photos made small.

- The type is checked from the content, not only the name (``dossiers.services.validate_upload``:
  the extension must be an accepted one and the first bytes must match it); an empty file,
  a file over ``XASO_UPLOAD_MAX_FILE_MB`` and a photo over ``XASO_UPLOAD_MAX_PIXELS`` are
  refused with a message naming the file and the document it was for.
- Photos (JPEG, PNG, TIFF) are decoded with Pillow, turned upright (EXIF orientation),
  downscaled to ``XASO_UPLOAD_PHOTO_MAX_SIDE`` pixels on the long side and re-encoded as
  JPEG without any metadata: the EXIF block (GPS position, phone model, time) is not
  written back. A photo that does not decode is refused.
- Several photos of one document are kept in order; for the officer, each run of
  consecutive photos becomes one PDF (one page per photo, in the order sent).
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from xaso.dossiers.services import DossierError, validate_upload

PDF = "application/pdf"
JPEG = "image/jpeg"
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/tiff"})
# What a citizen may send: documents and photos (no XML or spreadsheets from the public).
ACCEPTED_TYPES = frozenset(
    {
        PDF,
        "image/jpeg",
        "image/png",
        "image/tiff",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/tiff,application/pdf,.pdf,.jpg,.jpeg,.png,.tif,.tiff,.doc,.docx"


def _setting(name, default):
    return getattr(settings, name, default)


def max_file_bytes() -> int:
    return int(_setting("XASO_UPLOAD_MAX_FILE_MB", 10)) * 1024 * 1024


def max_dossier_bytes() -> int:
    return int(_setting("XASO_UPLOAD_MAX_DOSSIER_MB", 50)) * 1024 * 1024


def max_files_per_document() -> int:
    return int(_setting("XASO_UPLOAD_MAX_FILES_PER_DOCUMENT", 10))


def limits() -> dict:
    """The limits as shown to people before they upload."""
    return {
        "file_mb": max_file_bytes() // 1048576,
        "dossier_mb": max_dossier_bytes() // 1048576,
        "files_per_document": max_files_per_document(),
        "photo_side": int(_setting("XASO_UPLOAD_PHOTO_MAX_SIDE", 2000)),
    }


def mb(size: int) -> str:
    return f"{size / 1048576:.1f}".replace(".", ",")


@dataclass
class Prepared:
    """A file ready to store: its (possibly re-encoded) bytes, name and type."""

    name: str
    data: bytes
    content_type: str
    is_photo: bool = False

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def as_file(self) -> ContentFile:
        return ContentFile(self.data, name=self.name)


def _stem(name: str) -> str:
    from xaso.catalog.text import slugify_vi

    return slugify_vi(PurePosixPath(name or "").stem, max_length=60) or "tep"


def _refuse(message: str, **values):
    raise DossierError(message % values)


def prepare(upload, *, label: str) -> Prepared:
    """Check one uploaded file and return what to store. ``label``: the document it is for,
    named in every message."""
    name = PurePosixPath(getattr(upload, "name", "") or "").name or _("file")
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if size == 0:
        _refuse(_("The file “%(name)s” (%(doc)s) is empty."), name=name, doc=label)
    if size > max_file_bytes():
        _refuse(
            _("The file “%(name)s” (%(doc)s) is %(size)s MB; each file may be at most %(max)d MB. Take the photo again at a lower resolution or send a smaller PDF."),
            name=name, doc=label, size=mb(size), max=max_file_bytes() // 1048576,
        )
    try:
        ctype, _size = validate_upload(upload, f"{name} ({label})")
    except DossierError:
        raise
    if ctype not in ACCEPTED_TYPES:
        _refuse(_("The file “%(name)s” (%(doc)s) is not an accepted type: send a photo (JPEG, PNG), a PDF or a Word file."), name=name, doc=label)
    upload.seek(0)
    data = upload.read()
    if isinstance(data, str):  # pragma: no cover - text-mode files are not uploads
        data = data.encode()
    if ctype in PHOTO_TYPES:
        return _photo(data, name=name, label=label)
    return Prepared(name=f"{_stem(name)}{PurePosixPath(name).suffix.lower()}", data=data, content_type=ctype)


def _photo(data: bytes, *, name: str, label: str) -> Prepared:
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    side = int(_setting("XASO_UPLOAD_PHOTO_MAX_SIDE", 2000))
    quality = int(_setting("XASO_UPLOAD_PHOTO_QUALITY", 80))
    max_pixels = int(_setting("XASO_UPLOAD_MAX_PIXELS", 50_000_000))
    try:
        img = Image.open(io.BytesIO(data))
        width, height = img.size
        if width * height > max_pixels:
            _refuse(
                _("The photo “%(name)s” (%(doc)s) is %(w)d × %(h)d pixels; at most %(max)d megapixels are accepted."),
                name=name, doc=label, w=width, h=height, max=max_pixels // 1_000_000,
            )
        pages = []
        for frame in ImageSequence.Iterator(img):
            if frame.format == "JPEG" or img.format == "JPEG":
                # Decode at a reduced scale straight away (JPEG's DCT scaling): a 48-megapixel
                # phone photo is never held in memory at full size.
                frame.draft("RGB", (side, side))
            page = ImageOps.exif_transpose(frame)
            page = _flatten(page)
            page.thumbnail((side, side), Image.Resampling.LANCZOS)
            pages.append(page)
            if len(pages) >= max_files_per_document():
                break
    except DossierError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        _refuse(_("The photo “%(name)s” (%(doc)s) is damaged or cannot be read. Take it again or send it as a PDF."), name=name, doc=label)
    if len(pages) > 1:  # a multi-page TIFF from a scanner: one PDF
        return Prepared(name=f"{_stem(name)}.pdf", data=_pdf(pages), content_type=PDF)
    out = io.BytesIO()
    # No exif=…: the metadata (GPS position, device, time) is not written back.
    pages[0].save(out, "JPEG", quality=quality, optimize=True)
    return Prepared(name=f"{_stem(name)}.jpg", data=out.getvalue(), content_type=JPEG, is_photo=True)


def _flatten(img):
    """RGB without transparency (on white) and without palette."""
    from PIL import Image

    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    if img.mode != "RGB":
        return img.convert("RGB")
    return img


def _pdf(pages) -> bytes:
    out = io.BytesIO()
    first, rest = pages[0], pages[1:]
    first.save(out, "PDF", save_all=True, append_images=rest, resolution=150.0)
    return out.getvalue()


def photos_to_pdf(photos: list[Prepared], name: str) -> Prepared:
    """One PDF, a page per photo in the order given (the officer opens one file)."""
    from PIL import Image

    pages = [Image.open(io.BytesIO(p.data)).convert("RGB") for p in photos]
    return Prepared(name=f"{_stem(name)}.pdf", data=_pdf(pages), content_type=PDF)


def for_officer(files: list[Prepared], name: str) -> list[Prepared]:
    """The files of one document as the dossier keeps them, in order: each run of two or more
    consecutive photos becomes one PDF; single photos and other files stay as they are."""
    out: list[Prepared] = []
    run: list[Prepared] = []

    def flush():
        if len(run) > 1:
            out.append(photos_to_pdf(run, name))
        else:
            out.extend(run)
        run.clear()

    for f in files:
        if f.is_photo:
            run.append(f)
        else:
            flush()
            out.append(f)
    flush()
    return out


def check_total(total: int) -> None:
    """Refuse a dossier whose files together pass ``XASO_UPLOAD_MAX_DOSSIER_MB``."""
    if total > max_dossier_bytes():
        _refuse(
            _("The files of this dossier would total %(size)s MB; a dossier may hold at most %(max)d MB. Remove a file or send smaller ones."),
            size=mb(total), max=max_dossier_bytes() // 1048576,
        )


def digest(stored) -> str:
    """SHA-256 of a stored file (a FieldFile)."""
    h = hashlib.sha256()
    with stored.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()
