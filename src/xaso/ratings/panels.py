"""The rating section of the staff dossier page (``dossiers.extensions.detail_panels``)."""
from __future__ import annotations

from xaso.dossiers.states import FINAL, Status

from . import services
from .models import Kiosk, Rating


def dossier_panel(request, dossier):
    if Status(dossier.status) not in FINAL:
        return None
    rating = Rating.objects.filter(dossier_id=dossier.pk).first()
    kiosks = []
    if rating is None:
        kiosks = list(Kiosk.objects.filter(active=True, unit_id__in=services.kiosk_units(request.user)).order_by("name"))
    return "ratings/_dossier_panel.html", {"rating": rating, "kiosks": kiosks, "follow_up": getattr(rating, "follow_up", None) if rating else None}
