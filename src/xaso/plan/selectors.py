"""Read queries: who may see and do what, what is expected from whom, what is late, and the
progress roll-up task → area → plan."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from xaso.core.models import Membership, Unit
from xaso.core.selectors import memberships_of

from . import periods, schedules, workflow
from .models import Milestone, Plan, ProgressReport, ReportingPeriod, Task

DONE = ProgressReport.Status.DONE


# ---------------------------------------------------------------------------
# Who
# ---------------------------------------------------------------------------


def memberships_in(user, plan: Plan):
    return [m for m in memberships_of(user) if (m.unit.local_government or m.unit).pk == plan.commune_id]


def roles_in(user, plan: Plan) -> set[str]:
    roles = {m.role for m in memberships_in(user, plan)}
    if getattr(user, "is_superuser", False):
        roles |= {"admin", "standing_office", "leader"}
    return roles


def can_view(user, plan: Plan) -> bool:
    return bool(roles_in(user, plan))


def is_standing_office(user, plan: Plan) -> bool:
    return "standing_office" in roles_in(user, plan)


def can_see_overview(user, plan: Plan) -> bool:
    return bool(roles_in(user, plan) & {"standing_office", "leader", "admin"})


def own_units(user, plan: Plan) -> list[Unit]:
    """Units the official belongs to (the ones they report for)."""
    return [m.unit for m in memberships_in(user, plan) if m.unit.pk != plan.commune_id]


def plans_for(user):
    ids = {(m.unit.local_government or m.unit).pk for m in memberships_of(user)}
    qs = Plan.objects.all() if getattr(user, "is_superuser", False) else Plan.objects.filter(commune_id__in=ids)
    return qs.select_related("commune")


# ---------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------


def period_by_code(plan: Plan, code: str) -> ReportingPeriod | None:
    code = (code or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", code):
        return plan.periods.filter(kind="quarter", year=int(m[1]), number=int(m[2])).first()
    if m := re.fullmatch(r"(\d{4})-H1", code):
        return plan.periods.filter(kind="half", year=int(m[1])).first()
    if m := re.fullmatch(r"(\d{4})", code):
        return plan.periods.filter(kind="year", year=int(m[1])).first()
    return None


def current_period(plan: Plan, today: date | None = None, kind: str = "quarter") -> ReportingPeriod | None:
    today = today or timezone.localdate()
    period = plan.periods.filter(kind=kind, start__lte=today, end__gte=today).first()
    return period or plan.periods.filter(kind=kind, end__lt=today).order_by("-end").first()


def open_periods(plan: Plan, today: date | None = None):
    today = today or timezone.localdate()
    return plan.periods.filter(closed=False, start__lte=today).order_by("-end", "kind")


# ---------------------------------------------------------------------------
# What is expected
# ---------------------------------------------------------------------------


def task_expected_in(task: Task, period: ReportingPeriod, finished_before: set[int]) -> bool:
    """A task is reported on in a period unless it was accepted as completed in an earlier
    period or all its milestones start after the period ends."""
    if task.pk in finished_before:
        return False
    starts = [m.start_date for m in task.milestones.all() if m.kind == schedules.FROM and m.start_date]
    others = [m for m in task.milestones.all() if m.kind != schedules.FROM]
    if starts and not others and min(starts) > period.end:
        return False
    return True


def finished_task_ids(plan: Plan, before: date) -> set[int]:
    return set(
        ProgressReport.objects.filter(
            task__plan=plan, status=DONE, state=workflow.ACCEPTED, period__end__lt=before
        ).values_list("task_id", flat=True)
    )


def expected_reports(period: ReportingPeriod, unit_ids=None) -> list[tuple[Task, Unit]]:
    """(task, lead unit) pairs that owe a report for the period."""
    plan = period.plan
    finished = finished_task_ids(plan, period.start)
    tasks = plan.tasks.prefetch_related("milestones", "lead_units").select_related("area")
    pairs = []
    for task in tasks:
        if not task_expected_in(task, period, finished):
            continue
        for unit in task.lead_units.all():
            if unit_ids is None or unit.pk in unit_ids:
                pairs.append((task, unit))
    return pairs


def reports_by_pair(period: ReportingPeriod) -> dict[tuple[int, int], ProgressReport]:
    return {(r.task_id, r.unit_id): r for r in ProgressReport.objects.filter(period=period)}


@dataclass
class Missing:
    period: ReportingPeriod
    task: Task
    unit: Unit
    report: ProgressReport | None

    @property
    def days_late(self):
        return (timezone.localdate() - self.period.due_date).days


def overdue_reports(plan: Plan, today: date | None = None) -> list[Missing]:
    """Reports past their period's due date and not yet submitted (drafts and returned
    reports count as not submitted)."""
    today = today or timezone.localdate()
    missing = []
    for period in plan.periods.filter(closed=False, due_date__lt=today).order_by("end"):
        have = reports_by_pair(period)
        for task, unit in expected_reports(period):
            report = have.get((task.pk, unit.pk))
            if report is None or report.state in workflow.EDITABLE:
                missing.append(Missing(period, task, unit, report))
    return missing


@dataclass
class LateMilestone:
    milestone: Milestone
    due: date


def overdue_milestones(plan: Plan, today: date | None = None) -> list[LateMilestone]:
    """Milestones with a due date passed and no accepted "completed" report covering it
    (for a yearly milestone: in the same year)."""
    today = today or timezone.localdate()
    done = {}
    for task_id, year in ProgressReport.objects.filter(task__plan=plan, status=DONE, state=workflow.ACCEPTED).values_list("task_id", "period__year"):
        done.setdefault(task_id, set()).add(year)
    late = []
    for milestone in Milestone.objects.filter(task__plan=plan).select_related("task__plan").order_by("task__number", "order"):
        for due in milestone.occurrences():
            if due >= today:
                continue
            years = done.get(milestone.task_id, set())
            if milestone.kind == schedules.YEARLY:
                covered = due.year in years
            else:
                covered = bool(years)
            if not covered:
                late.append(LateMilestone(milestone, due))
    return late


def flagged_milestones(plan: Plan):
    return Milestone.objects.filter(task__plan=plan, needs_date=True, due_date__isnull=True).select_related("task").order_by("task__number", "order")


# ---------------------------------------------------------------------------
# Progress roll-up
# ---------------------------------------------------------------------------


def task_progress_map(plan: Plan, period: ReportingPeriod) -> dict[int, int | None]:
    """Each task's progress at the end of a period: the mean over its lead units of the latest
    accepted report up to that period (None when nothing was accepted yet)."""
    latest: dict[tuple[int, int], tuple[date, int]] = {}
    rows = ProgressReport.objects.filter(task__plan=plan, state=workflow.ACCEPTED, period__end__lte=period.end).values_list(
        "task_id", "unit_id", "period__end", "progress"
    )
    for task_id, unit_id, end, progress in rows:
        key = (task_id, unit_id)
        if key not in latest or latest[key][0] <= end:
            latest[key] = (end, progress)
    per_task: dict[int, list[int]] = {}
    for (task_id, _unit), (_end, progress) in latest.items():
        per_task.setdefault(task_id, []).append(progress)
    result = {}
    for task in plan.tasks.prefetch_related("lead_units"):
        values = per_task.get(task.pk)
        if not values:
            result[task.pk] = None
            continue
        n_units = max(task.lead_units.count(), len(values))
        result[task.pk] = round(sum(values) / n_units)
    return result


@dataclass
class AreaProgress:
    area: object
    progress: object
    tasks: list


def rollup(plan: Plan, period: ReportingPeriod):
    """(plan progress, [AreaProgress]) weighted by the editable task and area weights."""
    by_task = task_progress_map(plan, period)
    areas = []
    for area in plan.areas.prefetch_related(Prefetch("tasks", queryset=Task.objects.order_by("number"))):
        tasks = list(area.tasks.all())
        for task in tasks:
            task.progress = by_task.get(task.pk)
        progress = periods.weighted_progress((t.progress, t.weight) for t in tasks)
        areas.append(AreaProgress(area, progress, tasks))
    total = periods.weighted_progress((a.progress, a.area.weight) for a in areas)
    return total, areas


def review_queue(plan: Plan):
    return (
        ProgressReport.objects.filter(period__plan=plan, state=workflow.SUBMITTED)
        .select_related("task", "unit", "period", "submitted_by")
        .prefetch_related("evidence", "contributions")
        .order_by("submitted_at")
    )


def unit_heads(unit: Unit):
    return [m.user for m in Membership.objects.filter(unit=unit, role="unit_head", is_active=True).select_related("user")]


def commune_people(plan: Plan, roles) -> list:
    ids = plan.commune.descendant_ids()
    return [m.user for m in Membership.objects.filter(unit_id__in=ids, role__in=roles, is_active=True).select_related("user")]
