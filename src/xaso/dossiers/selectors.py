"""Read queries: worklists, the reception desk, the public lookup."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone


from . import deadlines
from .models import Apology, Dossier, Pause
from .states import Status

def _scope(user, role=None):
    from .services import scope_ids

    return scope_ids(user, role)


ACTIVE = [
    Status.RECEIVED,
    Status.TRANSFERRED,
    Status.IN_PROGRESS,
    Status.INTERAGENCY,
    Status.SUPPLEMENT,
    Status.AWAITING_APPROVAL,
    Status.APPROVED,
]


def my_work_q(user) -> Q:
    """What waits for ``user``: dossiers assigned to them, plus what their roles must act on
    in their units (the head assigns, the leader approves, the desk transfers)."""
    q = Q(assignee=user, status__in=[Status.IN_PROGRESS, Status.INTERAGENCY, Status.SUPPLEMENT, Status.APPROVED])
    heads = _scope(user, "unit_head")
    if heads:
        q |= Q(current_unit_id__in=heads, status__in=[Status.TRANSFERRED, Status.AWAITING_APPROVAL])
    leaders = _scope(user, "leader")
    if leaders:
        q |= Q(current_unit_id__in=leaders, status=Status.AWAITING_APPROVAL)
    desk = _scope(user, "reception")
    if desk:
        q |= Q(receiving_unit_id__in=desk, status=Status.RECEIVED)
    return q


def worklist(user, *, procedure="", field="", status="", channel="", unit=""):
    qs = Dossier.objects.filter(my_work_q(user))
    if procedure:
        qs = qs.filter(procedure_code=procedure)
    if field:
        qs = qs.filter(field_name=field)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if unit:
        qs = qs.filter(current_unit_id=unit)
    # Green-lane (priority) procedures first, then by due date (the remaining working time
    # orders the same way as the due moment among running clocks).
    return (
        qs.select_related("current_unit", "assignee")
        .defer("steps_plan", "request_summary", "reasons", "result_summary", "current_unit__address", "assignee__password")
        .order_by("-green_lane", "due_at", "id")
    )


def scope_dossiers(user):
    """Every dossier an official may see: received by, or handled in, their units."""
    ids = _scope(user)
    return Dossier.objects.filter(Q(receiving_unit_id__in=ids) | Q(current_unit_id__in=ids) | Q(competent_unit_id__in=ids))


def desk(user):
    ids = _scope(user, "reception")
    base = Dossier.objects.filter(receiving_unit_id__in=ids).select_related("current_unit")
    return {
        "to_check": base.filter(status=Status.SUBMITTED).order_by("submitted_at"),
        "to_transfer": base.filter(status=Status.RECEIVED).order_by("received_at"),
        "waiting_applicant": base.filter(status=Status.RECEPTION_SUPPLEMENT).order_by("-updated_at")[:50],
        "supplements": base.filter(status=Status.SUPPLEMENT).order_by("updated_at")[:50],
        "to_return": base.filter(status=Status.RESULT_READY).order_by("finished_at"),
    }


@dataclass
class Row:
    dossier: Dossier
    clock: deadlines.Clock | None
    level: str  # overdue | today | soon | ok | paused | none


def with_clocks(dossiers, calendar, now=None):
    """Attach each dossier's clock, computed by the one due-date function, in two queries."""
    now = now or timezone.now()
    dossiers = list(dossiers)
    ids = [d.pk for d in dossiers]
    pauses: dict[int, list] = {}
    for p in Pause.objects.filter(dossier_id__in=ids).order_by("started_at"):
        pauses.setdefault(p.dossier_id, []).append(p)
    apologies = {a.dossier_id: a for a in Apology.objects.filter(dossier_id__in=ids)}
    from .services import facts_of

    today = timezone.localtime(now).date()
    rows = []
    for d in dossiers:
        if d.received_at is None:
            rows.append(Row(d, None, "none"))
            continue
        c = deadlines.compute(calendar, facts_of(d, pauses.get(d.pk, []), apologies.get(d.pk) or False), now=now)
        if d.status in (Status.RESULT_READY, Status.RETURNED, Status.REFUSED, Status.STOPPED, Status.RECEPTION_REFUSED):
            level = "none"
        elif c.paused:
            level = "paused"
        elif c.overdue:
            level = "overdue"
        elif timezone.localtime(c.effective_due).date() == today:
            level = "today"
        elif c.remaining <= calendar.day_length:
            level = "soon"
        else:
            level = "ok"
        rows.append(Row(d, c, level))
    return rows


def overdue_without_apology(unit_ids=None, now=None):
    now = now or timezone.now()
    qs = Dossier.objects.filter(status__in=ACTIVE, due_at__lt=now, apology__isnull=True).exclude(status=Status.SUPPLEMENT)
    if unit_ids is not None:
        qs = qs.filter(current_unit_id__in=unit_ids)
    return qs


def public_lookup(code: str, key: str):
    """The dossier if ``key`` matches the last 4 digits of the applicant's (or authorised
    person's) phone or identification number, or the lookup secret; else None."""
    code = (code or "").strip().upper()
    key = (key or "").strip().upper()
    if not code or len(key) < 4:
        return None
    d = Dossier.objects.filter(code=code).first()
    if d is None:
        return None
    candidates = {d.lookup_secret.upper()}
    for value in (d.applicant_phone, d.applicant_id_number, d.agent_phone, d.agent_id_number):
        digits = "".join(ch for ch in (value or "") if ch.isdigit())
        if len(digits) >= 4:
            candidates.add(digits[-4:])
    return d if key in candidates else None


def public_history(d: Dossier):
    """Step history without names or personal data."""
    from .models import ACTION_LABELS

    return [{"at": e.at, "action": e.action, "label": str(ACTION_LABELS.get(e.action, e.action)), "unit": e.unit.name if e.unit else ""} for e in d.events.select_related("unit").order_by("at", "id")]


def remaining_text(c, day_length=timedelta(hours=8)):
    if c is None:
        return ""
    total = abs(c.remaining)
    days, rest = divmod(total, day_length)
    hours = rest.total_seconds() / 3600
    return days, round(hours, 1)
