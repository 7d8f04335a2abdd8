"""The forms issued for a dossier, as PDF and DOCX, and the tracking book as XLSX.

Forms (vn-rules 1.8; keyed by type, the TT 03/2025 numbering being unconfirmed): receipt and
appointment slip, request to complete the dossier, refusal, apology and new appointment,
stop notice, process-control sheet. Header layout after NĐ 30/2020/NĐ-CP Phụ lục I: the
governing body and the issuing body on the left (issuing body in bold, with a short rule
under it), the national name and motto on the right (motto in bold with a rule under it),
the number and symbol under the left block, place and date in italics under the right block.

Templates an administrator can replace: upload ``<kind>.html`` (PDF, a Django template) or
``<kind>.docx`` (a docxtpl template) in the admin (Form templates; per commune or for all),
or put them in the folder named by ``XASO_DOSSIER_FORMS_DIR``; the built-in ones are in
``dossiers/templates/dossiers/forms/`` and ``dossiers/doc_templates/`` (``template_for``).
Fonts: Liberation Serif (metric-compatible with Times New Roman, the font NĐ 30/2020
requires), embedded in the PDF.
"""
from __future__ import annotations

import base64
import io
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core import signing
from xaso.core.spreadsheets import append_row
from xaso.core.text import xml_safe

from . import deadlines
from .models import DocumentKind, Dossier, IssuedDocument
from .services import get_calendar, local, lookup_url

BUILTIN_DOCX = Path(__file__).resolve().parent / "doc_templates"
FONT_DIRS = [
    Path(getattr(settings, "XASO_FONT_DIR", "/usr/share/fonts/truetype/liberation2")),
    Path("/usr/share/fonts/truetype/liberation2"),
]


def _font(name):
    for d in FONT_DIRS:
        p = d / name
        if p.exists():
            return p.as_uri()
    return ""


def _override(kind, ext) -> Path | None:
    folder = getattr(settings, "XASO_DOSSIER_FORMS_DIR", "")
    if folder:
        p = Path(folder) / f"{kind}.{ext}"
        if p.is_file():
            return p
    return None


def template_for(kind, ext, unit) -> bytes | None:
    """The replacement template of a form, if there is one: the one uploaded in the admin
    for the issuing unit's commune, else the one uploaded for every commune, else the file
    in ``XASO_DOSSIER_FORMS_DIR``. None: the built-in template applies."""
    from .models import FormTemplate

    commune_id = unit.local_government.pk if unit is not None and unit.local_government else None
    in_use = FormTemplate.objects.filter(kind=kind, format=ext, active=True)
    uploaded = {t.local_government_id: t for t in in_use.filter(Q(local_government__isnull=True) | Q(local_government_id=commune_id))}
    chosen = uploaded.get(commune_id) or uploaded.get(None)
    if chosen is not None:
        with chosen.file.open("rb") as f:
            return f.read()
    path = _override(kind, ext)
    return path.read_bytes() if path else None


