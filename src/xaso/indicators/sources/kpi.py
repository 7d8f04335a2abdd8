"""The KPI's dossier inputs (docs/kpi.md), from the hand-over steps of the dossiers app.

Per official and period: the steps assigned to them that they completed (handed over) in
the period — one step is one piece of work on one dossier (appraisal, assignment, approval,
reception…); "on time" when handed over by the step's own due time (its share of the legal
time, computed by the dossiers app when the step opened). A step without a due time (the
procedure gives it no share) cannot be late. Ratings: the dossiers app has no ratings yet,
so ``rated`` is 0 and the KPI's rating component is "no data".
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
    return DossierStats(handled=handled, on_time=steps.filter(on_time_q()).count(), rated=0, satisfied=0)


def register():
    from .. import kpi_sources

    kpi_sources.provide_dossier_stats(dossier_stats)
