"""Read queries: worklists, the reception desk, the public lookup."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _


from . import deadlines
from .models import ASSIGNEE_WORK_STATUSES, STATUS_CHOICES, Apology, Dossier, Pause, action_label
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
    Status.HEAD_REVIEW,
    Status.AWAITING_APPROVAL,
    Status.APPROVED,
]


def my_work_q(user) -> Q:
    """What waits for ``user``: dossiers assigned to them, plus what their roles must act on
    in their units (the head assigns, the leader approves, the desk transfers)."""
    q = Q(assignee=user, status__in=ASSIGNEE_WORK_STATUSES)
    heads = _scope(user, "unit_head")
    if heads:
        q |= Q(current_unit_id__in=heads, status__in=[Status.TRANSFERRED, Status.HEAD_REVIEW, Status.AWAITING_APPROVAL])
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
    # orders the same way as the due moment among running clocks). Only the columns the
    # worklist shows and its clock needs are read (``WORKLIST_FIELDS``).
    return qs.only(*WORKLIST_FIELDS).order_by("-green_lane", "due_at", "id")


# What a worklist row shows and what its clock needs (``with_clocks``): nothing wider.
WORKLIST_FIELDS = (
    "id", "code", "status", "channel", "procedure_code", "procedure_name", "green_lane",
    "received_at", "due_at", "legal_due_at", "legal_days", "legal_hours", "legal_calendar_days", "cutoff",
    "current_unit_id", "receiving_unit_id", "assignee_id",
)


class Item:
    """A worklist row's dossier columns (``WORKLIST_FIELDS``) without a model instance: the
    page shows 50 of them, and building deferred model objects cost more than the query."""

    __slots__ = WORKLIST_FIELDS

    def __init__(self, values: dict):
        for k, v in values.items():
            setattr(self, k, v)

    @property
    def pk(self):
        return self.id


def scope_dossiers(user):
    """Every dossier an official may see: received by, or handled in, their units."""
    ids = _scope(user)
    return Dossier.objects.filter(Q(receiving_unit_id__in=ids) | Q(current_unit_id__in=ids) | Q(competent_unit_id__in=ids))


def visible_dossiers(user):
    """Every dossier ``user`` may see, the scope every dossier endpoint resolves a code in
    first (404 outside it): for an official, those received by, handled in or competent in
    their units and those assigned to them; for a citizen or business, their own."""
    if not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    if getattr(user, "is_official", False):
        ids = _scope(user)
        return Dossier.objects.filter(Q(receiving_unit_id__in=ids) | Q(current_unit_id__in=ids) | Q(competent_unit_id__in=ids) | Q(assignee=user))
    return Dossier.objects.filter(applicant_account=user)


def dossier_for(user, code):
    """The dossier ``code`` if ``user`` may see it (``visible_dossiers``), else None: an
    unknown code and a dossier outside the scope look alike."""
    if not isinstance(code, str) or not code or len(code) > 64:
        return None
    return visible_dossiers(user).filter(code=code).first()


def desk(user):
    ids = _scope(user, "reception")
    base = Dossier.objects.filter(receiving_unit_id__in=ids).only(*WORKLIST_FIELDS)
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
    # Display strings, prepared once here so that the row template only prints them.
    status_label: str = ""
    procedure_text: str = ""
    due_text: str = ""
    hours_text: str = ""  # the working time left, or overdue by (``time_phrase``)
    badge_class: str = ""
    badge_label: str = ""


def _badges():
    return {
        "overdue": ("text-bg-danger", _("Overdue")),
        "today": ("text-bg-warning", _("Due today")),
        "soon": ("text-bg-info", _("Due within 1 working day")),
        "paused": ("text-bg-secondary", _("Paused (waiting for the applicant)")),
        "redated": ("text-bg-danger", _("Overdue, new date given")),
        "ok": ("text-bg-success", _("On time")),
    }


_INDEX: dict = {}


def working_time_index(calendar) -> deadlines.WorkingTimeIndex:
    """One index per calendar object (a new calendar, after a decision changes, gets a new one)."""
    idx = _INDEX.get("index")
    if idx is None or idx.calendar is not calendar:
        idx = _INDEX["index"] = deadlines.WorkingTimeIndex(calendar)
    return idx


CLOSED = (Status.RESULT_READY, Status.RETURNED, Status.REFUSED, Status.STOPPED, Status.RECEPTION_REFUSED)


def with_clocks(dossiers, calendar, now=None):
    """Attach each dossier's clock.

    A running clock (no open pause) is read from the stored ``due_at``: it is the effective
    due date written by ``services.refresh_due`` with the one due-date function on every
    change, and without an open pause it does not depend on ``now`` (a test checks the
    stored value against a recomputation). Only the remaining working time until it is
    computed here, by the calendar. A dossier waiting for a supplement has an open pause,
    so its due date moves with ``now``: it is recomputed in full by ``deadlines.compute``
    from its pauses and apology (one query each, for those rows only)."""
    now = now or timezone.now()
    if isinstance(dossiers, QuerySet):
        dossiers = [Item(v) for v in dossiers.values(*WORKLIST_FIELDS)]
    else:
        dossiers = list(dossiers)
    waiting = [d.pk for d in dossiers if d.status == Status.SUPPLEMENT and d.received_at is not None]
    pauses: dict[int, list] = {}
    apologies = {}
    if waiting:
        for p in Pause.objects.filter(dossier_id__in=waiting).order_by("started_at"):
            pauses.setdefault(p.dossier_id, []).append(p)
        apologies = {a.dossier_id: a for a in Apology.objects.filter(dossier_id__in=waiting)}
    from .services import facts_of

    between = working_time_index(calendar).between
    labels = {k: str(v) for k, v in STATUS_CHOICES}  # translated once, not per row
    badges = _badges()
    phrases = _phrases()
    tz = timezone.get_current_timezone()
    today = now.astimezone(tz).date()
    # number_format's answer for a 1-decimal float (no thousands grouping is configured), once.
    decimal_sep = get_format("DECIMAL_SEPARATOR")
    rows = []
    for d in dossiers:
        label = labels.get(d.status, d.status)
        name = d.procedure_name if len(d.procedure_name) <= 70 else Truncator(d.procedure_name).chars(70)
        if d.received_at is None:
            rows.append(Row(d, None, "none", label, name))
            continue
        if d.pk in pauses or d.due_at is None:
            c = deadlines.compute(calendar, facts_of(d, pauses.get(d.pk, []), apologies.get(d.pk) or False), now=now)
        else:
            c = deadlines.running_clock(calendar, d.due_at, d.legal_due_at or d.due_at, now=now, between=between)
        redated = c.legal_due is not None and c.effective_due > c.legal_due
        if d.status in CLOSED:
            level = "none"
        elif c.paused:
            level = "paused"
        elif c.overdue:
            level = "overdue"
        elif redated and now > c.legal_due:
            # Past its legal due date, before the apology's new date: late all the same (the
            # apology does not make a dossier on time); the time shown runs to the new date.
            level = "redated"
        elif c.effective_due.astimezone(tz).date() == today:
            level = "today"
        elif c.remaining <= calendar.day_length:
            level = "soon"
        else:
            level = "ok"
        due_local = c.effective_due.astimezone(tz)
        css, badge = badges.get(level, ("", ""))
        rows.append(Row(d, c, level, label, name, f"{due_local:%H:%M %d/%m/%Y}", time_phrase(c, calendar.day_length, decimal_sep, phrases), css, badge))
    return rows


def _number(value: float, decimal_sep=",") -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", decimal_sep)


def _phrases():
    return {
        "days": _("%(n)s working days"),
        "hours": _("%(n)s working hours"),
        "left": _("%(time)s left"),
    }


def time_phrase(c, day_length=timedelta(hours=8), decimal_sep=",", phrases=None) -> str:
    """How the working time of a clock reads next to its badge: overdue by "92 working days"
    (in days once it is a day or more, in hours below), or "19.5 working hours left". Never a
    negative number: the badge says overdue."""
    if c is None:
        return ""
    phrases = phrases or _phrases()
    amount = abs(c.remaining)
    if amount >= day_length:
        text = phrases["days"] % {"n": _number(amount / day_length, decimal_sep)}
    else:
        text = phrases["hours"] % {"n": _number(amount.total_seconds() / 3600, decimal_sep)}
    if c.remaining < timedelta(0):
        return text
    return phrases["left"] % {"time": text}


def overdue_without_apology(unit_ids=None, now=None):
    now = now or timezone.now()
    qs = Dossier.objects.filter(status__in=ACTIVE, due_at__lt=now, apology__isnull=True).exclude(status=Status.SUPPLEMENT)
    if unit_ids is not None:
        qs = qs.filter(current_unit_id__in=unit_ids)
    return qs


PUBLIC_FIELDS = ("id", "code", "procedure_name", "status", "received_at", "due_at", "delivery")
KEY_FIELDS = ("lookup_secret", "applicant_phone", "applicant_id_number", "agent_phone", "agent_id_number")


def last_event(dossier):
    """The dossier's latest event as a dict (id, action, actor_id, actor_name, at), or None.
    Action forms carry its id: a form sent after the dossier changed is recognised."""
    return dossier.events.order_by("-id").values("id", "action", "actor_id", "actor_name", "at").first()


def resent_action(last, action, user) -> bool:
    """The dossier's last event is this very action by this user: the request is a resend."""
    return last["action"] == action and last["actor_id"] == user.pk