def nfc(value):
    """Stored text as the forms and the book can print it: NFC, without the control
    characters XML and XLSX cannot hold (text stored before input was cleaned, or pasted)."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, (list, tuple)):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: nfc(v) for k, v in value.items()}
    return value


def vn_date(dt, place=""):
    d = local(dt) if hasattr(dt, "hour") else dt
    text = f"ngày {d:%d} tháng {d:%m} năm {d:%Y}"
    return f"{place}, {text}" if place else text


def vn_time(dt):
    if not dt:
        return ""
    d = local(dt)
    return f"{d:%H} giờ {d:%M} phút, ngày {d:%d} tháng {d:%m} năm {d:%Y}"


def qr_data_uri(text) -> str:
    import qrcode

    img = qrcode.make(text, box_size=4, border=1)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _place(unit):
    lg = unit.local_government
    name = (lg or unit).name
    for prefix in ("Xã ", "Phường ", "Thị trấn ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _header(unit):
    parent = unit.parent
    governing = (parent.name if parent else "").upper()
    if unit.local_government and unit.local_government != unit:
        governing = ("UBND " + unit.local_government.name).upper()
    elif unit.local_government == unit:
        # The commune's People's Committee itself issues (a refusal to resolve signed by the
        # chairman): "ỦY BAN NHÂN DÂN / XÃ NGỌC LIÊN" (NĐ 30/2020 Phụ lục I).
        governing = "ỦY BAN NHÂN DÂN"
    return {"governing": governing, "issuer": unit.name.upper(), "place": _place(unit)}


def _short(dt):
    return local(dt).strftime("%H:%M %d/%m/%Y") if dt else ""


def control_rows(dossier, calendar=None):
    """Rows of the process-control sheet: every hand-over with before/on/after time (the one
    classification, ``deadlines.timeliness``, against the step's own due time). A step held
    by a unit rather than a person (waiting for the head's review, the leader's signature)
    names as its receiver the official who handed the dossier on from it."""
    rows = []
    steps = list(dossier.steps.select_related("unit", "assignee", "given_by").order_by("seq"))
    verdicts = {"early": _("Before time"), "on_time": _("On time"), "late": _("Late")}
    for i, s in enumerate(steps):
        verdict = ""
        if s.finished_at and s.due_at:
            verdict = verdicts[deadlines.timeliness(s.finished_at, s.due_at)]
        elif s.finished_at:
            verdict = _("No separate time limit")
        official = s.assignee
        if official is None and s.finished_at and i + 1 < len(steps):
            official = steps[i + 1].given_by
        rows.append(
            {
                "seq": s.seq,
                "name": s.name,
                "unit": s.external_agency or (s.unit.name if s.unit else ""),
                "official": official.display_name if official else "",
                "given_by": s.given_by.display_name if s.given_by else "",
                "received": vn_time(s.started_at),
                "handed": vn_time(s.finished_at) if s.finished_at else "",
                "due": vn_time(s.due_at) if s.due_at else "",
                "verdict": verdict,
                "received_short": _short(s.started_at),
                "handed_short": _short(s.finished_at),
                "due_short": _short(s.due_at),
            }
        )
    return rows


def fee_line_rows(lines) -> list[dict]:
    """Fee lines for the pages: label (the line's description, else "Fees and charges", or
    the kind for a council or free line), for a per-unit line its unit price, unit and
    quantity, and the amount (None: not determined by the catalogue)."""
    from xaso.catalog.models import Fee

    rows = []
    for line in lines or []:
        kind = line.get("kind")
        if line.get("name"):
            label = line["name"]
        elif kind in (Fee.Kind.COUNCIL, Fee.Kind.FREE):
            label = Fee.Kind(kind).label
        else:
            label = _("Fees")
        rows.append(
            {
                "line": line.get("line"),
                "label": label,
                "per_unit": kind == Fee.Kind.PER_UNIT,
                "unit_price": line.get("unit_price"),
                "unit": line.get("unit") or "",
                "quantity": line.get("quantity"),
                "amount": line.get("amount"),
            }
        )
    return rows


def fee_rows(dossier) -> list[dict]:
    """The dossier's fee lines for its page (``fee_line_rows``)."""
    return fee_line_rows(dossier.fee_lines)


# The receipt's fee lines, in the forms' Vietnamese (the form texts are not translated).
UNDETERMINED_VI = "chưa xác định"
_FEE_KIND_VI = {"council": "Khoản do HĐND tỉnh quyết định", "unknown": "Khoản phí, lệ phí", "free": "Miễn phí"}


def _vnd(amount) -> str:
    return f"{int(amount):,}".replace(",", ".") + " đồng"


ASK_DESK_VI = "xin hỏi bộ phận tiếp nhận hồ sơ"
_CASE_VI = {"council": "mức thu do HĐND tỉnh quy định", "unknown": "mức thu chưa có trong danh mục"}


def _conditional(line) -> bool:
    """An undetermined line named for a case ("Một số trường hợp", "Đăng ký quá hạn"…): it
    applies only in that case, so it does not make the dossier's fees undetermined."""
    return line.get("amount") is None and bool(line.get("name")) and line.get("kind") in ("council", "unknown")


def fee_texts(dossier) -> tuple[str, list[str]]:
    """(total, one text per line) printed on the receipt: "24.000 đồng", ["8.000 đồng/bản sao
    × 3 bản sao = 24.000 đồng"]. A line the catalogue does not price reads "chưa xác định",
    and the total says it does not include it. A line priced only in a named case (a free
    birth registration, "Một số trường hợp" at a rate the provincial council sets) reads as
    one plain sentence telling the applicant to ask the desk, and leaves the total as the
    other lines make it ("Miễn phí"). One line that is not per unit is said by the total
    alone, as is a free line when the total is "Miễn phí". Dossiers without fee lines
    (received before they were kept) print their total only; nothing when it is 0."""
    lines = dossier.fee_lines or []
    undetermined = any(line.get("amount") is None and not _conditional(line) for line in lines)
    determined = [line for line in lines if not _conditional(line)]
    if not lines:
        total = _vnd(dossier.fee_amount) if dossier.fee_amount else ""
    elif undetermined and not dossier.fee_amount:
        total = UNDETERMINED_VI
    elif undetermined:
        total = f"{_vnd(dossier.fee_amount)} (chưa gồm khoản {UNDETERMINED_VI})"
    elif determined and all(line.get("kind") == "free" for line in determined):
        total = "Miễn phí"
    elif not determined:
        total = UNDETERMINED_VI
    else:
        total = _vnd(dossier.fee_amount)
    texts = []
    for line in lines:
        kind, amount = line.get("kind"), line.get("amount")
        if _conditional(line):
            texts.append(f"{line['name']}: {_CASE_VI[kind]}; {ASK_DESK_VI}")
            continue
        prefix = f"{line['name']}: " if line.get("name") else (f"{_FEE_KIND_VI[kind]}: " if kind in ("council", "unknown") else "")
        if kind == "free":
            if total == "Miễn phí" and not prefix:
                continue
            text = f"{prefix}Miễn phí" if prefix else "Miễn phí"
        elif kind == "per_unit":
            unit, q = line.get("unit") or "đơn vị", line.get("quantity")
            if line.get("unit_price") is None:
                text = f"{prefix}{q} {unit}, đơn giá {UNDETERMINED_VI}"
            else:
                text = f"{prefix}{_vnd(line['unit_price'])}/{unit} × {q} {unit} = {_vnd(amount)}"
        else:
            text = prefix + (_vnd(amount) if amount is not None else UNDETERMINED_VI)
        texts.append(text)
    if len(lines) == 1 and lines[0].get("kind") != "per_unit" and not lines[0].get("name"):
        texts = []
    return total, texts


def context(doc: IssuedDocument) -> dict:
    d: Dossier = doc.dossier
    unit = doc.unit
    legal = f"{d.legal_days.normalize():f} ngày làm việc" if d.legal_days else (f"{d.legal_hours.normalize():f} giờ làm việc" if d.legal_hours else "Trong ngày")
    if d.legal_calendar_days:
        legal = f"{d.legal_days.normalize():f} ngày"
    data = doc.data or {}
    apology = getattr(d, "apology", None) if doc.kind == DocumentKind.APOLOGY else None
    received = d.received_at or d.submitted_at
    ctx = {
        "doc": doc,
        "reference": doc.reference,
        "number": doc.number,
        "suffix": IssuedDocument.SUFFIX[doc.kind],
        "year": doc.year,
        "header": _header(unit),
        "place_date": vn_date(doc.issued_at, _header(unit)["place"]),
        "dossier": d,
        "code": d.code,
        "procedure": d.procedure_name,
        "applicant": d.applicant_name,
        "applicant_id": d.applicant_id_number,
        "address": d.applicant_address,
        "phone": d.applicant_phone,
        "email": d.applicant_email,
        "agent": d.agent_name,
        "agent_id": d.agent_id_number,
        "agent_phone": d.agent_phone,
        "agent_address": d.agent_address,
        "agent_email": d.agent_email,
        "authorisation": d.authorisation_document,
        "request": d.request_summary or d.procedure_name,
        "components": [c.name for c in d.components.all() if c.submitted],
        "copies": d.copies,
        "legal_time": legal,
        "received_at": vn_time(received),
        # "ngày 06 tháng 07 năm 2026" (a sentence that starts "Ngày …, [unit] tiếp nhận …").
        "received_date": vn_date(received) if received else "",
        "received_on": vn_date(received).capitalize() if received else "",
        "due_at": vn_time(d.legal_due_at if apology is None else apology.previous_due_at) if d.received_at else "",
        "delivery": d.get_delivery_display(),
        "receiving_unit": d.receiving_unit.name,
        "competent_unit": d.competent_unit.name,
        "items": data.get("items", []),
        "reason": data.get("reason", "") or data.get("reasons", ""),
        "legal_basis": data.get("legal_basis", ""),
        "new_due_at": vn_time(apology.new_due_at) if apology else "",
        "previous_due_at": vn_time(apology.previous_due_at) if apology else "",
        "signer": doc.issued_by.display_name if doc.issued_by else "",
        "signer_capacity": signer_capacity(doc),
        # The issuing body as a sentence names it: a commune acts as its People's Committee.
        "issuer_name": ("Ủy ban nhân dân " + unit.name[:1].lower() + unit.name[1:]) if unit.local_government == unit else unit.name,
        "lookup_url": lookup_url(d),
        "lookup_secret": d.lookup_secret,
        "rows": control_rows(d) if doc.kind == DocumentKind.CONTROL else [],
        "partners": sorted({s.external_agency or (s.unit.name if s.unit else "") for s in d.steps.filter(is_interagency=True).select_related("unit")}),
        # BM.02: the person to contact about the request and the unit's phone number (the
        # issuing unit's, else the one-stop desk's).
        "contact_person": doc.issued_by.display_name if doc.issued_by else "",
        "contact_unit": unit.name,
        "contact_phone": unit.phone or d.receiving_unit.phone,
        # BM.01 "Vào Sổ theo dõi hồ sơ, Quyển số …; Số thứ tự …"
        "book_volume": d.book_volume,
        "book_seq": d.book_seq or "",
    }
    # Fees and charges: the total ("chưa xác định" for what the catalogue does not price)
    # and each line; ``fee_detail`` is the lines in one text (for the DOCX).
    ctx["fee_total"], ctx["fee_lines"] = fee_texts(d)
    ctx["fee_detail"] = "; ".join(ctx["fee_lines"])
    if doc.kind == DocumentKind.RECEIPT and data.get("due_at"):
        from datetime import datetime

        ctx["due_at"] = vn_time(datetime.fromisoformat(data["due_at"]))
    return {k: nfc(v) for k, v in ctx.items()}


def signer_capacity(doc: IssuedDocument) -> dict:
    """How the competent person signs a decision of a People's Committee (NĐ 30/2020/NĐ-CP
    Phụ lục I: "TM." for the collective, "KT." for a deputy): the chairman "TM. ỦY BAN NHÂN
    DÂN / CHỦ TỊCH", a vice-chairman "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH";
    anyone else as the head of the issuing body."""
    from xaso.core.models import Membership, Position

    position = None
    if doc.issued_by_id:
        position = (
            Membership.objects.filter(user_id=doc.issued_by_id, unit=doc.unit, is_active=True).values_list("position", flat=True).first()
        )
    if position == Position.CHAIRMAN:
        return {"lines": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]}
    if position == Position.VICE_CHAIRMAN:
        return {"lines": ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]}
    return {"lines": ["THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"]}


