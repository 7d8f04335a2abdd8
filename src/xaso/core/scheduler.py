"""Periodic jobs: the daily alerts, the plan reminders, the national-portal sync, the outbox
safety net, the task-result clean-up — run by ``xaso scheduler`` (started by
``xaso serve --with-worker`` too), so a deployment needs no cron.

Each job is a management command with a schedule (``core.schedule``: ``daily HH:MM``,
``every N minutes`` or ``off``) in the calendar's time zone; ``XASO_SCHEDULE`` overrides them
(``name=spec;name=spec``). Any number of schedulers may run (one per server): before running
an occurrence a scheduler claims it with one conditional UPDATE of the job's row
(``last_started_at`` still what it read), so exactly one of them runs it. Missed
occurrences (every scheduler was down) are made up once, not one by one.

No library fits: the schedulers we looked at need Redis or a broker (celery beat, rq-scheduler,
django-tasks-scheduler) or keep their state in one process (schedule, APScheduler's memory
store); django-tasks has no periodic tasks yet.
"""
from __future__ import annotations

import io
import logging
import traceback
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import schedule
from .models import ScheduledJob

logger = logging.getLogger(__name__)

OUTPUT_LIMIT = 4000


@dataclass(frozen=True)
class Job:
    name: str
    command: tuple[str, ...]
    default: str
    purpose: str


JOBS = (
    Job("dossier_alerts", ("dossier_alerts",), "daily 07:00", "overdue and due-soon dossiers to each official (docs/dossiers.md)"),
    Job("audit_anchor", ("audit", "anchor"), "every 5 minutes", "signed checkpoint of the audit trail's head, outside the database (docs/audit.md)"),
    Job("plan_remind", ("plan", "remind"), "daily 07:30", "reform-plan report reminders and overdue notices (docs/plan.md)"),
    Job("dossier_sync", ("dossier_sync",), "every 5 minutes", "pending dossier updates to the national portal"),
    Job("notifications_send", ("notifications", "send"), "every 5 minutes", "outbox safety net: messages whose task was lost"),
    Job("prune_task_results", ("prune_db_task_results", "--min-age-days", "7"), "daily 03:00", "finished background-task rows older than 7 days"),
    Job("payments_reconcile", ("payments", "reconcile"), "every 10 minutes", "online payments with no gateway notification: status query, abandoned, refunds (docs/payments.md)"),
    Job("payments_daily", ("payments", "daily"), "daily 01:30", "yesterday's reconciliation list of each payment provider (docs/payments.md)"),
    Job("drafts_cleanup", ("drafts_cleanup",), "daily 03:15", "online-submission drafts untouched for XASO_DRAFT_KEEP_DAYS days (docs/portal.md)"),
)


def _overrides() -> dict[str, str]:
    raw = getattr(settings, "XASO_SCHEDULE", "") or ""
    out = {}
    for part in raw.split(";"):
        if not part.strip():
            continue
        name, sep, spec = part.partition("=")
        if not sep:
            raise schedule.ScheduleError(f"XASO_SCHEDULE: {part.strip()!r} is not name=spec.")
        out[name.strip()] = spec.strip()
    unknown = set(out) - {job.name for job in JOBS}
    if unknown:
        raise schedule.ScheduleError(f"XASO_SCHEDULE: unknown job(s) {', '.join(sorted(unknown))}; jobs: {', '.join(j.name for j in JOBS)}.")
    return out


def specs() -> dict[str, schedule.Spec]:
    """Every job's schedule, overrides applied (a bad setting raises ScheduleError)."""
    overrides = _overrides()
    return {job.name: schedule.parse(overrides.get(job.name, job.default)) for job in JOBS}


def _tz() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "XASO_CALENDAR_TZ", "Asia/Ho_Chi_Minh"))


def _row(name, now) -> ScheduledJob:
    try:
        row, _ = ScheduledJob.objects.get_or_create(name=name, defaults={"anchor": now})
    except IntegrityError:  # another scheduler created it at the same moment
        row = ScheduledJob.objects.get(name=name)
    return row


def claim(name: str, spec: schedule.Spec, now) -> bool:
    """Take the occurrence of ``name`` due at ``now``, if it is due and no other scheduler
    took it first."""
    row = _row(name, now)
    if not schedule.is_due(spec, row.last_started_at or row.anchor, now, _tz()):
        return False
    with transaction.atomic():
        taken = ScheduledJob.objects.filter(name=name, last_started_at=row.last_started_at).update(
            last_started_at=now, last_finished_at=None, last_ok=None, runs=F("runs") + 1
        )
    return taken == 1


def run(job: Job) -> bool:
    """Run the job's command now; record how it ended. True when it succeeded."""
    out = io.StringIO()
    try:
        call_command(*job.command, stdout=out, stderr=out)
        ok = True
    except Exception:  # noqa: BLE001 - a failing job must not stop the others
        logger.exception("Scheduled job %s failed", job.name)
        out.write(traceback.format_exc())
        ok = False
    text = out.getvalue()
    ScheduledJob.objects.filter(name=job.name).update(last_finished_at=timezone.now(), last_ok=ok, last_output=text[-OUTPUT_LIMIT:])
    return ok


def run_due(now=None) -> list[tuple[str, bool]]:
    """Run every job due at ``now`` that this scheduler could claim; [(name, succeeded)]."""
    now = now or timezone.now()
    all_specs = specs()
    done = []
    for job in JOBS:
        if claim(job.name, all_specs[job.name], now):
            done.append((job.name, run(job)))
    return done


def status(now=None):
    """[(job, spec, row or None, next run or None)] for ``xaso scheduler --list``."""
    now = now or timezone.now()
    rows = {r.name: r for r in ScheduledJob.objects.all()}
    all_specs = specs()
    out = []
    for job in JOBS:
        spec = all_specs[job.name]
        row = rows.get(job.name)
        base = (row.last_started_at or row.anchor) if row else now
        out.append((job, spec, row, schedule.next_run(spec, base, _tz())))
    return out