def changed_since(last) -> str:
    """Why a form or a request based on an older state of the dossier is not acted on."""
    return _("The dossier changed after you opened it (%(action)s by %(actor)s at %(at)s). Check it again, then act.") % {
        "action": action_label(last["action"]),
        "actor": last["actor_name"] or _("the system"),
        "at": timezone.localtime(last["at"]).strftime("%H:%M %d/%m/%Y"),
    }


def public_lookup(code: str, key: str):
    """The dossier if ``key`` matches the last 4 digits of the applicant's (or authorised
    person's) phone or identification number, or the lookup secret; else None.

    One query on the unique code index, reading only what the check and the public page
    need; the step history comes with it (``public_history`` reads it from the dossier)."""
    code = (code or "").strip().upper()
    key = (key or "").strip().upper()
    if not code or len(key) < 4:
        return None
    rows = list(
        Dossier.objects.filter(code=code)
        .order_by("events__at", "events__id")
        .values_list(*PUBLIC_FIELDS, *KEY_FIELDS, "events__at", "events__action", "events__unit__name")
    )
    if not rows:
        return None
    first = dict(zip(PUBLIC_FIELDS + KEY_FIELDS, rows[0]))
    candidates = {first["lookup_secret"].upper()}
    for name in KEY_FIELDS[1:]:
        digits = "".join(ch for ch in (first[name] or "") if ch.isdigit())
        if len(digits) >= 4:
            candidates.add(digits[-4:])
    if key not in candidates:
        return None
    # A partial instance (the other fields deferred); from_db takes them in model order.
    names = [f.attname for f in Dossier._meta.concrete_fields if f.attname in PUBLIC_FIELDS]
    d = Dossier.from_db(Dossier.objects.db, names, [first[name] for name in names])
    n = len(PUBLIC_FIELDS) + len(KEY_FIELDS)
    d._public_history = [(r[n], r[n + 1], r[n + 2]) for r in rows if r[n] is not None]
    return d


