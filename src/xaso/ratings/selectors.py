"""Reads of ratings. ``rating_summary`` is the one question the citizen portal asks about a
dossier ("Hồ sơ của tôi"): can it be rated now, where, or how it was rated."""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from . import services
from .models import LEVEL_VI, FollowUp, Rating


@dataclass(frozen=True)
class RatingSummary:
    ratable: bool
    rated: bool
    level: int | None
    level_text: str
    why_not: str
    url: str  # the owner's rating page (login required)


def rating_summary(dossier) -> RatingSummary:
    rating = Rating.objects.filter(dossier_id=dossier.pk).first()
    why = services.ratable_refusal(dossier) or ""
    return RatingSummary(
        ratable=not why,
        rated=rating is not None,
        level=rating.level if rating else None,
        level_text=LEVEL_VI[rating.level] if rating else "",
        why_not=why,
        url=reverse("ratings:owner", args=[dossier.code]),
    )


def follow_ups_for(user):
    from xaso.dossiers.services import scope_ids

    return FollowUp.objects.filter(unit_id__in=scope_ids(user, "unit_head")).select_related("rating__dossier", "unit", "answered_by")
