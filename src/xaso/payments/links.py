"""Signed links to a dossier's payment page, sent by SMS: whoever holds the link may see the
amount due, pay it and download the receipts of that dossier, nothing else. Signed with
SECRET_KEY (``django.core.signing``), valid ``XASO_PAYMENT_LINK_DAYS`` days; a link stays
usable after paying (to download the receipt)."""
from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "xaso.payments.link"


def token_for(dossier) -> str:
    return signing.TimestampSigner(salt=SALT).sign(signing.b62_encode(dossier.pk))


def dossier_id_from(token: str) -> int | None:
    days = int(getattr(settings, "XASO_PAYMENT_LINK_DAYS", 30))
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=days * 86400)
        return signing.b62_decode(value)
    except (signing.BadSignature, ValueError):
        return None


def payment_path(dossier) -> str:
    return reverse("payments:link", args=[token_for(dossier)])


def payment_link(dossier) -> str:
    return getattr(settings, "XASO_PUBLIC_BASE_URL", "").rstrip("/") + payment_path(dossier)