def render_html(doc: IssuedDocument) -> str:
    ctx = context(doc)
    ctx["qr"] = qr_data_uri(ctx["lookup_url"]) if doc.kind == DocumentKind.RECEIPT else ""
    ctx["fonts"] = {
        "regular": _font("LiberationSerif-Regular.ttf"),
        "bold": _font("LiberationSerif-Bold.ttf"),
        "italic": _font("LiberationSerif-Italic.ttf"),
        "bolditalic": _font("LiberationSerif-BoldItalic.ttf"),
    }
    override = template_for(doc.kind, "html", doc.unit)
    if override is not None:
        return engines["django"].from_string(override.decode("utf-8")).render(ctx)
    return render_to_string(f"dossiers/forms/{doc.kind}.html", ctx)


# The reason written in the digital signature of every issued PDF form (vn-rules 1.8: "Chữ
# ký số … nếu là biểu mẫu điện tử"); the form texts are Vietnamese and not translated.
SIGNATURE_REASON = "Ký số biểu mẫu điện tử theo Thông tư 03/2025/TT-VPCP"


FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")
STATIC_SUFFIXES = (".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp") + FONT_SUFFIXES


def _inside(path: Path, roots) -> bool:
    for root in roots:
        try:
            path.relative_to(Path(root).resolve())
            return True
        except ValueError:
            continue
    return False


