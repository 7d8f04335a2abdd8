"""Demo data: the plan's targets and one value reported by a unit (idempotent)."""
from xaso.plan import selectors as plan_selectors
from xaso.plan.models import Plan

from . import services
from .models import ReportedValue, Target


def load(stdout):
    for plan in Plan.objects.all():
        counts = services.load_targets(plan)
        stdout.write(f"  {plan}: {counts['targets']} targets ({counts['created']} new)")
        target = Target.objects.filter(plan=plan, code="budget-revenue-growth").select_related("reporting_unit").first()
        period = plan_selectors.period_by_code(plan, "2026-H1")
        if not target or not period or ReportedValue.objects.filter(target=target, period=period).exists():
            continue
        ReportedValue.objects.create(
            target=target,
            period=period,
            unit=target.reporting_unit or plan.commune,
            value="8.20",
            note="Thu ngân sách 6 tháng đầu năm 2026 so với cùng kỳ năm 2025 (số liệu Kho bạc).",
        )
