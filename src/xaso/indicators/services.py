"""Changes to targets: loading the plan's targets, thresholds set by a person, values reported
by units, KPI weights. Atomic and audited."""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from xaso.core import audit
from xaso.core.models import AuditRecord
from xaso.plan import services as plan_services
from xaso.plan import unitmap
from xaso.plan.services import PlanError

from . import thresholds
from .models import KpiWeights, ReportedValue, Target, Threshold

CATALOGUE = Path(__file__).resolve().parent / "fixtures" / "targets-2026-2030.json"


@transaction.atomic
def load_targets(plan, path: Path = CATALOGUE) -> dict:
    """Create the plan's targets from the catalogue (idempotent; thresholds set by a person
    are kept). Returns counts."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    units = plan_services.commune_units(plan.commune)
    counts = {"targets": 0, "created": 0, "thresholds": 0, "unmapped": []}
    for order, entry in enumerate(entries, start=1):
        reporting_unit_id = None
        if entry.get("reporting_unit"):
            ids = unitmap.resolve_name(entry["reporting_unit"], units)
            reporting_unit_id = ids[0] if len(ids) == 1 else None
            if reporting_unit_id is None:
                counts["unmapped"].append(entry["reporting_unit"])
        values = {
            "name": entry["name"],
            "source": entry["source"],
            "source_text": entry.get("quote", ""),
            "comparison": entry.get("comparison", "gte"),
            "method": entry["method"],
            "metric": entry.get("metric", ""),
            "reporting_unit_id": reporting_unit_id,
            "order": order,
            "unit_of_measure": entry.get("unit", "%"),
        }
        target, created = Target.objects.get_or_create(plan=plan, code=entry["code"], defaults=values)
        if not created:
            changed = [k for k, v in values.items() if getattr(target, k) != v]
            if changed:
                for k in changed:
                    setattr(target, k, values[k])
                target.save(update_fields=changed)
        counts["created"] += int(created)
        counts["targets"] += 1
        yearly = thresholds.yearly_thresholds(entry.get("points", {}), plan.period_start, plan.period_end, whole_period=entry.get("whole_period"))
        for year, (value, origin) in yearly.items():
            row = Threshold.objects.filter(target=target, year=year).first()
            if row is None:
                Threshold.objects.create(target=target, year=year, value=value, origin=origin)
                counts["thresholds"] += 1
            elif row.origin != Threshold.Origin.PERSON and (row.value, row.origin) != (value, origin):
                row.value, row.origin = value, origin
                row.save(update_fields=["value", "origin"])
    return counts


def _decimal(value, field_label):
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        raise PlanError(_("%(field)s must be a number.") % {"field": field_label}) from None
    if not number.is_finite():
        raise PlanError(_("%(field)s must be a number.") % {"field": field_label})
    return number


@transaction.atomic
def set_threshold(target: Target, year: int, value, user) -> Threshold:
    if not plan_services.is_standing_office(user, target.plan):
        raise PlanError(_("Only the reform standing office can set thresholds."))
    if not target.plan.period_start <= int(year) <= target.plan.period_end:
        raise PlanError(_("The year must be within the plan's period."))
    number = _decimal(value, _("Threshold"))
    row, _created = Threshold.objects.update_or_create(target=target, year=year, defaults={"value": number, "origin": Threshold.Origin.PERSON})
    return row


@transaction.atomic
def report_value(target: Target, period, user, value, note: str = "", evidence=None) -> ReportedValue:
    """A unit reports a target's value for a period, with evidence. The reporting unit's
    members (or the standing office) may do it while the period is open."""
    if target.method != Target.Method.REPORTED:
        raise PlanError(_("This target is measured by the system; it is not reported by hand."))
    if period.plan_id != target.plan_id:
        raise PlanError(_("This period belongs to another plan."))
    if period.closed:
        raise PlanError(_("The period %(period)s is closed: no more reports can be made for it.") % {"period": period.label})
    member_units = plan_services._unit_ids_of(user)
    unit = target.reporting_unit
    allowed = (unit is not None and unit.pk in member_units) or plan_services.is_standing_office(user, target.plan)
    if not allowed:
        raise PlanError(_("Only %(unit)s or the standing office can report this target.") % {"unit": unit or _("the responsible unit")})
    number = _decimal(value, _("Value"))
    if target.unit_of_measure == "%" and not Decimal(-1000) <= number <= Decimal(1000):
        raise PlanError(_("The value is out of range."))
    if evidence is not None:
        plan_services.validate_upload(evidence)
    record, _created = ReportedValue.objects.update_or_create(
        target=target,
        period=period,
        defaults={"value": number, "note": (note or "").strip(), "unit": unit or target.plan.commune, "reported_by": user},
    )
    if evidence is not None:
        record.evidence = evidence
        record.save(update_fields=["evidence"])
    audit.record(AuditRecord.Action.ACTION, record, verb="indicators.value.report", changes={"value": [None, str(number)]})
    return record


@transaction.atomic
def set_kpi_weights(commune, user, **weights) -> KpiWeights:
    from xaso.plan.models import Plan

    plan = Plan.objects.filter(commune=commune).first()
    if plan is None or not plan_services.is_standing_office(user, plan):
        raise PlanError(_("Only the reform standing office can change the KPI weights."))
    row, _created = KpiWeights.objects.get_or_create(commune=commune)
    for name, value in weights.items():
        if name == "volume_norm":
            if int(value) < 1:
                raise PlanError(_("The volume norm must be at least 1."))
            row.volume_norm = int(value)
            continue
        number = _decimal(value, name)
        if number < 0:
            raise PlanError(_("A weight cannot be negative."))
        setattr(row, name, number)
    row.save()
    return row
