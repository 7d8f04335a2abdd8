"""Where the KPI's inputs come from.

Plan tasks: the progress reports an official submitted in the period (``plan`` app).
Dossiers: the one-stop-shop app plugs a provider in with :func:`provide_dossier_stats`::

    from xaso.indicators import kpi_sources
    from xaso.indicators.kpi import DossierStats

    @kpi_sources.provide_dossier_stats
    def stats(user, start, end):
        return DossierStats(handled=..., on_time=..., rated=..., satisfied=...)

Until one is registered there are no dossier data: the KPI says "no data" for those parts.
"""
from __future__ import annotations

from django.utils import timezone

from xaso.plan import workflow
from xaso.plan.models import ProgressReport

from .kpi import DossierStats, TaskStats

_dossier_provider = None


def provide_dossier_stats(func):
    global _dossier_provider
    _dossier_provider = func
    return func


def dossier_stats(user, start, end) -> DossierStats | None:
    if _dossier_provider is None:
        return None
    return _dossier_provider(user, start, end)


def task_reports(user, period):
    """The progress reports behind the plan components (shown with the KPI)."""
    return (
        ProgressReport.objects.filter(submitted_by=user, period=period, submitted_at__isnull=False)
        .select_related("task", "unit", "period")
        .order_by("task__number")
    )


def task_stats(user, period) -> TaskStats:
    reports = list(task_reports(user, period))
    on_time = sum(1 for r in reports if timezone.localdate(r.submitted_at) <= period.due_date)
    accepted = sum(1 for r in reports if r.state == workflow.ACCEPTED)
    return TaskStats(submitted=len(reports), on_time=on_time, accepted=accepted)
