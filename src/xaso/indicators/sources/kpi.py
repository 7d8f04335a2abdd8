"""The KPI's dossier inputs (docs/kpi.md), from the hand-over steps of the dossiers app.

Per official and period: the steps assigned to them that they completed (handed over) in
the period — one step is one piece of work on one dossier (appraisal, assignment, approval,
reception…); "on time" when handed over by the step's own due time (its share of the legal
time, computed by the dossiers app when the step opened). A step without a due time (the
procedure gives it no share) cannot be late. Ratings: the applicants' ratings given in the
period of dossiers the official handled (``ratings.Rating.officials``); satisfied = "Rất
hài lòng" or "Hài lòng".
"""
from __future__ import annotations

from django.db.models import F, Q

from xaso.dossiers.models import Step

from ..kpi import DossierStats
from .dossiers import bounds


def handled_steps(user, start, end):
    lo, hi = bounds(start, end)
    return Step.objects.filter(assignee=user, finished_at__gte=lo, finished_at__lt=hi)


def on_time_q():
    return Q(due_at__isnull=True) | Q(finished_at__lte=F("due_at"))


def dossier_stats(user, start, end) -> DossierStats | None:
    steps = handled_steps(user, start, end)
    handled = steps.count()
    if not handled:
        return None
    rated, satisfied = rating_counts(user, start, end)
    return DossierStats(handled=handled, on_time=steps.filter(on_time_q()).count(), rated=rated, satisfied=satisfied)


def rating_counts(user, start, end) -> tuple[int, int]:
    from xaso.ratings.models import Level, Rating

    lo, hi = bounds(start, end)
    ratings = Rating.objects.filter(officials=user, rated_at__gte=lo, rated_at__lt=hi)
    return ratings.count(), ratings.filter(level__gte=Level.SATISFIED).count()


def register():
    from .. import kpi_sources

    kpi_sources.provide_dossier_stats(dossier_stats)
