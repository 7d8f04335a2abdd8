"""Read queries: each target's threshold, value, source and whether it is met."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from . import registry, thresholds
from .models import ReportedValue, Target, Threshold


@dataclass
class TargetStatus:
    target: Target
    year: int
    threshold: Decimal | None
    threshold_origin: str
    value: Decimal | None
    met: bool | None
    source: str
    record: ReportedValue | None = None
    measurement: registry.Measurement | None = None

    @property
    def threshold_origin_label(self):
        return Threshold.Origin(self.threshold_origin).label if self.threshold_origin else ""

    @property
    def no_data(self):
        return self.value is None


def target_status(target: Target, period) -> TargetStatus:
    row = Threshold.objects.filter(target=target, year=period.year).first()
    threshold = row.value if row else None
    origin = row.origin if row else ""
    record = measurement = None
    if target.method == Target.Method.MEASURED:
        metric = registry.METRICS.get(target.metric)
        raw = registry.evaluate(target.metric, target.plan.commune, period.start, period.end)
        measurement = raw if raw is not None and raw.denominator else None
        value = measurement.value if measurement else None
        source = str(metric.source) if metric else target.metric
        if measurement is None and raw is not None and raw.note:
            source = _("%(source)s — no data yet: %(reason)s") % {"source": source, "reason": raw.note}
        elif measurement is None:
            source = _("%(source)s — no data yet") % {"source": source}
        else:
            source = _("%(source)s: %(num)s / %(den)s") % {"source": source, "num": measurement.numerator, "den": measurement.denominator}
    else:
        record = ReportedValue.objects.filter(target=target, period=period).select_related("unit", "reported_by").first()
        value = record.value if record else None
        if record:
            source = _("Reported by %(unit)s on %(date)s") % {"unit": record.unit, "date": record.reported_at.strftime("%d/%m/%Y")}
        else:
            unit = target.reporting_unit
            source = _("To be reported by %(unit)s — not reported yet") % {"unit": unit or _("the responsible unit")}
    return TargetStatus(
        target=target,
        year=period.year,
        threshold=threshold,
        threshold_origin=origin,
        value=value,
        met=thresholds.is_met(value, threshold, target.comparison),
        source=source,
        record=record,
        measurement=measurement,
    )


def targets_for(plan, period) -> list[TargetStatus]:
    return [target_status(t, period) for t in Target.objects.filter(plan=plan).select_related("reporting_unit", "plan__commune")]


def comparison_sign(target: Target) -> str:
    return {"gte": "≥", "gt": ">", "lte": "≤"}[target.comparison]


def dossier_figures(plan, period, now=None) -> dict:
    """The dossier figures of the plan's commune for a reporting period (for its report)."""
    from .sources.dossiers import period_figures

    return period_figures(plan.commune, period.start, period.end, now=now)