def _static_file(relative: str) -> Path | None:
    """A static file of the project (STATIC_ROOT, else the finders) by its path under
    ``STATIC_URL``; None for anything else."""
    from django.contrib.staticfiles import finders

    relative = relative.lstrip("/")
    if not relative or ".." in relative.split("/") or not relative.lower().endswith(STATIC_SUFFIXES):
        return None
    root = Path(settings.STATIC_ROOT).resolve()
    candidate = (root / relative).resolve()
    if _inside(candidate, [root]) and candidate.is_file():
        return candidate
    found = finders.find(relative)
    return Path(found).resolve() if found else None


def form_base_url() -> str:
    """Relative and ``{% static %}`` URLs in a form resolve on the public address (then
    served from disk by ``FormURLFetcher``, never fetched)."""
    return getattr(settings, "XASO_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/") + "/"


def _make_fetcher_class():
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class FormURLFetcher(URLFetcher):
        """WeasyPrint's URL fetcher for the forms: ``data:`` URLs (the QR code), the font
        files of ``XASO_FONT_DIR`` (``file:`` URLs) and the project's static files (under
        ``XASO_PUBLIC_BASE_URL`` + ``STATIC_URL``, read from disk). Nothing else: no other
        file of the server, no network (an uploaded template is written by a commune
        administrator, and the PDF goes to citizens)."""

        def __init__(self):
            super().__init__(timeout=1, allowed_protocols={"data", "file", "http", "https"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                fonts = path.suffix.lower() in FONT_SUFFIXES and _inside(path, FONT_DIRS)
                if (fonts or _inside(path, [settings.STATIC_ROOT])) and path.is_file():
                    return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": _mime(path)})
                raise ValueError(f"The form may not read {url}")
            static_prefix = form_base_url().rstrip("/") + "/" + settings.STATIC_URL.strip("/") + "/"
            if scheme in ("http", "https") and url.split("?", 1)[0].startswith(static_prefix):
                path = _static_file(unquote(url.split("?", 1)[0][len(static_prefix):]))
                if path is not None:
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})
            raise ValueError(f"The form may not fetch {url}")

    return FormURLFetcher