def public_history(d: Dossier):
    """Step history without names or personal data."""
    events = getattr(d, "_public_history", None)
    if events is None:
        events = [(e.at, e.action, e.unit.name if e.unit else "") for e in d.events.select_related("unit").order_by("at", "id")]
    return [{"at": at, "action": action, "label": action_label(action), "unit": unit or ""} for at, action, unit in events]


# --------------------------------------------------------------------------- timeliness


def counted_late():
    """Annotation: the dossier had more than one supplement request (its second request's
    event is flagged ``counts_as_late``; Decision 766 item 2.1 counts it overdue)."""
    from django.db.models import Exists, OuterRef

    from .models import Event
    from .states import Action

    return Exists(Event.objects.filter(dossier=OuterRef("pk"), action=Action.REQUEST_SUPPLEMENT, data__counts_as_late=True))


def on_time_q() -> Q:
    """The query-level twin of ``deadlines.timeliness`` (early or on time), for counting in
    the database: finished by the **legal** due date (an apology's new date does not count),
    and not flagged late by a second supplement request. Needs the ``late_flag`` annotation
    (``with_late_flag``)."""
    from django.db.models import F

    return Q(legal_due_at__isnull=False, finished_at__isnull=False, finished_at__lte=F("legal_due_at")) & ~Q(late_flag=True)


def with_late_flag(qs):
    return qs.annotate(late_flag=counted_late())


def timeliness_of(dossier) -> str | None:
    """``deadlines.timeliness`` of a finished dossier (None while it is not finished)."""
    if dossier.finished_at is None or dossier.legal_due_at is None:
        return None
    from .models import Event
    from .states import Action

    flagged = Event.objects.filter(dossier=dossier, action=Action.REQUEST_SUPPLEMENT, data__counts_as_late=True).exists()
    return deadlines.timeliness(dossier.finished_at, dossier.legal_due_at, counts_as_late=flagged)
