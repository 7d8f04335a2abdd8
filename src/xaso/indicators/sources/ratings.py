"""Satisfaction targets measured from the applicants' ratings (``xaso.ratings``).

Satisfied = "Rất hài lòng" or "Hài lòng" of the national portal's three levels; the share is
taken over the ratings given in the period of dossiers the commune decided (competent unit
in the commune). Land, construction and investment: the ratings whose dossier's field
starts with one of ``XASO_RATING_LAND_FIELDS`` (compared without accents)."""
from __future__ import annotations

from django.conf import settings

from xaso.catalog.text import normalise
from xaso.dossiers.models import Dossier
from xaso.ratings.models import Level, Rating

from .. import registry
from .dossiers import bounds


def ratings_in(commune, start, end):
    lo, hi = bounds(start, end)
    return Rating.objects.filter(competent_unit_id__in=commune.descendant_ids(), rated_at__gte=lo, rated_at__lt=hi)


def _measure(ratings):
    satisfied = ratings.filter(level__gte=Level.SATISFIED)
    dossiers = Dossier.objects.filter(rating__in=satisfied)
    return registry.Measurement(satisfied.count(), ratings.count(), records=dossiers, base=Dossier.objects.filter(rating__in=ratings))


@registry.provide("satisfaction_procedures")
def satisfaction_procedures(commune, start, end):
    return _measure(ratings_in(commune, start, end))


def land_fields(names) -> list[str]:
    prefixes = [normalise(p) for p in getattr(settings, "XASO_RATING_LAND_FIELDS", ["dat dai", "xay dung", "dau tu"])]
    return [n for n in names if any(normalise(n).startswith(p) for p in prefixes)]


@registry.provide("satisfaction_land_construction_investment")
def satisfaction_land_construction_investment(commune, start, end):
    ratings = ratings_in(commune, start, end)
    fields = land_fields(set(ratings.values_list("field_name", flat=True).distinct()))
    return _measure(ratings.filter(field_name__in=fields))