def _mime(path: Path) -> str:
    import mimetypes

    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


_FETCHER_CLASS = None


def form_url_fetcher():
    """A ``FormURLFetcher`` (the class is built on first use: importing WeasyPrint costs
    about 0.3 s)."""
    global _FETCHER_CLASS
    if _FETCHER_CLASS is None:
        _FETCHER_CLASS = _make_fetcher_class()
    return _FETCHER_CLASS()


def html_to_pdf(html: str) -> bytes:
    """HTML to PDF with WeasyPrint, reading only what ``FormURLFetcher`` allows, without
    attachments (``<a rel="attachment">``, ``<link rel="attachment">``): a form embeds no
    file."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=form_base_url(), url_fetcher=form_url_fetcher()).render()
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]
    return document.write_pdf()


def render_pdf(doc: IssuedDocument) -> bytes:
    """The form as PDF (``html_to_pdf``: no file of the server, no network, no attachment),
    digitally signed by the configured signer (``XASO_SIGNING_BACKEND``, docs/dossiers.md
    "Digital signatures"): reason ``SIGNATURE_REASON``, location the issuing unit. Raises
    ``signing.SigningError`` (a Vietnamese message) when signing is configured but fails:
    the form is then not issued unsigned."""
    pdf = html_to_pdf(render_html(doc))
    return signing.sign_pdf(pdf, reason=SIGNATURE_REASON, location=nfc(doc.unit.name), contact=doc.unit.phone or "")


def docx_jinja_env():
    """Word templates are Jinja templates, and an administrator may upload one: they run in
    Jinja's sandbox, where a template cannot reach Python internals (``__class__`` …)."""
    from jinja2.sandbox import SandboxedEnvironment

    # Autoescaped: the values go into the document's XML ("Công ty A & B" must stay text).
    return SandboxedEnvironment(autoescape=True)


def render_docx(doc: IssuedDocument) -> bytes:
    from docxtpl import DocxTemplate

    override = template_for(doc.kind, "docx", doc.unit)
    tpl = DocxTemplate(io.BytesIO(override) if override is not None else str(BUILTIN_DOCX / f"{doc.kind}.docx"))
    ctx = context(doc)
    ctx["partners"] = "; ".join(ctx["partners"])
    tpl.render(ctx, jinja_env=docx_jinja_env())
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def control_sheet(dossier: Dossier, user=None) -> IssuedDocument:
    """The process-control sheet is a view of the hand-overs at the time it is printed;
    the first print gives it its number, later prints reuse it."""
    existing = dossier.documents.filter(kind=DocumentKind.CONTROL).first()
    if existing:
        return existing
    from django.db import transaction

    from .services import issue_document

    with transaction.atomic():
        return issue_document(dossier, DocumentKind.CONTROL, unit=dossier.receiving_unit, user=user, now=timezone.now())


BOOK_COLUMNS = [
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Tên tổ chức, cá nhân",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Trả kết quả",
    "Phương thức nhận kết quả",
    "Ký nhận",
]


