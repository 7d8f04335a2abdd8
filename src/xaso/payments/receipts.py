"""The electronic receipt as a signed PDF (Mẫu 06, Phụ lục III, TT 32/2025/TT-BTC; content
per NĐ 123/2020 Điều 32 k2 as amended by NĐ 70/2025, vn-rules 10): type of receipt, form
symbol and receipt symbol, number (7 digits), collecting body and its tax code, payer, type
of fee and amount in figures and words, date, the collector's digital signature.

What the receipt says was fixed when it was issued (``Receipt.content``); the PDF is
rendered, signed by the configured signer (``xaso.core.signing``) and stored the first
time it is asked for, then served as stored (a later template change does not alter an
issued receipt)."""
from __future__ import annotations


from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string

from xaso.core import signing

from .models import Receipt

SIGNATURE_REASON = "Ký số biên lai điện tử thu phí, lệ phí (Mẫu 06 TT 32/2025/TT-BTC)"


def _fonts():
    from xaso.dossiers.documents import _font

    return {
        "regular": _font("LiberationSerif-Regular.ttf"),
        "bold": _font("LiberationSerif-Bold.ttf"),
        "italic": _font("LiberationSerif-Italic.ttf"),
        "bolditalic": _font("LiberationSerif-BoldItalic.ttf"),
    }


def render_html(receipt: Receipt) -> str:
    from xaso.dossiers.documents import nfc, vn_date

    c = nfc(receipt.content)
    lines = [{**line, "text": _dots(line["amount"])} for line in c.get("lines", [])]
    return render_to_string("payments/forms/receipt.html", {
        "r": receipt, "c": c, "lines": lines, "total": _dots(c.get("amount", 0)), "number": receipt.number_text,
        "date": vn_date(receipt.issued_at), "fonts": _fonts(),
    })


def _dots(amount) -> str:
    return f"{int(amount):,}".replace(",", ".")


def render_pdf(receipt: Receipt) -> bytes:
    """The receipt as a signed PDF, through the forms' renderer (``documents.html_to_pdf``:
    only the fonts and our static files are read, no network, no attachment)."""
    from xaso.dossiers.documents import html_to_pdf

    pdf = html_to_pdf(render_html(receipt))
    return signing.sign_pdf(pdf, reason=SIGNATURE_REASON, location=receipt.content.get("collector", ""))


def filename(receipt: Receipt) -> str:
    return f"bien-lai-{receipt.content.get('symbol', '')}-{receipt.number_text}.pdf".replace("/", "-")


def pdf_bytes(receipt: Receipt) -> bytes:
    """The signed PDF: the stored one, else rendered, signed and stored now (raises
    ``signing.SigningError`` when signing is configured but fails: never unsigned)."""
    if receipt.pdf:
        with receipt.pdf.open("rb") as f:
            return f.read()
    data = render_pdf(receipt)
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if not locked.pdf:
            locked.pdf.save(filename(receipt), ContentFile(data), save=False)
            locked.save(update_fields=["pdf"])
        receipt.pdf = locked.pdf
    return data
