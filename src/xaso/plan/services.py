"""Every change to the plan: import, progress reports and their review, evidence, weights,
milestone dates, period closing, reminders. One function per business action, each atomic
and audited (``xaso.core.audit``)."""
from __future__ import annotations

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
def set_weight(obj: Task | Area, weight, user) -> None:
    """The standing office changes a task's or an area's weight in the progress roll-up."""
    if not is_standing_office(user, obj.plan):
        raise PlanError(_("Only the reform standing office can change weights."))
    try:
        weight = Decimal(str(weight).replace(",", "."))
    except ArithmeticError:
        raise PlanError(_("A weight must be a number.")) from None
    if not weight.is_finite() or weight < 0 or weight > 1000:
        raise PlanError(_("A weight cannot be negative."))
    obj.weight = weight
    obj.save(update_fields=["weight"])


@transaction.atomic
def set_milestone_date(milestone: Milestone, due_date, user) -> None:
    """A person sets the date of a milestone the plan left open ("theo hướng dẫn của…")."""
    if not is_standing_office(user, milestone.task.plan):
        raise PlanError(_("Only the reform standing office can set milestone dates."))
    plan = milestone.task.plan
    if due_date is None or not plan.period_start - 1 <= due_date.year <= plan.period_end + 1:
        raise PlanError(_("The date must fall within the plan's period."))
    milestone.due_date = due_date
    milestone.date_set_by = user
    milestone.save(update_fields=["due_date", "date_set_by"])


@transaction.atomic
def set_decision(plan: Plan, number: str, day, user) -> None:
    """The standing office records the number and date of the decision that issued the plan
    (printed on the plan page and in every periodic report). Audited by the plan's tracking."""
    if not is_standing_office(user, plan):
        raise PlanError(_("Only the reform standing office can record the plan's decision."))
    number = " ".join((number or "").split())
    if not number or "/" not in number or len(number) > 100:
        raise PlanError(_("Enter the decision's number and symbol, e.g. 125/QĐ-UBND."))
    if day is None or not plan.period_start - 2 <= day.year <= plan.period_end:
        raise PlanError(_("Enter the date the decision was signed."))
    plan.decision_number, plan.decision_date = number, day
    plan.save(update_fields=["decision_number", "decision_date"])


@transaction.atomic
def close_period(period: ReportingPeriod, user) -> None:
    if not is_standing_office(user, period.plan):
        raise PlanError(_("Only the reform standing office can close a period."))
    period.closed = True
    period.save(update_fields=["closed"])
    audit.record(Action.ACTION, period, verb="plan.period.close")


# ---------------------------------------------------------------------------
# Evidence files
# ---------------------------------------------------------------------------

def validate_upload(upload) -> str:
    """Refuse a file of the wrong type or too large, with a message naming the file; the
    content type the content shows, for an accepted one (``xaso.core.uploads``: the type is
    read from the content; ``XASO_PLAN_EVIDENCE_EXTENSIONS`` that the content check does
    not know are refused)."""
    from xaso.core.uploads import UploadRejected, check_upload

    try:
        return check_upload(upload, extensions=evidence_extensions(), max_bytes=evidence_max_bytes()).content_type
    except UploadRejected as exc:
        raise PlanError(" ".join(exc.messages)) from None


# ---------------------------------------------------------------------------
# Progress reports
# ---------------------------------------------------------------------------


def _unit_ids_of(user) -> set[int]:
    from xaso.core.selectors import memberships_of

    return {m.unit_id for m in memberships_of(user)}


def is_standing_office(user, plan: Plan) -> bool:
    from xaso.core.selectors import memberships_of

    if getattr(user, "is_superuser", False):
        return True
    return any(
        m.role == "standing_office" and (m.unit.local_government or m.unit).pk == plan.commune_id for m in memberships_of(user)
    )


def _check_period_open(period: ReportingPeriod) -> None:
    if period.closed:
        raise PlanError(_("The period %(period)s is closed: no more reports can be made for it.") % {"period": period.label})
    if period.start > timezone.localdate():
        raise PlanError(_("The period %(period)s has not started yet.") % {"period": period.label})


@transaction.atomic
def open_report(task: Task, period: ReportingPeriod, unit: Unit, user) -> ProgressReport:
    """The lead unit's report on a task for a period (created as a draft the first time)."""
    if period.plan_id != task.plan_id:
        raise PlanError(_("This period belongs to another plan."))
    if not task.lead_units.filter(pk=unit.pk).exists():
        raise PlanError(_("%(unit)s is not a lead unit of task %(number)s.") % {"unit": unit, "number": task.number})
    if unit.pk not in _unit_ids_of(user) and not getattr(user, "is_superuser", False):
        raise PlanError(_("You are not a member of %(unit)s.") % {"unit": unit})
    report = ProgressReport.objects.filter(task=task, period=period, unit=unit).first()
    if report is None:
        _check_period_open(period)
        report = ProgressReport.objects.create(task=task, period=period, unit=unit)
    return report