def tracking_book(unit, start, end, field: str | None = None) -> bytes:
    """Sổ theo dõi hồ sơ (vn-rules 1.8, BM.06) of dossiers received by ``unit`` (and the
    units below it) between two dates, as XLSX: one sheet per book (volume), "kept per
    field or group of fields" (``XASO_TRACKING_BOOK_PER``), its rows numbered with the
    number each dossier was given in the book at receipt. ``field`` keeps one field's book.
    Dossiers received before the books were kept electronically form a last sheet."""
    from openpyxl import Workbook

    from .services import tracking_book_per

    qs = Dossier.objects.filter(receiving_unit_id__in=unit.descendant_ids(), received_at__date__gte=start, received_at__date__lte=end)
    if field is not None:
        qs = qs.filter(field_name=field)
    qs = qs.select_related("competent_unit").order_by("book_volume", "field_name", "book_seq", "received_at", "id")
    per_field = tracking_book_per() == "field"
    books: dict[tuple, list] = {}
    for d in qs.iterator(chunk_size=2000):
        key = (d.book_volume, d.field_name if per_field and d.book_volume else "")
        books.setdefault(key, []).append(d)
    # Entered books first (by label), the dossiers without a book entry last.
    keys = sorted(books, key=lambda k: (k[0] == "", k)) or [("", "")]
    wb = Workbook()
    titles = set()
    for n, key in enumerate(keys):
        ws = wb.active if n == 0 else wb.create_sheet()
        title = (key[0] or "Chua vao so")[:28]
        while title in titles:
            title = f"{title[:25]}-{n}"
        titles.add(title)
        ws.title = title
        volume, field_name = key
        if volume:
            subtitle = f"Quyển số: {volume}" + (f" · Lĩnh vực: {field_name}" if field_name else "")
        elif books:
            subtitle = "Hồ sơ tiếp nhận trước khi vào sổ điện tử (chưa có quyển số, số thứ tự)"
        else:
            subtitle = ""
        _book_sheet(ws, unit, start, end, subtitle, books.get(key, []))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _book_sheet(ws, unit, start, end, subtitle, dossiers):
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    bold = Font(name="Times New Roman", bold=True, size=12)
    normal = Font(name="Times New Roman", size=11)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    # Every row through append_row: what applicants typed is text, never a formula.
    append_row(ws, [unit.name.upper()])
    append_row(ws, ["SỔ THEO DÕI HỒ SƠ"])
    append_row(ws, [f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"])
    append_row(ws, [nfc(subtitle)] if subtitle else [])
    append_row(ws, BOOK_COLUMNS[:6] + ["Nhận và trả kết quả"] + [""] * 4)
    append_row(ws, [""] * 6 + BOOK_COLUMNS[6:])
    for col in range(1, 7):
        ws.merge_cells(start_row=5, start_column=col, end_row=6, end_column=col)
    ws.merge_cells(start_row=5, start_column=7, end_row=5, end_column=11)
    for r in (1, 2, 3, 4):
        ws.cell(r, 1).font = bold
    for r in (5, 6):
        for c in range(1, 12):
            cell = ws.cell(r, c)
            cell.font = bold
            cell.border = box
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    fmt = "%H:%M %d/%m/%Y"
    for i, d in enumerate(dossiers, start=1):
        row = [
            d.book_seq or i,
            d.code,
            d.procedure_name,
            d.applicant_name,
            ", ".join(x for x in (d.applicant_address, d.applicant_phone) if x),
            d.competent_unit.name,
            local(d.received_at).strftime(fmt),
            # The appointment the law gives; an apology's new date beside it.
            (local(d.legal_due_at or d.due_at).strftime(fmt) if (d.legal_due_at or d.due_at) else "")
            + (f" (hẹn lại: {local(d.due_at).strftime(fmt)})" if d.legal_due_at and d.due_at and d.due_at != d.legal_due_at else ""),
            local(d.returned_at).strftime(fmt) if d.returned_at else "",
            d.get_delivery_display(),
            "",
        ]
        append_row(ws, [nfc(str(v)) if isinstance(v, str) else v for v in row])
        for c in range(1, 12):
            ws.cell(ws.max_row, c).font = normal
            ws.cell(ws.max_row, c).border = box
    for col, width in enumerate([6, 30, 40, 25, 30, 25, 17, 17, 17, 14, 10], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
