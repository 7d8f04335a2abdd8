"""Who the public site speaks for, and where it is.

- ``public_base_url()``: the absolute address printed in SMS, e-mails, QR codes and the
  national-portal feed: ``XASO_PUBLIC_BASE_URL``; when it is not set, the address ``xaso
  serve`` is serving on (``XASO_SERVED_URL``, set by the command for its processes), else
  ``http://127.0.0.1:8000``. The deployment check warns (``xaso.W002``) when it is not set in
  production.
- ``commune_info()``: the commune whose public pages these are (``XASO_PUBLIC_COMMUNE``, a unit
  code; default the first commune or ward), its People's Committee, its province (the state
  heading), and its public administrative service centre's address, hotline and e-mail —
  for every page's header and footer (``context_processors.site``) and any page that needs
  them. Read from the units (administrators keep them in the admin), memoised briefly.
"""
from __future__ import annotations

import os
import socket

from django.conf import settings
from django.core import checks

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def served_url(host: str, port: int) -> str:
    """The address ``xaso serve`` answers on, as a browser would write it."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname() or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def public_base_url() -> str:
    configured = (getattr(settings, "XASO_PUBLIC_BASE_URL", "") or "").strip()
    return (configured or os.environ.get("XASO_SERVED_URL", "") or DEFAULT_BASE_URL).rstrip("/")


def _committee_name(unit) -> str:
    """"Xã Ngọc Liên" → "Ủy ban nhân dân xã Ngọc Liên"; "Tỉnh Thanh Hóa" → "Ủy ban nhân dân tỉnh Thanh Hóa"."""
    name = unit.name
    return "Ủy ban nhân dân " + name[:1].lower() + name[1:]


def _load():
    from .models import Unit

    code = (getattr(settings, "XASO_PUBLIC_COMMUNE", "") or "").strip()
    communes = Unit.objects.filter(kind__in=Unit.LOCAL_GOVERNMENTS, is_active=True).select_related("parent")
    commune = communes.filter(code=code).first() if code else communes.order_by("sort_order", "pk").first()
    if commune is None:
        return None
    centres = Unit.objects.filter(parent=commune, kind=Unit.Kind.CENTRE, is_active=True).order_by("sort_order", "pk")
    centre = centres.filter(name__icontains="hành chính công").first() or centres.first()
    contact = centre or commune
    province = commune.parent
    return {
        "code": commune.code,
        "name": commune.name,
        "short_name": commune.short_name or commune.name,
        "committee": _committee_name(commune),
        "province": province.name if province else "",
        "province_committee": _committee_name(province) if province else "",
        "centre": centre.name if centre else "",
        "address": contact.address or commune.address,
        "hotline": contact.phone or commune.phone,
        "email": contact.email or commune.email,
    }


def commune_info() -> dict | None:
    from .refcache import ttl_memo

    return ttl_memo(("public-commune", getattr(settings, "XASO_PUBLIC_COMMUNE", "")), _load)


@checks.register(checks.Tags.security, deploy=True)
def check_public_base_url(app_configs=None, **kwargs):
    """The site's public address must be set in production: SMS, e-mails and the QR code on
    every receipt link to it."""
    if not (getattr(settings, "XASO_PUBLIC_BASE_URL", "") or "").strip() and not settings.DEBUG:
        return [
            checks.Warning(
                "XASO_PUBLIC_BASE_URL is not set: SMS, e-mails and QR codes would link to the address the server listens on.",
                hint="Set XASO_PUBLIC_BASE_URL to the site's public address, e.g. https://dichvucong.ngoclien.thanhhoa.gov.vn (docs/configuration.md).",
                id="xaso.W002",
            )
        ]
    return []