@transaction.atomic
def save_report(report: ProgressReport, user, *, status: str, progress: int, done: str, difficulties: str, files=(), submit=False) -> ProgressReport:
    """Save (and optionally submit) a lead unit's report. Every file is checked before
    anything is written; a refused file leaves the report as it was."""
    report = ProgressReport.objects.select_for_update().select_related("period", "task").get(pk=report.pk)
    action = workflow.SUBMIT if submit else workflow.SAVE
    try:
        new_state, _who = workflow.next_state(report.state, action)
    except workflow.TransitionError as exc:
        raise PlanError(_("This report is %(state)s and can no longer be changed.") % {"state": report.get_state_display()}) from exc
    if report.unit_id not in _unit_ids_of(user) and not getattr(user, "is_superuser", False):
        raise PlanError(_("You are not a member of %(unit)s.") % {"unit": report.unit})
    _check_period_open(report.period)
    if status not in ProgressReport.Status.values:
        raise PlanError(_("Choose a status."))
    try:
        progress = int(progress)
    except (TypeError, ValueError):
        raise PlanError(_("Progress must be a whole number from 0 to 100.")) from None
    if not 0 <= progress <= 100:
        raise PlanError(_("Progress must be a whole number from 0 to 100."))
    if status == ProgressReport.Status.DONE and progress != 100:
        raise PlanError(_("A completed task has progress 100%."))
    if submit and not (done or "").strip():
        raise PlanError(_("Describe what was done before submitting."))
    content_types = [validate_upload(upload) for upload in files]
    report.status, report.progress, report.done, report.difficulties = status, progress, done.strip(), difficulties.strip()
    report.state = new_state
    if submit:
        report.submitted_by, report.submitted_at = user, timezone.now()
    report.save()
    for upload, content_type in zip(files, content_types):
        Evidence.objects.create(
            report=report,
            file=upload,
            original_name=os.path.basename(upload.name)[:255],
            size=upload.size,
            content_type=content_type,
            uploaded_by=user,
        )
    if submit:
        audit.record(Action.ACTION, report, verb="plan.report.submit", changes={"state": [workflow.DRAFT, new_state]})
    return report


@transaction.atomic
def review_report(report: ProgressReport, user, action: str, comment: str = "") -> ProgressReport:
    """The standing office accepts a submitted report or returns it with comments."""
    report = ProgressReport.objects.select_for_update().select_related("period__plan", "task").get(pk=report.pk)
    if not is_standing_office(user, report.period.plan):
        raise PlanError(_("Only the reform standing office can review reports."))
    if action not in (workflow.ACCEPT, workflow.RETURN):
        raise PlanError(_("Unknown review action."))
    try:
        new_state, _who = workflow.next_state(report.state, action)
    except workflow.TransitionError as exc:
        raise PlanError(_("This report is %(state)s: it cannot be reviewed now.") % {"state": report.get_state_display()}) from exc
    comment = (comment or "").strip()
    if action == workflow.RETURN and not comment:
        raise PlanError(_("Say what must be corrected when returning a report."))
    old_state = report.state
    report.state, report.reviewed_by, report.reviewed_at, report.review_comment = new_state, user, timezone.now(), comment
    report.save()
    audit.record(Action.ACTION, report, verb=f"plan.report.{action}", changes={"state": [old_state, new_state]}, reason=comment)
    submitter = report.submitted_by
    if submitter is not None:
        from . import reminders

        reminders.notify_review(report, submitter)
    return report


@transaction.atomic
def add_contribution(report: ProgressReport, user, unit: Unit, text: str) -> Contribution:
    text = (text or "").strip()
    if not text:
        raise PlanError(_("Write your unit's contribution."))
    if not report.task.coordinating_units.filter(pk=unit.pk).exists():
        raise PlanError(_("%(unit)s is not a coordinating unit of task %(number)s.") % {"unit": unit, "number": report.task.number})
    if unit.pk not in _unit_ids_of(user) and not getattr(user, "is_superuser", False):
        raise PlanError(_("You are not a member of %(unit)s.") % {"unit": unit})
    _check_period_open(report.period)
    if report.state == workflow.ACCEPTED:
        raise PlanError(_("This report has been accepted: contributions are closed."))
    return Contribution.objects.create(report=report, unit=unit, text=text, author=user)
