"""Reminders through the notification outbox (e-mail and SMS), run daily by
``xaso plan remind`` (e.g. from a systemd timer or cron).

* before a period's report deadline (``XASO_PLAN_REMIND_DAYS_BEFORE``, default 3 and 1 days):
  each unit head whose unit still owes reports;
* after it (``XASO_PLAN_REMIND_DAYS_AFTER``, default 1, 3 and 7 days): the same, as overdue;
* on those "after" days, the standing office and the chairman get the list of overdue
  reports and milestones.

Every message carries a dedup key, so running the command twice a day sends nothing twice.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.notifications.services import enqueue_email, enqueue_sms

from . import selectors, workflow
from .models import Plan


def _days(name, default):
    return tuple(getattr(settings, name, default))


def _send(user, subject, body, *, event, dedup):
    sent = 0
    if user.email:
        enqueue_email(user.email, subject, body, event=event, dedup_key=f"{dedup}:email:{user.pk}")
        sent += 1
    if user.phone:
        enqueue_sms(user.phone, f"{subject}. {body}"[:300], event=event, dedup_key=f"{dedup}:sms:{user.pk}")
        sent += 1
    return sent


def _owed_by_unit(period):
    have = selectors.reports_by_pair(period)
    owed = defaultdict(list)
    for task, unit in selectors.expected_reports(period):
        report = have.get((task.pk, unit.pk))
        if report is None or report.state in workflow.EDITABLE:
            owed[unit].append(task.number)
    return owed


@transaction.atomic
def run_daily(today: date | None = None) -> dict:
    today = today or timezone.localdate()
    before_days = _days("XASO_PLAN_REMIND_DAYS_BEFORE", (3, 1))
    after_days = _days("XASO_PLAN_REMIND_DAYS_AFTER", (1, 3, 7))
    counts = {"before": 0, "after": 0, "digest": 0}
    for plan in Plan.objects.select_related("commune"):
        digest_due = False
        for period in plan.periods.filter(closed=False, start__lte=today):
            delta = (period.due_date - today).days
            if delta in before_days:
                kind = "before"
            elif -delta in after_days:
                kind = "after"
                digest_due = True
            else:
                continue
            for unit, numbers in _owed_by_unit(period).items():
                if kind == "before":
                    subject = _("Reform plan: reports due on %(date)s") % {"date": period.due_date.strftime("%d/%m/%Y")}
                    body = _("%(unit)s still has to report on %(n)s task(s) for %(period)s: %(tasks)s.")
                else:
                    subject = _("Reform plan: reports overdue since %(date)s") % {"date": period.due_date.strftime("%d/%m/%Y")}
                    body = _("%(unit)s has not reported on %(n)s task(s) for %(period)s: %(tasks)s.")
                body = body % {"unit": unit, "n": len(numbers), "period": period.label, "tasks": ", ".join(map(str, numbers))}
                for head in selectors.unit_heads(unit):
                    counts[kind] += _send(head, subject, body, event=f"plan.remind.{kind}", dedup=f"plan:{kind}:{period.pk}:{unit.pk}:{today}")
        if digest_due:
            reports = selectors.overdue_reports(plan, today)
            milestones = selectors.overdue_milestones(plan, today)
            subject = _("Reform plan: %(r)s overdue reports, %(m)s overdue milestones") % {"r": len(reports), "m": len(milestones)}
            lines = [f"- {m.period.label}: {m.unit} — {_('task')} {m.task.number}" for m in reports[:50]]
            lines += [f"- {_('task')} {m.milestone.task.number}: {m.milestone.source_text} ({m.due:%d/%m/%Y})" for m in milestones[:50]]
            body = "\n".join(lines)
            for person in selectors.commune_people(plan, ("standing_office", "leader")):
                if person.email:
                    enqueue_email(person.email, subject, body, event="plan.overdue", dedup_key=f"plan:digest:{plan.pk}:{today}:{person.pk}")
                    counts["digest"] += 1
    return counts


def notify_review(report, submitter) -> None:
    if report.state == workflow.ACCEPTED:
        subject = _("Your report on task %(n)s was accepted") % {"n": report.task.number}
        body = _("%(period)s — %(unit)s: the standing office accepted the report.") % {"period": report.period.label, "unit": report.unit}
    else:
        subject = _("Your report on task %(n)s was returned") % {"n": report.task.number}
        body = _("%(period)s — %(unit)s: please correct it. Comments: %(comment)s") % {
            "period": report.period.label,
            "unit": report.unit,
            "comment": report.review_comment,
        }
    _send(submitter, subject, body, event=f"plan.review.{report.state}", dedup=f"plan:review:{report.pk}:{report.state}:{report.reviewed_at:%Y%m%d%H%M%S%f}")
