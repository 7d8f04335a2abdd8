"""Every change to the plan: import, progress reports and their review, evidence, weights,
milestone dates, period closing, reminders. One function per business action, each atomic
and audited (``xaso.core.audit``)."""
from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core import audit
from xaso.core.models import AuditRecord, Unit

from . import parsing, periods, schedules, unitmap, workflow
from .models import Area, Contribution, Evidence, Milestone, Plan, ProgressReport, ReportingPeriod, Task

Action = AuditRecord.Action


class PlanError(Exception):
    """A refused action, with a message for the user (Vietnamese through the catalogue)."""


# ---------------------------------------------------------------------------
# Settings (documented in docs/plan.md)
# ---------------------------------------------------------------------------


def period_cutoff_day() -> int | None:
    return getattr(settings, "XASO_PLAN_PERIOD_CUTOFF_DAY", None)


def report_due_days() -> int:
    return int(getattr(settings, "XASO_PLAN_REPORT_DUE_DAYS", 5))


def evidence_max_bytes() -> int:
    return int(getattr(settings, "XASO_PLAN_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def evidence_extensions() -> tuple[str, ...]:
    return tuple(getattr(settings, "XASO_PLAN_EVIDENCE_EXTENSIONS", (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".jpg", ".jpeg", ".png")))


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


def format_error_message(exc: parsing.PlanFormatError) -> str:
    messages = {
        "no_table": _("The file has no appendix table of tasks (a header row starting with “TT”)."),
        "no_tasks": _("The table has no task rows."),
        "bad_period": _("The period “%(value)s” is not of the form 2026-2030."),
        "duplicate_area": _("Reform area %(number)s appears twice."),
        "area_without_title": _("Reform area %(number)s has no title."),
        "task_before_area": _("Task %(number)s comes before any reform area (I, II, …)."),
        "duplicate_task": _("Task number %(number)s appears twice."),
        "task_without_text": _("Task %(number)s has no content."),
        "continuation_without_task": _("A continued row has no task above it."),
        "unreadable_row": _("The row starting with “%(cell)s” is neither a reform area, a task nor a continued row."),
        "not_utf8": _("The file is not UTF-8 text."),
        "not_xlsx": _("The file is not a readable Excel (.xlsx) workbook."),
        "unknown_format": _("Unsupported file type “%(name)s”: use .md, .csv or .xlsx."),
        "no_period": _("The plan's period (e.g. “giai đoạn 2026 - 2030”) was not found."),
    }
    text = messages.get(exc.code, exc.code) % exc.params if exc.params else messages.get(exc.code, exc.code)
    if exc.line:
        return _("Line %(line)s: %(message)s") % {"line": exc.line, "message": text}
    return text


@dataclass
class ImportSummary:
    plan: Plan | None = None
    created: bool = False
    areas: int = 0
    tasks: int = 0
    milestones: int = 0
    flags: int = 0
    periods: int = 0
    changes: int = 0
    unmapped: dict = field(default_factory=dict)  # name -> [task numbers]


def commune_units(commune: Unit) -> list[unitmap.UnitRef]:
    ids = commune.descendant_ids() - {commune.pk}
    return [
        unitmap.UnitRef(u.pk, u.name, u.short_name, u.kind)
        for u in Unit.objects.filter(pk__in=ids, is_active=True).order_by("sort_order", "name")
    ]


def _milestone_key(m) -> tuple:
    return (m.label, m.kind, m.source_text if hasattr(m, "source_text") else m.text)


@transaction.atomic
def import_plan(parsed: parsing.ParsedPlan, commune: Unit, *, source_name: str = "", progress=None) -> ImportSummary:
    """Create or update a plan from parsed data. Idempotent: importing the same plan again
    changes nothing (``summary.changes == 0``); dates set by a person on a milestone are kept
    as long as the plan's text for it is unchanged. ``progress`` is called once per task."""
    if commune.kind not in Unit.LOCAL_GOVERNMENTS:
        raise PlanError(_("“%(unit)s” is not a commune or ward.") % {"unit": commune})
    if not parsed.period_start or not parsed.period_end:
        raise PlanError(format_error_message(parsing.PlanFormatError("no_period")))
    title = parsed.title or _("Administrative reform plan %(a)s-%(b)s") % {"a": parsed.period_start, "b": parsed.period_end}
    summary = ImportSummary()
    plan, summary.created = Plan.objects.get_or_create(
        commune=commune,
        title=title,
        period_start=parsed.period_start,
        period_end=parsed.period_end,
        defaults={"decision": parsed.decision, "source_name": source_name},
    )
    summary.changes += int(summary.created)
    if not summary.created and plan.decision != parsed.decision:
        plan.decision = parsed.decision
        plan.save(update_fields=["decision"])
        summary.changes += 1
    summary.plan = plan
    units = commune_units(commune)

    areas = {}
    for parsed_area in parsed.areas:
        area, created = Area.objects.get_or_create(plan=plan, number=parsed_area.number, defaults={"title": parsed_area.title, "order": parsed_area.order})
        if not created and (area.title, area.order) != (parsed_area.title, parsed_area.order):
            area.title, area.order = parsed_area.title, parsed_area.order
            area.save(update_fields=["title", "order"])
            summary.changes += 1
        summary.changes += int(created)
        areas[parsed_area.number] = area
    summary.areas = len(areas)

    for parsed_task in parsed.tasks:
        lead = unitmap.resolve(parsed_task.lead, units)
        coordinating = unitmap.resolve(parsed_task.coordinating, units)
        unmapped = lead.unmapped + [n for n in coordinating.unmapped if n not in lead.unmapped]
        for name in unmapped:
            summary.unmapped.setdefault(name, []).append(parsed_task.number)
        values = {
            "area": areas[parsed_task.area],
            "text": parsed_task.text,
            "lead_text": parsed_task.lead,
            "coordinating_text": parsed_task.coordinating,
            "deadline_text": parsed_task.deadline,
            "unmapped_units": unmapped,
        }
        task, created = Task.objects.get_or_create(plan=plan, number=parsed_task.number, defaults=values)
        if created:
            summary.changes += 1
        else:
            changed = [k for k, v in values.items() if getattr(task, k) != v]
            if changed:
                for k in changed:
                    setattr(task, k, values[k])
                task.save(update_fields=changed)
                summary.changes += 1
        if set(task.lead_units.values_list("pk", flat=True)) != set(lead.unit_ids):
            task.lead_units.set(lead.unit_ids)
            summary.changes += 1
        if set(task.coordinating_units.values_list("pk", flat=True)) != set(coordinating.unit_ids):
            task.coordinating_units.set(coordinating.unit_ids)
            summary.changes += 1
        summary.changes += _sync_milestones(task, schedules.parse_deadline(parsed_task.deadline))
        summary.tasks += 1
        if progress:
            progress()
    stale = Task.objects.filter(plan=plan).exclude(number__in=[t.number for t in parsed.tasks])
    if stale.exists():
        summary.changes += stale.count()
        stale.delete()

    summary.milestones = Milestone.objects.filter(task__plan=plan).count()
    summary.flags = Milestone.objects.filter(task__plan=plan, needs_date=True, due_date__isnull=True).count()
    summary.periods, created_periods = ensure_periods(plan)
    summary.changes += created_periods
    if summary.changes:
        audit.record(
            Action.ACTION,
            plan,
            verb="plan.import",
            changes={"areas": summary.areas, "tasks": summary.tasks, "milestones": summary.milestones, "changes": summary.changes},
            reason=source_name,
        )
    return summary


def _sync_milestones(task: Task, specs: list[schedules.MilestoneSpec]) -> int:
    changes = 0
    existing = {m.order: m for m in task.milestones.all()}
    for order, spec in enumerate(specs, start=1):
        values = {
            "label": spec.label,
            "kind": spec.kind,
            "source_text": spec.text,
            "start_date": spec.start,
            "month": spec.month,
            "needs_date": spec.needs_date,
        }
        milestone = existing.pop(order, None)
        if milestone is None:
            Milestone.objects.create(task=task, order=order, due_date=spec.due, **values)
            changes += 1
            continue
        keep_person_date = milestone.date_set_by_id and (milestone.label, milestone.kind, milestone.source_text) == (spec.label, spec.kind, spec.text)
        if not keep_person_date:
            values["due_date"] = spec.due
        changed = [k for k, v in values.items() if getattr(milestone, k) != v]
        if changed:
            for k in changed:
                setattr(milestone, k, values[k])
            milestone.save(update_fields=changed)
            changes += 1
    for milestone in existing.values():
        milestone.delete()
        changes += 1
    return changes


def ensure_periods(plan: Plan) -> tuple[int, int]:
    """Create the plan's reporting periods (quarters, six months, years) that are missing.
    Existing periods keep their dates (an administrator may have changed them)."""
    created = 0
    specs = periods.plan_periods(plan.period_start, plan.period_end, cutoff_day=period_cutoff_day(), due_days=report_due_days())
    for spec in specs:
        _, was_created = ReportingPeriod.objects.get_or_create(
            plan=plan, kind=spec.kind, year=spec.year, number=spec.number, defaults={"start": spec.start, "end": spec.end, "due_date": spec.due}
        )
        created += int(was_created)
    return len(specs), created


def import_file(name: str, data: bytes, commune: Unit, *, progress=None) -> ImportSummary:
    try:
        parsed = parsing.parse_file(name, data)
    except parsing.PlanFormatError as exc:
        raise PlanError(format_error_message(exc)) from exc
    return import_plan(parsed, commune, source_name=os.path.basename(name), progress=progress)


def plan_as_parsed(plan: Plan) -> parsing.ParsedPlan:
    parsed = parsing.ParsedPlan(title=plan.title, decision=plan.decision, period_start=plan.period_start, period_end=plan.period_end)
    for area in plan.areas.all():
        parsed.areas.append(parsing.ParsedArea(area.number, area.title, area.order))
    for task in plan.tasks.select_related("area"):
        parsed.tasks.append(parsing.ParsedTask(task.number, task.area.number, task.text, task.lead_text, task.coordinating_text, task.deadline_text))
    return parsed


def export_rows(plan: Plan) -> list[list[str]]:
    return parsing.plan_to_rows(plan_as_parsed(plan))


# ---------------------------------------------------------------------------
# Weights and milestone dates (standing office)
# ---------------------------------------------------------------------------


@transaction.atomic
def set_weight(obj: Task | Area, weight) -> None:
    weight = Decimal(str(weight))
    if weight < 0:
        raise PlanError(_("A weight cannot be negative."))
    obj.weight = weight
    obj.save(update_fields=["weight"])


@transaction.atomic
def set_milestone_date(milestone: Milestone, due_date, user) -> None:
    milestone.due_date = due_date
    milestone.date_set_by = user
    milestone.save(update_fields=["due_date", "date_set_by"])


@transaction.atomic
def close_period(period: ReportingPeriod, user) -> None:
    period.closed = True
    period.save(update_fields=["closed"])
    audit.record(Action.ACTION, period, verb="plan.period.close")
