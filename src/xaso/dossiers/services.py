"""Every change to a dossier: one function per business action.

Each function runs in one transaction: it locks the dossier row (``select_for_update``),
checks the action against the state table (``states.py``: state, role, unit scope), makes
the change, recomputes the clock with the one due-date function (``deadlines.py``), and
writes the history event, the audit record, the outgoing notifications (outbox) and the
national-portal sync job. A refused action raises ``DossierError`` with a Vietnamese
message and leaves the dossier unchanged.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core import audit
from xaso.core.models import AuditRecord, Unit
from xaso.core.selectors import unit_ids_in_scope
from xaso.core.text import clean_line
from xaso.notifications.services import enqueue_email, enqueue_sms

from . import deadlines, extensions, states
from .models import (
    Apology,
    Channel,
    CodeCounter,
    Component,
    Delivery,
    DocumentCounter,
    DocumentKind,
    Dossier,
    Event,
    IssuedDocument,
    Pause,
    Step,
    SyncJob,
    action_button,
)
from .signals import components_stored, result_stored
from .states import Action, Status


class DossierError(ValidationError):
    """An action refused: wrong state, role, unit or input. The message is for people."""


# --------------------------------------------------------------------------- settings

# The extensions accepted for dossier files; the content is checked for each
# (``xaso.core.uploads``: type from the content, XML parsed with defusedxml and refused when
# a browser would run it).
UPLOAD_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".docx", ".doc", ".xlsx", ".xml")


def max_upload_bytes():
    return getattr(settings, "XASO_DOSSIER_MAX_UPLOAD_MB", 20) * 1024 * 1024


def default_cutoff():
    from xaso.core.workdays import default_cutoff as core_default

    return core_default()


def get_calendar():
    from xaso.core.workdays import get_calendar as core_calendar

    return core_calendar()


# --------------------------------------------------------------------------- inputs


@dataclass
class ProcedureTerms:
    """What the procedure version in force at receipt says; copied onto the dossier."""

    code: str
    name: str
    field_name: str = ""
    days: Decimal | float = 0
    hours: Decimal | float = 0
    calendar_days: bool = False
    cutoff: time | None = None
    fee: int = 0  # the fixed fees; used as the dossier's fee only when there are no fee_lines
    # The catalogue's fee lines, unpriced: [{"line", "kind", "name", "unit_price", "unit",
    # "online_unit_price"}] (``price_fee_lines`` gives each its price for the dossier's
    # channel, its quantity and amount at receipt).
    fee_lines: list = field(default_factory=list)
    steps: list = field(default_factory=list)  # [{"name", "role", "unit_kind", "share", "interagency"}]
    max_supplements: int = 1
    restart_after_supplement: bool = False
    green_lane: bool = False
    has_written_result: bool = True
    documents: list = field(default_factory=list)  # [{"name", "code", "mandatory", "copies"}]
    version: object | None = None
    competent_unit: Unit | None = None


@dataclass
class Applicant:
    name: str
    kind: str = "citizen"
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    agent_name: str = ""
    agent_id_number: str = ""
    agent_address: str = ""
    agent_phone: str = ""
    agent_email: str = ""
    authorisation_document: str = ""
    account: object | None = None


@dataclass
class ComponentIn:
    name: str
    code: str = ""
    mandatory: bool = True
    copies: str = ""
    submitted: bool = True
    digitised: bool = False
    reused: bool = False
    file: object | None = None  # a Django File / UploadedFile
    # A file already in storage (a document of the applicant's vault reused): the component
    # points at it, nothing is copied; ``content_type``/``size`` describe it.
    stored_name: str = ""
    content_type: str = ""
    size: int = 0


def terms_from_version(version, commune: Unit | None = None) -> ProcedureTerms:
    """What the catalogue's procedure version says, as the dossier copies it. ``commune``
    (the competent commune) routes the competent department to its unit there."""
    from xaso.catalog.models import Fee, ProcedureVersion, ProcessStep, RequiredDocument
    from xaso.catalog.services import find_department_unit

    PU = ProcedureVersion.ProcessingUnit
    amount = version.processing_amount
    days = hours = 0
    if version.processing_unit in (PU.WORKING_DAYS, PU.CALENDAR_DAYS):
        days = amount
    elif version.processing_unit == PU.HOURS:
        hours = amount
    if version.processing_unit == PU.UNKNOWN or (version.processing_unit != PU.SAME_DAY and not amount):
        raise DossierError(
            _("The processing time of procedure %(code)s is not determined in the catalogue; it must be set before dossiers can be received.")
            % {"code": version.procedure.code}
        )
    role_map = {
        ProcessStep.Role.RECEPTION: "reception",
        ProcessStep.Role.SPECIALIST: "specialist",
        ProcessStep.Role.HEAD: "unit_head",
        ProcessStep.Role.LEADER: "leader",
        ProcessStep.Role.OTHER_AGENCY: "other_agency",
    }
    steps = [
        {
            "name": s.name,
            "role": role_map.get(s.role, s.role),
            "share": s.share,
            "interagency": s.inter_agency or s.role == ProcessStep.Role.OTHER_AGENCY,
            "agency": s.agency_name,
        }
        for s in version.steps.all()
    ]
    documents = [
        {"name": d.name, "mandatory": d.requirement == RequiredDocument.Requirement.MANDATORY, "copies": ""}
        for d in version.documents.all()
        if d.requirement != RequiredDocument.Requirement.NOTE and d.submission == RequiredDocument.Submission.SUBMIT
    ]
    fees = list(version.fees.all())
    fee = sum(f.amount or 0 for f in fees if f.kind == Fee.Kind.FIXED)
    competent = find_department_unit(version.department(), commune) if commune is not None else None
    return ProcedureTerms(
        code=version.procedure.code,
        name=version.name,
        field_name=version.field.name,
        days=days,
        hours=hours,
        calendar_days=version.processing_unit == PU.CALENDAR_DAYS,
        # The procedure's own cut-off, else the commune's default (XASO_DEFAULT_CUTOFF).
        cutoff=version.cutoff or default_cutoff(),
        fee=fee,
        fee_lines=catalogue_fee_lines(fees),
        steps=steps,
        max_supplements=version.supplement_max,
        restart_after_supplement=version.supplement_mode == ProcedureVersion.SupplementMode.RESTART,
        green_lane=version.green_lane,
        has_written_result=bool(version.result),
        documents=documents,
        version=version,
        competent_unit=competent or commune,
    )


# --------------------------------------------------------------------------- helpers


def _now(now):
    return now or timezone.now()


def local(dt):
    return timezone.localtime(dt) if dt else dt


def next_number(model, lookup: dict) -> int:
    """Increment the counter row ``lookup`` in the caller's transaction and return the new
    value, in one statement: ``INSERT … ON CONFLICT (<the row's unique key>) DO UPDATE SET
    last = last + 1 RETURNING last`` (PostgreSQL ≥ 9.5, SQLite ≥ 3.35). The upsert takes
    the row lock (PostgreSQL) or the database write lock (SQLite) until the caller's
    transaction ends, so a concurrent intake waits and then reads the committed value; a
    rollback undoes the increment: no gap, no duplicate. ``lookup`` names exactly the
    fields of the model's unique constraint."""
    opts = model._meta
    columns, params = [], []
    for name, value in lookup.items():
        f = opts.get_field(name)
        if f.is_relation:
            value = getattr(value, "pk", value)
            f = f.target_field
        columns.append(opts.get_field(name).column)
        params.append(f.get_db_prep_value(value, connection, prepared=False))
    qn = connection.ops.quote_name
    table, last = qn(opts.db_table), qn(opts.get_field("last").column)
    cols = ", ".join(qn(c) for c in columns)
    sql = (
        f"INSERT INTO {table} ({cols}, {last}) VALUES ({', '.join(['%s'] * len(params))}, 1) "
        f"ON CONFLICT ({cols}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def unit_prefix(unit: Unit) -> str:
    if not unit.identifier:
        raise DossierError(
            _("The receiving unit “%(unit)s” has no electronic identifier; an administrator must set it before dossiers can be received.")
            % {"unit": unit.name}
        )
    return unit.identifier


def new_code(unit: Unit, at: datetime) -> str:
    """``<unit identifier>-<YYMMDD>-<sequence>`` (TT 01/2018 Điều 19; TT 03/2025 Điều 13):
    the sequence restarts each day per receiving unit and has at least 4 digits."""
    prefix = unit_prefix(unit)
    day = local(at).date()
    seq = next_number(CodeCounter, {"unit": unit, "day": day})
    return f"{prefix}-{day:%y%m%d}-{seq:04d}"


def validate_upload(f, label=""):
    """``(content type, size)`` of an accepted dossier file (``xaso.core.uploads.check_upload``
    with ``UPLOAD_EXTENSIONS`` and ``XASO_DOSSIER_MAX_UPLOAD_MB``); ``("", 0)`` for no file.
    Raises ``DossierError`` naming the file."""
    from xaso.core.uploads import UploadRejected, check_upload

    if f is None:
        return "", 0
    try:
        checked = check_upload(f, extensions=UPLOAD_EXTENSIONS, max_bytes=max_upload_bytes(), label=label)
    except UploadRejected as exc:
        raise DossierError(exc.messages) from None
    return checked.content_type, checked.size


def max_files_per_dossier() -> int:
    return int(getattr(settings, "XASO_DOSSIER_MAX_FILES", 50))


def max_total_bytes_per_dossier() -> int:
    return int(getattr(settings, "XASO_DOSSIER_MAX_TOTAL_MB", 200)) * 1024 * 1024


def _stored_size(field_file) -> int:
    try:
        return field_file.size if field_file else 0
    except OSError:
        return 0


def check_file_quota(dossier, adding: list[int], freed: int = 0, replacing: bool = False, new: bool = False) -> None:
    """Refuse (``DossierError``) files that would take the dossier past
    ``XASO_DOSSIER_MAX_FILES`` files or ``XASO_DOSSIER_MAX_TOTAL_MB`` in all (its components'
    files and its result). ``adding``: sizes of the new files; ``freed``: the size of a file
    they replace (``replacing``: the count stays); ``new``: the dossier was just created (it
    has no file yet: nothing to read)."""
    if not adding:
        return
    from django.db.models import Count, Sum

    count, total = 0, 0
    if dossier.pk is not None and not new:
        agg = Component.objects.filter(dossier_id=dossier.pk).exclude(file="").aggregate(n=Count("id"), total=Sum("size"))
        count, total = agg["n"] or 0, agg["total"] or 0
        if dossier.result_file:
            count, total = count + 1, total + _stored_size(dossier.result_file)
    new_count = count + (0 if replacing else len(adding))
    new_total = total - freed + sum(adding)
    if new_count > max_files_per_dossier():
        raise DossierError(_("A dossier holds at most %(n)d files; this one has %(count)d already.") % {"n": max_files_per_dossier(), "count": count})
    if new_total > max_total_bytes_per_dossier():
        raise DossierError(
            _("The files of a dossier take at most %(mb)d MB in all; this one would take %(total).1f MB.")
            % {"mb": max_total_bytes_per_dossier() // 1048576, "total": new_total / 1048576}
        )


def _delete_on_commit(storage, name: str) -> None:
    """Delete a stored file once the transaction that replaced it commits (kept on a
    rollback: the row still points to it)."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def scope_ids(user, role=None) -> set[int]:
    """``unit_ids_in_scope`` memoised on the user object: a request's user is loaded per
    request, so the memo lives as long as the request (memberships do not change midway)."""
    memo = user.__dict__.setdefault("_xaso_scope_memo", {})
    if role not in memo:
        memo[role] = unit_ids_in_scope(user, role)
    return memo[role]


def _roles_in_scope(user, unit_id, role) -> bool:
    return unit_id in scope_ids(user, role)


def action_refusal(dossier: Dossier, action, user) -> tuple[str, str] | None:
    """Why ``user`` may not do ``action`` on ``dossier`` now, as ``(kind, message)``: kind
    ``"role"`` (not logged in, no role for it in the dossier's unit, not the assignee) is
    checked before ``"state"`` (the action is not possible in the dossier's status, or the
    procedure's process does not have that step), so that someone without the role learns
    nothing of the state. None: allowed. (The caller has already resolved the dossier through
    the user's scope.)"""
    t = states.transition(action)
    if user is None or not getattr(user, "is_authenticated", False):
        return "role", _("You must be logged in.")
    if _granting_role(dossier, t, user) is None:
        return "role", _("You are not allowed to “%(action)s” this dossier (role or unit).") % {"action": action_button(action)}
    if Status(dossier.status) not in t.sources or not states.condition_holds(t, dossier.has_head_review):
        return "state", _("“%(action)s” is not possible while the dossier is “%(status)s”.") % {
            "action": action_button(action),
            "status": dossier.get_status_display(),
        }
    return None


def _granting_role(dossier: Dossier, t, user):
    """The first of the transition's roles through which ``user`` may act on ``dossier``
    (scope of the receiving or current unit, the assignee rule, the owner), else None."""
    for role in sorted(t.roles):  # a stable order: the same role is found every time
        scope = states.scope_of(role)
        if scope == states.Scope.OWNER:
            if dossier.applicant_account_id and dossier.applicant_account_id == user.pk:
                return role
            continue
        unit_id = dossier.receiving_unit_id if scope == states.Scope.RECEIVING else dossier.current_unit_id
        if not _roles_in_scope(user, unit_id, role):
            continue
        if t.assignee_only and role == "specialist" and dossier.assignee_id != user.pk:
            continue
        return role
    return None


def permitted(dossier: Dossier, action, user) -> tuple[bool, str]:
    """Whether ``user`` may do ``action`` on ``dossier`` now, and why not (``action_refusal``)."""
    refusal = action_refusal(dossier, action, user)
    return (True, "") if refusal is None else (False, refusal[1])


def acting_unit(user, role, target_unit_id):
    """The unit ``user`` acts for when acting through ``role`` on a dossier of the unit
    ``target_unit_id``: the unit of their membership with that role that covers it, the
    nearest one (the chairman approves for the commune's People's Committee, the desk
    officer receives a supplement for the one-stop desk, a head reviews for the department).
    The citizen acting on their own dossier acts for no unit (None); an official with no
    matching membership (a superuser) for the target unit itself."""
    from xaso.core.selectors import memberships_of

    if role == states.APPLICANT or user is None or not getattr(user, "pk", None):
        return None
    mine = {m.unit_id: m.unit for m in memberships_of(user) if m.role == role}
    node = Unit.objects.filter(pk=target_unit_id).select_related("parent__parent__parent").first()
    while node is not None:
        if node.pk in mine:
            return mine[node.pk]
        node = node.parent
    # A commune-wide role held in another unit of the commune (e.g. the standing office).
    return next(iter(mine.values()), None) or Unit.objects.filter(pk=target_unit_id).first()


def allowed_actions(dossier, user) -> list[str]:
    return [str(a) for a in states.actions_from(dossier.status) if permitted(dossier, a, user)[0]]


def _lock(dossier) -> Dossier:
    # No joins in the locking query: PostgreSQL re-evaluates a joined FOR UPDATE row after
    # a concurrent update of the join column and would return nothing.
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def facts_of(dossier: Dossier, pauses=None, apology=None) -> deadlines.Facts:
    if pauses is None:
        pauses = list(dossier.pauses.all())
    if apology is None:
        apology = Apology.objects.filter(dossier_id=dossier.pk).first()
    return deadlines.Facts(
        received_at=dossier.received_at,
        days=float(dossier.legal_days),
        hours=float(dossier.legal_hours),
        calendar_days=dossier.legal_calendar_days,
        cutoff=dossier.cutoff,
        pauses=tuple(deadlines.Pause(p.started_at, p.ended_at, p.restart_clock) for p in pauses),
        apology_due=apology.new_due_at if apology else None,
    )


def clock(dossier: Dossier, now=None, calendar=None):
    """The dossier's clock (legal due, effective due, remaining working time) at ``now``."""
    if dossier.received_at is None:
        return None
    return deadlines.compute(calendar or get_calendar(), facts_of(dossier), now=_now(now))


def refresh_due(dossier: Dossier, now) -> None:
    """Recompute the denormalised due dates from the stored facts (same function)."""
    c = clock(dossier, now)
    dossier.legal_due_at = c.legal_due if c else None
    dossier.due_at = c.effective_due if c else None


def refresh_running_due_dates(*, affected_day=None, now=None) -> int:
    """Recompute the stored due dates of every dossier still running after the working-day
    calendar changed (an administrator recorded or removed a government decision).

    ``legal_due_at``/``due_at`` are a cache of the one due-date function for fast worklists;
    they must follow the calendar. Only dossiers whose clock can reach ``affected_day`` are
    recomputed: received on or before that day and not due before it (or with no due date,
    e.g. paused). The open steps' own due times (their share of the legal time, the rows
    of the process-control sheet) are recomputed the same way. One audit record says how
    many moved."""
    from xaso.core.workdays import get_calendar

    now = _now(now)
    calendar = get_calendar()
    running = Dossier.objects.filter(received_at__isnull=False, finished_at__isnull=True)
    if affected_day is not None:
        start = timezone.make_aware(datetime.combine(affected_day, time.min))
        end = start + timedelta(days=1)
        running = running.filter(received_at__lt=end).exclude(due_at__lt=start)
    changed = []
    for dossier in running.prefetch_related("pauses").iterator(chunk_size=500):
        before = (dossier.legal_due_at, dossier.due_at)
        c = deadlines.compute(calendar, facts_of(dossier), now=now)
        dossier.legal_due_at, dossier.due_at = c.legal_due, c.effective_due
        if (dossier.legal_due_at, dossier.due_at) != before:
            changed.append(dossier)
    steps = _refresh_open_step_due_dates(calendar, affected_day)
    with transaction.atomic():
        Dossier.objects.bulk_update(changed, ["legal_due_at", "due_at"], batch_size=500)
        Step.objects.bulk_update(steps, ["due_at"], batch_size=500)
        if changed or steps:
            audit.record(
                AuditRecord.Action.ACTION,
                verb="dossier.due_dates_refreshed",
                object_type="dossiers.dossier",
                object_repr=f"{len(changed)}",
                changes={"dossiers": [None, [d.code for d in changed[:200]]], "steps": [None, len(steps)]},
                reason=f"calendar changed ({affected_day})" if affected_day else "calendar changed",
            )
    return len(changed)


def _refresh_open_step_due_dates(calendar, affected_day=None) -> list[Step]:
    """The open steps (of unfinished dossiers) whose own due time, recomputed with
    ``deadlines.step_due`` from their start, their share and their dossier's facts (as they
    were when the step started), moved with the calendar."""
    open_steps = Step.objects.filter(finished_at__isnull=True, share_percent__gt=0, dossier__finished_at__isnull=True)
    if affected_day is not None:
        start = timezone.make_aware(datetime.combine(affected_day, time.min))
        open_steps = open_steps.filter(started_at__lt=start + timedelta(days=1)).exclude(due_at__lt=start)
    changed = []
    for step in open_steps.select_related("dossier").prefetch_related("dossier__pauses").iterator(chunk_size=500):
        d = step.dossier
        pauses = [p for p in d.pauses.all() if p.started_at <= step.started_at]
        facts = facts_of(d, pauses=pauses, apology=False)
        due = deadlines.step_due(calendar, facts, step.started_at, float(step.share_percent))
        if due != step.due_at:
            step.due_at = due
            changed.append(step)
    return changed


def _step_due(dossier, start, share, calendar=None, facts=None) -> datetime | None:
    """A step's own due time: ``deadlines.step_due`` with the dossier's facts."""
    if not share:
        return None
    if facts is None:
        facts = facts_of(dossier, apology=False)
    return deadlines.step_due(calendar or get_calendar(), facts, start, float(share))


# The internal process copied from the catalogue at receipt (``Dossier.steps_plan``): its steps
# in order, each with a role and a share of the legal time. The hand-overs follow it:
#   receipt → the leading reception steps (e.g. "Tiếp nhận hồ sơ" + "Chuyển hồ sơ đến đơn vị
#     giải quyết": one hand-over, their shares together), ended by the transfer;
#   transfer → the competent unit's head assigns (no share of its own in the process);
#   assignment → the specialist's step ("Thẩm định, đề xuất kết quả");
#   submitted for review → the head's step ("Trưởng phòng xem xét"), when the process has it;
#   submitted/forwarded for approval → the leader's step ("Lãnh đạo UBND phê duyệt, ký");
#   approval → issuing the result (no share); result ready → the trailing reception steps
#     ("Trả kết quả").
# A process without a step for a role gives the hand-over its built-in name and no share.


def process_step(dossier, part: str) -> tuple[str, float]:
    """(name, share %) of the part of the dossier's internal process a hand-over holds:
    ``reception_in``, ``specialist``, ``unit_head``, ``leader``, ``interagency`` or
    ``reception_out``; ("", 0) when the process has none."""
    plan = list(dossier.steps_plan or [])
    if part in ("reception_in", "reception_out"):
        first_other = next((i for i, s in enumerate(plan) if s.get("role") != "reception"), len(plan))
        last_other = max((i for i, s in enumerate(plan) if s.get("role") != "reception"), default=-1)
        chunk = plan[:first_other] if part == "reception_in" else plan[last_other + 1 :]
        chunk = [s for s in chunk if s.get("role") == "reception"]
        if not chunk:
            return "", 0
        return chunk[0].get("name") or "", sum(float(s.get("share") or 0) for s in chunk)
    if part == "interagency":
        step = next((s for s in plan if s.get("interagency")), None)
    else:
        step = next((s for s in plan if s.get("role") == part and not s.get("interagency")), None)
    if step is None:
        return "", 0
    return step.get("name") or "", float(step.get("share") or 0)


def _close_open_steps(dossier, now):
    Step.objects.filter(dossier=dossier, finished_at__isnull=True).update(finished_at=now)


def _open_step(dossier, *, name, unit=None, assignee=None, given_by=None, now, share=0, external="", interagency=False, first=False, calendar=None, facts=None):
    if first:
        seq = 1
    else:
        _close_open_steps(dossier, now)
        seq = (Step.objects.filter(dossier=dossier).order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    return Step.objects.create(
        dossier=dossier,
        seq=seq,
        name=name,
        unit=unit,
        assignee=assignee,
        given_by=given_by,
        started_at=now,
        due_at=_step_due(dossier, now, share, calendar, facts),
        share_percent=share or 0,
        external_agency=external,
        is_interagency=interagency,
    )


def _open_process_step(d, part, default_name, **kwargs):
    """Open the hand-over holding ``part`` of the internal process: named as the process
    names it (else ``default_name``), with its share of the time."""
    name, share = process_step(d, part)
    return _open_step(d, name=name or default_name, share=share, **kwargs)


def issue_document(dossier, kind, *, unit, user, now, data=None) -> IssuedDocument:
    year = local(now).year
    number = next_number(DocumentCounter, {"unit": unit, "kind": kind, "year": year})
    return IssuedDocument.objects.create(
        dossier=dossier, kind=kind, unit=unit, year=year, number=number, issued_at=now, issued_by=user, data=data or {}
    )


def _event(dossier, action, *, user, now, from_status, note="", data=None, unit=None, components=None, pauses=None):
    ev = Event.objects.create(
        dossier=dossier,
        at=now,
        action=str(action),
        from_status=str(from_status or ""),
        to_status=dossier.status,
        actor=user if getattr(user, "pk", None) else None,
        actor_name=getattr(user, "display_name", "") or "",
        unit=unit,
        note=note,
        data=data or {},
    )
    _sync(dossier, str(action), components=components, pauses=pauses)
    for hook in extensions.after_event:
        hook(dossier, ev)
    # The audit record last: it takes the audit chain's lock (held until commit), so the
    # less work after it, the less concurrent actions wait for each other.
    audit.record(
        AuditRecord.Action.ACTION,
        dossier,
        verb=f"dossier.{action}",
        changes={"status": [str(from_status or ""), dossier.status], **({"data": data} if data else {})},
        reason=note,
    )
    return ev


def _sync(dossier, event, *, components=None, pauses=None):
    """Queue the national-portal update. ``components``/``pauses``: the dossier's rows when
    the caller has just written them (intake), so they are not read back."""
    from .portal_sync import build_payload

    SyncJob.objects.create(dossier=dossier, event=event, payload=build_payload(dossier, components=components, pauses=pauses), next_attempt_at=timezone.now())


def lookup_url(dossier) -> str:
    from xaso.core.site import public_base_url

    return f"{public_base_url()}/tra-cuu/?ma={dossier.code}&k={dossier.lookup_secret}"


def _notify(dossier, event, ev_id, sms, subject, body=None):
    """SMS and e-mail to the applicant (and the authorised person), through the outbox."""
    phones = {p for p in (dossier.applicant_phone, dossier.agent_phone) if p}
    emails = {e for e in (dossier.applicant_email, dossier.agent_email) if e}
    for phone in sorted(phones):
        enqueue_sms(phone, sms, event=f"dossier.{event}", dedup_key=f"dossier:{dossier.pk}:{ev_id}:sms:{phone}", returning=False)
    for email in sorted(emails):
        enqueue_email(
            email, subject, body or sms, event=f"dossier.{event}", dedup_key=f"dossier:{dossier.pk}:{ev_id}:email:{email}", returning=False
        )


def _fmt(dt):
    return local(dt).strftime("%H:%M %d/%m/%Y") if dt else ""


# --------------------------------------------------------------------------- creation


def _check_components(terms: ProcedureTerms, components: list[ComponentIn]):
    names = {c.name for c in components if c.submitted}
    missing = [d["name"] for d in terms.documents if d.get("mandatory", True) and d["name"] not in names]
    if missing:
        raise DossierError(_("Mandatory documents are missing: %(names)s.") % {"names": "; ".join(missing)})
    for c in components:
        if c.file is not None:
            validate_upload(c.file, c.name)


APPLICANT_TEXT_FIELDS = ("name", "id_number", "address", "phone", "email", "agent_name", "agent_id_number", "agent_address", "agent_phone", "agent_email", "authorisation_document")


_PASSPORT = re.compile(r"[A-Z]{1,2}\d{7,8}")


def _id_number_messages(whose: str):
    if whose == "agent":
        return (
            _("The authorised person's identification number “%(number)s” is not valid: %(reason)s"),
            _("The authorised person's identification number “%(number)s” is not valid: give the 12-digit personal identification number, a 9-digit identity card number or a passport number."),
        )
    return (
        _("The applicant's identification number “%(number)s” is not valid: %(reason)s"),
        _("The applicant's identification number “%(number)s” is not valid: give the 12-digit personal identification number, a 9-digit identity card number, a passport number or, for an organisation, its tax code."),
    )


def check_id_number(value: str, *, organisation: bool = False, whose: str = "applicant") -> str:
    """An identification number as the pages and the API accept it (one rule for both),
    without spaces or dots; "" stays "". A 12-digit number is a personal identification
    number and must be one (a known province code, a birth year not in the future:
    ``core.identifiers``); 9 digits is an old identity card (CMND); a passport is one or
    two letters and 7 or 8 digits; an organisation may give its tax code (10 digits, or
    with a branch: ``0101234567-001``, check digit verified). Anything else is refused with
    ``DossierError`` (``whose``: ``"applicant"`` or ``"agent"``, for the message)."""
    from xaso.core import identifiers
    from xaso.core.validators import identifier_error

    number = (value or "").replace(" ", "").replace(".", "").upper()
    if not number:
        return ""
    invalid, unknown = _id_number_messages(whose)
    try:
        if number.isdigit() and len(number) == 12:
            return identifiers.parse_national_id(number).number
        if number.isdigit() and len(number) == 9:
            return number
        if organisation and (number.isdigit() and len(number) == 10 or re.fullmatch(r"\d{10}-\d{3}", number)):
            return identifiers.parse_tax_code(number).number
        if _PASSPORT.fullmatch(number):
            return number
    except identifiers.IdentifierError as exc:
        raise DossierError(invalid % {"number": value, "reason": " ".join(identifier_error(exc).messages)}) from None
    raise DossierError(unknown % {"number": value})


def _check_applicant(applicant: Applicant):
    # As typed or pasted: composed Vietnamese (NFC), no control characters (they would break
    # the Word forms and the tracking book), one line each.
    for name in APPLICANT_TEXT_FIELDS:
        setattr(applicant, name, clean_line(getattr(applicant, name)))
    if not applicant.name:
        raise DossierError(_("The applicant's name is required."))
    applicant.id_number = check_id_number(applicant.id_number, organisation=applicant.kind == "organisation")
    applicant.agent_id_number = check_id_number(applicant.agent_id_number, whose="agent")
    if applicant.phone and not applicant.phone.replace("+84", "0").isdigit():
        raise DossierError(_("The applicant's phone number “%(phone)s” is not valid.") % {"phone": applicant.phone})


def _new_dossier(*, terms, applicant, receiving_unit, competent_unit, channel, now, status, delivery, request_summary, copies, fees, received_by=None, calendar=None, request_key=None):
    competent_unit = competent_unit or terms.competent_unit or receiving_unit
    fee_lines, fee_amount = fees
    d = Dossier(
        code=new_code(receiving_unit, now),
        status=status,
        channel=channel,
        procedure_code=terms.code,
        procedure_name=terms.name,
        field_name=terms.field_name,
        legal_days=Decimal(str(terms.days or 0)),
        legal_hours=Decimal(str(terms.hours or 0)),
        legal_calendar_days=terms.calendar_days,
        cutoff=terms.cutoff,
        fee_amount=fee_amount,
        fee_lines=fee_lines,
        steps_plan=terms.steps or [],
        max_supplements=terms.max_supplements,
        supplement_restarts_clock=terms.restart_after_supplement,
        green_lane=terms.green_lane,
        has_written_result=terms.has_written_result,
        applicant_kind=applicant.kind,
        applicant_account=applicant.account,
        applicant_name=applicant.name.strip(),
        applicant_id_number=applicant.id_number,
        applicant_address=applicant.address,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        agent_name=applicant.agent_name,
        agent_id_number=applicant.agent_id_number,
        agent_address=applicant.agent_address,
        agent_phone=applicant.agent_phone,
        agent_email=applicant.agent_email,
        authorisation_document=applicant.authorisation_document,
        vneid_verified=bool(getattr(applicant.account, "identity_verified", False)),
        receiving_unit=receiving_unit,
        competent_unit=competent_unit,
        current_unit=receiving_unit,
        submitted_at=now,
        delivery=delivery,
        request_summary=request_summary,
        copies=copies,
        request_key=request_key,
    )
    if terms.version is not None:
        d.procedure_version = terms.version
    if received_by is not None:
        # Counter intake: received at once; the clock facts are known before the insert.
        d.received_at = now
        d.received_by = received_by
        d.book_volume, d.book_seq = book_entry(receiving_unit, terms.field_name, now)
        c = deadlines.compute(calendar or get_calendar(), facts_of(d, pauses=[], apology=False), now=now)
        d.legal_due_at, d.due_at = c.legal_due, c.effective_due
    # Field checks (lengths, choices); the foreign keys are objects already loaded.
    d.full_clean(
        exclude=["code", "lookup_secret", "receiving_unit", "competent_unit", "current_unit", "applicant_account", "procedure_version", "received_by", "assignee"],
        validate_unique=False,
        # The unique code and submission key are the database's to enforce (a concurrent
        # duplicate must reach the unique index, not be half-checked by a query here).
        validate_constraints=False,
    )
    d.save()
    return d


def _save_components(dossier, components, round_=0, new=False) -> list[Component]:
    """Store the submitted components in one INSERT (files are written to storage first).
    Components are not audited one by one: the business action's audit record covers them."""
    # A document reused from the applicant's vault was checked when it was stored there.
    checked = [
        (c.content_type, c.size) if c.stored_name else validate_upload(c.file, c.name) if c.file is not None else ("", 0)
        for c in components
    ]
    check_file_quota(dossier, [size for c, (_t, size) in zip(components, checked) if c.file is not None], new=new)
    rows = []
    for c, (ctype, size) in zip(components, checked):
        comp = Component(
            dossier=dossier,
            name=c.name,
            document_code=c.code,
            mandatory=c.mandatory,
            copies=c.copies,
            submitted=c.submitted,
            digitised=c.digitised or (c.file is not None and dossier.channel != Channel.ONLINE),
            reused=c.reused,
            content_type=ctype,
            size=size,
            supplement_round=round_,
        )
        if c.stored_name:
            comp.file.name = c.stored_name
        elif c.file is not None:
            comp.file.save(c.file.name.rsplit("/", 1)[-1], c.file, save=False)
        rows.append(comp)
    saved = Component.objects.bulk_create(rows)
    # In the caller's transaction: the applicant's vault keeps the files (xaso.vault).
    components_stored.send(sender=Component, dossier=dossier, components=saved)
    return saved


def _receipt(dossier, user, now):
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)."""
    return issue_document(
        dossier,
        DocumentKind.RECEIPT,
        unit=dossier.receiving_unit,
        user=user,
        now=now,
        data={"due_at": dossier.due_at.isoformat() if dossier.due_at else None},
    )


def _mark_received(dossier, user, now, fresh=False, calendar=None):
    if not fresh:
        dossier.received_at = now
        dossier.received_by = user if getattr(user, "pk", None) else None
        dossier.book_volume, dossier.book_seq = book_entry(dossier.receiving_unit_id, dossier.field_name, now)
        refresh_due(dossier, now)
        dossier.save()
    _open_process_step(
        dossier, "reception_in", _("Reception"), unit=dossier.receiving_unit, assignee=user, given_by=None, now=now,
        first=fresh, calendar=calendar, facts=facts_of(dossier, pauses=[], apology=False),
    )
    _receipt(dossier, user, now)


def _notify_received(dossier, ev):
    sms = _("Dossier %(code)s (%(procedure)s) was received. Appointment: %(due)s. Look it up: %(url)s") % {
        "code": dossier.code,
        "procedure": dossier.procedure_name[:60],
        "due": _fmt(dossier.due_at),
        "url": lookup_url(dossier),
    }
    _notify(dossier, "received", ev.pk, sms, _("Dossier %(code)s received") % {"code": dossier.code})


REQUEST_KEY_MAX = 64


def _clean_request_key(key) -> str | None:
    """A submission key as sent (form token or Idempotency-Key header): 1–64 visible ASCII
    characters, or None when there is none."""
    key = (key or "").strip()
    if not key:
        return None
    if len(key) > REQUEST_KEY_MAX or not all(33 <= ord(ch) <= 126 for ch in key):
        raise DossierError(_("The submission key must be 1 to 64 visible ASCII characters (letters, digits, punctuation)."))
    return key


class ReplayConflict(DossierError):
    """A submission key sent again with a different submission (the API answers 422)."""


def submission_digest(**parts) -> str:
    """SHA-256 of what a submission asks for (procedure version, units, channel, applicant,
    components with their files' names and sizes, fee quantities, copies…), stored with the
    dossier's first event: a request replayed with the same key must ask for the same."""
    import hashlib
    import json
    from dataclasses import asdict, is_dataclass

    def norm(value):
        if isinstance(value, ProcedureTerms):
            return {"code": value.code, "version": getattr(value.version, "pk", None), "competent": getattr(value.competent_unit, "pk", None)}
        if isinstance(value, ComponentIn):
            f = value.file
            return {**{k: v for k, v in asdict(value).items() if k != "file"}, "file": [f.name.rsplit("/", 1)[-1], getattr(f, "size", None)] if f is not None else None}
        if is_dataclass(value):
            return {k: norm(getattr(value, k)) for k in value.__dataclass_fields__}
        if hasattr(value, "_meta") and hasattr(value, "pk"):
            return value.pk
        if isinstance(value, dict):
            return {str(k): norm(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [norm(v) for v in value]
        return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)

    payload = json.dumps({k: norm(v) for k, v in parts.items() if k != "now"}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _first_digest(dossier) -> str:
    data = dossier.events.order_by("id").values_list("data", flat=True).first() or {}
    return data.get("request_digest", "") if isinstance(data, dict) else ""


def _replayed(key, *, officer=None, account=None, digest=""):
    """The dossier an earlier request with this submission key created, marked
    ``replayed``; None when there is none. The key belongs to whoever used it first, for
    that submission: the same key with another submission is a ``ReplayConflict``."""
    if key is None:
        return None
    d = Dossier.objects.filter(request_key=key).first()
    if d is None:
        return None
    if officer is not None:
        same = d.channel != Channel.ONLINE and d.received_by_id == officer.pk
    else:
        same = d.channel == Channel.ONLINE and d.applicant_account_id == account.pk
    if not same:
        raise DossierError(_("This submission key was already used for another submission. Start a new submission."))
    stored = _first_digest(d)
    if digest and stored and stored != digest:
        raise ReplayConflict(
            _("This submission key (Idempotency-Key) was already used for dossier %(code)s, with a different request: nothing was received. Send a new key for a new submission, or the same request to get dossier %(code)s back.")
            % {"code": d.code}
        )
    d.replayed = True
    return d


def _once(key, create, digest="", **who):
    """Run ``create`` (a transaction of its own) unless a request with the same submission
    key already created the dossier. Two requests with one key at the same moment (a double
    click): the second waits on the key's unique index, fails, and returns the first's."""
    key = _clean_request_key(key)
    existing = _replayed(key, digest=digest, **who)
    if existing is not None:
        return existing
    try:
        d = create(key)
    except IntegrityError:
        existing = _replayed(key, digest=digest, **who)
        if existing is None:
            raise
        return existing
    d.replayed = False
    return d


def intake(*, officer, request_key=None, **kwargs) -> Dossier:
    """Counter (or postal) intake (see ``_intake``), at most once per ``request_key``: a
    repeated request with the same key returns the dossier the first one received, with
    ``replayed`` set, and changes nothing; with another submission, ``ReplayConflict``."""
    digest = submission_digest(**kwargs) if request_key else ""
    return _once(request_key, lambda key: _intake(officer=officer, request_key=key, request_digest=digest, **kwargs), digest=digest, officer=officer)


def submit_online(*, user, request_key=None, **kwargs) -> Dossier:
    """Online submission (see ``_submit_online``), at most once per ``request_key``."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise DossierError(_("You must be logged in to submit a dossier online."))
    digest = submission_digest(**kwargs) if request_key else ""
    return _once(request_key, lambda key: _submit_online(user=user, request_key=key, request_digest=digest, **kwargs), digest=digest, account=user)


@transaction.atomic
def _intake(
    *,
    officer,
    terms: ProcedureTerms,
    applicant: Applicant,
    components: list[ComponentIn],
    receiving_unit: Unit,
    competent_unit: Unit | None = None,
    channel: int = Channel.COUNTER,
    delivery: str = Delivery.COUNTER,
    request_summary: str = "",
    copies: int = 1,
    fee_quantities=None,
    request_key=None,
    request_digest="",
    now=None,
) -> Dossier:
    """Counter (or postal) intake: the dossier is received at once and the receipt and
    appointment slip is issued (NĐ 118/2025 Điều 17 k1). ``fee_quantities`` ({line number:
    quantity}): how many units (pages, copies, cases…) of each fee line priced per unit the
    applicant asks for; 1 for a line not given."""
    now = _now(now)
    if not _roles_in_scope(officer, receiving_unit.pk, "reception"):
        raise DossierError(_("You are not a reception officer of “%(unit)s”.") % {"unit": receiving_unit.name})
    if channel not in (Channel.COUNTER, Channel.POST):
        raise DossierError(_("Counter intake is for dossiers brought to the counter or sent by post."))
    _check_applicant(applicant)
    _check_components(terms, components)
    fees = terms_fees(terms, fee_quantities, channel)
    calendar = get_calendar()  # once per intake: the clock and the reception step's due time
    d = _new_dossier(
        terms=terms,
        applicant=applicant,
        receiving_unit=receiving_unit,
        competent_unit=competent_unit,
        channel=channel,
        now=now,
        status=Status.RECEIVED,
        delivery=delivery,
        request_summary=request_summary,
        copies=copies,
        fees=fees,
        received_by=officer,
        calendar=calendar,
        request_key=request_key,
    )
    saved = _save_components(d, components, new=True)
    _mark_received(d, officer, now, fresh=True, calendar=calendar)
    ev = _event(
        d,
        "intake",
        user=officer,
        now=now,
        from_status="",
        unit=acting_unit(officer, "reception", receiving_unit.pk),
        components=saved,
        pauses=[],
        data={"request_digest": request_digest} if request_digest else None,
    )
    _notify_received(d, ev)
    return d


@transaction.atomic
def _submit_online(
    *,
    user,
    terms: ProcedureTerms,
    applicant: Applicant,
    components: list[ComponentIn],
    receiving_unit: Unit,
    competent_unit: Unit | None = None,
    delivery: str = Delivery.ONLINE,
    request_summary: str = "",
    fee_quantities=None,
    request_key=None,
    request_digest="",
    now=None,
) -> Dossier:
    """Online submission (NĐ 118/2025 Điều 17 k2): waits for the reception check.
    ``fee_quantities`` as for ``intake`` (the reception check may correct them)."""
    now = _now(now)
    applicant.account = applicant.account or (user if not getattr(user, "is_official", False) else None)
    _check_applicant(applicant)
    _check_components(terms, components)
    fees = terms_fees(terms, fee_quantities, Channel.ONLINE)
    d = _new_dossier(
        terms=terms,
        applicant=applicant,
        receiving_unit=receiving_unit,
        competent_unit=competent_unit,
        channel=Channel.ONLINE,
        now=now,
        status=Status.SUBMITTED,
        delivery=delivery,
        request_summary=request_summary,
        copies=1,
        fees=fees,
        request_key=request_key,
    )
    _save_components(d, components, new=True)
    # The applicant acts for no unit; the event names the desk the dossier was sent to.
    _event(d, "submit_online", user=user, now=now, from_status="", unit=receiving_unit, data={"request_digest": request_digest} if request_digest else None)
    return d


# --------------------------------------------------------------------------- transitions


def _begin(dossier, action, user, now):
    """Lock, check, and return (locked dossier, previous status). The locked dossier carries
    the unit the actor acts for (``acting_unit``) as ``_acting_unit``, which the event records."""
    d = _lock(dossier)
    ok, why = permitted(d, action, user)
    if not ok:
        raise DossierError(why)
    why = extensions.refusal(d, action)  # e.g. fees to pay first (payments)
    if why:
        raise DossierError(why)
    t = states.transition(action)
    role = _granting_role(d, t, user)
    target = d.receiving_unit_id if states.scope_of(role) == states.Scope.RECEIVING else d.current_unit_id
    d._acting_unit = acting_unit(user, role, target)
    return d, d.status


def _finish(d, action, user, now, prev, *, note="", data=None):
    target = states.next_status(action, prev)
    d.status = target
    refresh_due(d, now)
    d.save()
    return _event(d, action, user=user, now=now, from_status=prev, note=note, data=data, unit=getattr(d, "_acting_unit", None))


def _require(text, message):
    if not (text or "").strip():
        raise DossierError(message)
    return text.strip()


@transaction.atomic
def receive(dossier, user, *, fee_quantities=None, now=None) -> Dossier:
    """The reception check receives an online dossier. ``fee_quantities`` ({line number:
    quantity}) corrects the quantities of the fee lines priced per unit; the fees cannot
    fall below what is already paid."""
    now = _now(now)
    d, prev = _begin(dossier, Action.RECEIVE, user, now)
    data = _reprice(d, fee_quantities) if fee_quantities else None
    d.status = Status.RECEIVED
    _mark_received(d, user, now)
    ev = _event(d, Action.RECEIVE, user=user, now=now, from_status=prev, unit=d._acting_unit, data=data)
    _notify_received(d, ev)
    return d


def _supplement_doc(d, user, now, items, reason):
    return issue_document(d, DocumentKind.SUPPLEMENT, unit=d.current_unit, user=user, now=now, data={"items": items, "reason": reason})


def _clean_items(items):
    items = [i.strip() for i in (items or []) if i and i.strip()]
    if not items:
        raise DossierError(_("List what the applicant must add or correct (at least one item)."))
    return items


@transaction.atomic
def reception_supplement(dossier, user, *, items, reason, now=None) -> Dossier:
    """Hướng dẫn một lần: the reception officer lists everything missing (Mẫu 02)."""
    now = _now(now)
    items = _clean_items(items)
    reason = _require(reason, _("Give the reason."))
    d, prev = _begin(dossier, Action.RECEPTION_SUPPLEMENT, user, now)
    _supplement_doc(d, user, now, items, reason)
    ev = _finish(d, Action.RECEPTION_SUPPLEMENT, user, now, prev, note=reason, data={"items": items})
    _notify_supplement(d, ev, items)
    return d


def _notify_supplement(d, ev, items):
    sms = _("Dossier %(code)s needs to be completed: %(items)s. Details: %(url)s") % {
        "code": d.code,
        "items": "; ".join(items)[:200],
        "url": lookup_url(d),
    }
    _notify(d, "supplement", ev.pk, sms, _("Dossier %(code)s: please complete it") % {"code": d.code})


@transaction.atomic
def resubmit(dossier, user, *, components: list[ComponentIn] = (), now=None) -> Dossier:
    now = _now(now)
    d, prev = _begin(dossier, Action.RESUBMIT, user, now)
    for c in components:
        validate_upload(c.file, c.name) if c.file is not None else None
    _save_components(d, components, round_=1)
    d.submitted_at = now
    _finish(d, Action.RESUBMIT, user, now, prev)
    return d


def _refusal(d, user, now, reasons, action):
    issue_document(d, DocumentKind.REFUSAL, unit=d.current_unit, user=user, now=now, data={"reasons": reasons, "action": str(action)})


@transaction.atomic
def refuse_reception(dossier, user, *, reasons, now=None) -> Dossier:
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03), with reasons."""
    now = _now(now)
    reasons = _require(reasons, _("Give the reasons for the refusal."))
    d, prev = _begin(dossier, Action.REFUSE_RECEPTION, user, now)
    d.reasons = reasons
    d.finished_at = now
    _refusal(d, user, now, reasons, Action.REFUSE_RECEPTION)
    ev = _finish(d, Action.REFUSE_RECEPTION, user, now, prev, note=reasons)
    _notify_refused(d, ev, reasons)
    return d


def _notify_refused(d, ev, reasons):
    sms = _("Dossier %(code)s was refused: %(reasons)s") % {"code": d.code, "reasons": reasons[:200]}
    _notify(d, "refused", ev.pk, sms, _("Dossier %(code)s refused") % {"code": d.code})


def _has_handlers(unit_ids) -> set[int]:
    """Of ``unit_ids``, the units with an active official who can take the dossier there
    (a head to assign it, or a specialist)."""
    from xaso.core.models import Membership, Role

    return set(
        Membership.objects.filter(unit_id__in=unit_ids, role__in=[Role.UNIT_HEAD, Role.SPECIALIST], is_active=True, user__is_active=True)
        .values_list("unit_id", flat=True)
    )


def transfer_targets(dossier) -> list[Unit]:
    """The units ``dossier`` may be transferred to (NĐ 118/2025 Điều 18: to the competent
    unit): the competent unit set at intake (the procedure's department in the competent
    commune, found by ``catalog.services.find_department_unit``: the only way a dossier
    leaves its receiving commune, when the procedure is done regardless of administrative
    boundary), and the units of the receiving unit's commune that the procedure version's
    process names (``catalog.services.resolve_unit``); each active and with an official to
    handle it. Inter-agency work (liên thông) goes through ``send_interagency``, not here."""
    ids = {dossier.competent_unit_id} if dossier.competent_unit_id else set()
    receiving = dossier.receiving_unit
    commune = receiving.local_government or receiving
    version = dossier.procedure_version if dossier.procedure_version_id else None
    if version is not None:
        from xaso.catalog.services import find_department_unit, resolve_unit

        named = [find_department_unit(version.department(), commune)] + [resolve_unit(step, commune) for step in version.steps.all()]
        ids |= {u.pk for u in named if u is not None and u.pk != receiving.pk and (u.local_government or u) == commune}
    units = Unit.objects.filter(pk__in=ids, is_active=True)
    staffed = _has_handlers(ids)
    return [u for u in units.order_by("name") if u.pk in staffed]


@transaction.atomic
def transfer(dossier, user, *, to_unit: Unit | None = None, note="", now=None) -> Dossier:
    """B2: transfer to the competent unit (NĐ 118/2025 Điều 18), or another unit among
    ``transfer_targets``."""
    now = _now(now)
    d, prev = _begin(dossier, Action.TRANSFER, user, now)
    allowed = {u.pk for u in transfer_targets(d)}
    target = to_unit if to_unit is not None else d.competent_unit
    if target is None or target.pk not in allowed:
        raise DossierError(
            _("The dossier cannot be transferred to “%(unit)s”: only to the competent unit of its procedure, or a unit of the commune its process names, with officials to handle it.")
            % {"unit": target.name if target is not None else "—"}
        )
    if to_unit is not None:
        d.competent_unit = to_unit
    d.current_unit = d.competent_unit
    d.assignee = None
    # The head of the competent unit assigns: the process gives that no share of its own.
    _open_step(d, name=_("Assignment at the competent unit"), unit=d.current_unit, given_by=user, now=now)
    _finish(d, Action.TRANSFER, user, now, prev, note=note, data={"to_unit": d.current_unit.name})
    return d


@transaction.atomic
def assign(dossier, user, *, specialist, note="", now=None) -> Dossier:
    now = _now(now)
    d, prev = _begin(dossier, Action.ASSIGN, user, now)
    if specialist is None or d.current_unit_id not in scope_ids(specialist, "specialist") and d.current_unit_id not in scope_ids(specialist, "unit_head"):
        raise DossierError(_("The official chosen does not work in “%(unit)s”.") % {"unit": d.current_unit.name})
    d.assignee = specialist
    _open_process_step(d, "specialist", _("Appraisal"), unit=d.current_unit, assignee=specialist, given_by=user, now=now)
    _finish(d, Action.ASSIGN, user, now, prev, note=note, data={"assignee": specialist.display_name})
    return d


def _leader_unit(d):
    """Where the leader's step is held: the People's Committee of the competent commune."""
    return d.competent_unit.local_government or d.current_unit


@transaction.atomic
def submit_for_review(dossier, user, *, note="", now=None) -> Dossier:
    """The specialist submits the appraised dossier to the head of the competent unit, when
    the procedure's internal process has the head's review step ("Trưởng phòng xem xét")."""
    now = _now(now)
    d, prev = _begin(dossier, Action.SUBMIT_FOR_REVIEW, user, now)
    _open_process_step(d, "unit_head", _("Review by the head of department"), unit=d.current_unit, given_by=user, now=now)
    _finish(d, Action.SUBMIT_FOR_REVIEW, user, now, prev, note=note)
    return d


@transaction.atomic
def forward_for_approval(dossier, user, *, note="", now=None) -> Dossier:
    """The head of the competent unit, having reviewed the dossier, submits it to the leader."""
    now = _now(now)
    d, prev = _begin(dossier, Action.FORWARD_FOR_APPROVAL, user, now)
    _open_process_step(d, "leader", _("Approval and signature"), unit=_leader_unit(d), given_by=user, now=now)
    _finish(d, Action.FORWARD_FOR_APPROVAL, user, now, prev, note=note)
    return d


@transaction.atomic
def submit_for_approval(dossier, user, *, note="", now=None) -> Dossier:
    """Straight to the leader, for a process without the head's review step."""
    now = _now(now)
    d, prev = _begin(dossier, Action.SUBMIT_FOR_APPROVAL, user, now)
    _open_process_step(d, "leader", _("Approval and signature"), unit=_leader_unit(d), given_by=user, now=now)
    _finish(d, Action.SUBMIT_FOR_APPROVAL, user, now, prev, note=note)
    return d


@transaction.atomic
def send_back(dossier, user, *, note, now=None) -> Dossier:
    now = _now(now)
    note = _require(note, _("Say what must be reworked."))
    d, prev = _begin(dossier, Action.SEND_BACK, user, now)
    _open_step(d, name=_("Rework"), unit=d.current_unit, assignee=d.assignee, given_by=user, now=now)
    _finish(d, Action.SEND_BACK, user, now, prev, note=note)
    return d


@transaction.atomic
def approve(dossier, user, *, note="", now=None) -> Dossier:
    now = _now(now)
    d, prev = _begin(dossier, Action.APPROVE, user, now)
    _open_step(d, name=_("Issuing the result"), unit=d.current_unit, assignee=d.assignee, given_by=user, now=now)
    _finish(d, Action.APPROVE, user, now, prev, note=note)
    return d


@transaction.atomic
def refuse(dossier, user, *, reasons, legal_basis, now=None) -> Dossier:
    """The competent authority refuses to resolve the request after processing: a written
    answer signed by the competent person (the leader who decides), with the reasons and the
    legal basis (``DocumentKind.DENIAL``, issued by the authority the leader acts for — not
    the reception desk's refusal to receive)."""
    now = _now(now)
    reasons = _require(reasons, _("Give the reasons for the refusal."))
    legal_basis = _require(legal_basis, _("Give the legal basis of the refusal (the provisions the request does not meet)."))
    d, prev = _begin(dossier, Action.REFUSE, user, now)
    d.reasons = reasons
    d.finished_at = now
    _close_open_steps(d, now)
    issue_document(
        d, DocumentKind.DENIAL, unit=d._acting_unit or _leader_unit(d), user=user, now=now,
        data={"reasons": reasons, "legal_basis": legal_basis},
    )
    ev = _finish(d, Action.REFUSE, user, now, prev, note=reasons, data={"legal_basis": legal_basis})
    _notify_refused(d, ev, reasons)
    return d


@transaction.atomic
def send_interagency(dossier, user, *, agency: str = "", unit: Unit | None = None, note="", now=None) -> Dossier:
    now = _now(now)
    if not (agency or unit):
        raise DossierError(_("Choose the unit or agency the dossier is sent to."))
    d, prev = _begin(dossier, Action.SEND_INTERAGENCY, user, now)
    _name, share = process_step(d, "interagency")
    name = agency or unit.name
    _open_step(d, name=_("Inter-agency: %(agency)s") % {"agency": name}, unit=unit, external=agency, given_by=user, now=now, share=share, interagency=True)
    _finish(d, Action.SEND_INTERAGENCY, user, now, prev, note=note, data={"agency": name})
    return d


@transaction.atomic
def interagency_back(dossier, user, *, note="", now=None) -> Dossier:
    now = _now(now)
    d, prev = _begin(dossier, Action.INTERAGENCY_BACK, user, now)
    _open_step(d, name=_("Appraisal"), unit=d.current_unit, assignee=d.assignee, given_by=None, now=now)
    _finish(d, Action.INTERAGENCY_BACK, user, now, prev, note=note)
    return d


@transaction.atomic
def request_supplement(dossier, user, *, items, reason, now=None) -> Dossier:
    """Supplement during processing: the clock pauses (a ``Pause`` row) until the
    supplement arrives; at most ``max_supplements`` requests (vn-rules 1.5)."""
    now = _now(now)
    items = _clean_items(items)
    reason = _require(reason, _("Give the reason."))
    d, prev = _begin(dossier, Action.REQUEST_SUPPLEMENT, user, now)
    if d.supplement_count >= d.max_supplements:
        raise DossierError(
            _("This procedure allows %(n)d supplement request(s); it has been used already.") % {"n": d.max_supplements}
        )
    d.supplement_count += 1
    Pause.objects.create(dossier=d, started_at=now, restart_clock=d.supplement_restarts_clock, reason=reason, items=items, requested_by=user)
    _close_open_steps(d, now)
    _supplement_doc(d, user, now, items, reason)
    # The Decision 766 on-time formula counts a dossier with more than one supplement
    # request as overdue: flagged in the event data.
    ev = _finish(d, Action.REQUEST_SUPPLEMENT, user, now, prev, note=reason, data={"items": items, "round": d.supplement_count, "counts_as_late": d.supplement_count > 1})
    _notify_supplement(d, ev, items)
    return d


@transaction.atomic
def supplement_received(dossier, user, *, components: list[ComponentIn] = (), note="", now=None) -> Dossier:
    now = _now(now)
    d, prev = _begin(dossier, Action.SUPPLEMENT_RECEIVED, user, now)
    pause = d.pauses.filter(ended_at__isnull=True).order_by("-started_at").first()
    if pause is None:  # pragma: no cover - the state guarantees an open pause
        raise DossierError(_("No supplement request is open."))
    if now < pause.started_at:
        raise DossierError(_("The supplement cannot arrive before it was requested."))
    _save_components(d, components, round_=d.supplement_count)
    pause.ended_at = now
    pause.save(update_fields=["ended_at"])
    # Sent online by the applicant: no official handed the dossier on.
    given_by = user if getattr(user, "is_official", False) else None
    _open_step(d, name=_("Appraisal"), unit=d.current_unit, assignee=d.assignee, given_by=given_by, now=now)
    _finish(d, Action.SUPPLEMENT_RECEIVED, user, now, prev, note=note)
    return d


@transaction.atomic
def result_ready(dossier, user, *, result_number="", result_file=None, summary="", now=None) -> Dossier:
    """B4: the result, digitised, goes back to the one-stop desk (processing ends here:
    NgayKetThucXuLy)."""
    now = _now(now)
    d, prev = _begin(dossier, Action.RESULT_READY, user, now)
    if d.has_written_result:
        if result_file is None:
            raise DossierError(_("Attach the electronic result (the signed, digitised document)."))
        result_number = _require(result_number, _("Give the number of the result document."))
    if result_file is not None:
        _ctype, size = validate_upload(result_file, _("electronic result"))
        check_file_quota(d, [size])
        d.result_file.save(result_file.name.rsplit("/", 1)[-1], result_file, save=False)
    d.result_number = result_number
    d.result_code = result_number
    d.result_summary = summary
    d.finished_at = now
    d.current_unit = d.receiving_unit
    _open_process_step(d, "reception_out", _("Returning the result"), unit=d.receiving_unit, given_by=user, now=now)
    ev = _finish(d, Action.RESULT_READY, user, now, prev)
    if d.result_file:
        result_stored.send(sender=Dossier, dossier=d)
    sms = _("The result of dossier %(code)s is ready (%(where)s).") % {"code": d.code, "where": d.get_delivery_display()}
    _notify(d, "result_ready", ev.pk, sms, _("Dossier %(code)s: result ready") % {"code": d.code})
    return d


@transaction.atomic
def return_result(dossier, user, *, delivery: str | None = None, note="", now=None) -> Dossier:
    now = _now(now)
    d, prev = _begin(dossier, Action.RETURN_RESULT, user, now)
    if delivery:
        if delivery not in Delivery.values:
            raise DossierError(_("Unknown delivery method."))
        d.delivery = delivery
    d.returned_at = now
    _close_open_steps(d, now)
    _finish(d, Action.RETURN_RESULT, user, now, prev, note=note, data={"delivery": d.delivery})
    return d


@transaction.atomic
def stop(dossier, user, *, reasons, now=None) -> Dossier:
    """Thông báo dừng giải quyết hồ sơ at the applicant's request (NĐ 118/2025 Điều 21)."""
    now = _now(now)
    reasons = _require(reasons, _("Give the applicant's reason for stopping."))
    d, prev = _begin(dossier, Action.STOP, user, now)
    d.reasons = reasons
    d.finished_at = now
    d.pauses.filter(ended_at__isnull=True).update(ended_at=now)
    _close_open_steps(d, now)
    # Asked online by the applicant (NĐ 118/2025 Điều 21 k2): the notice is issued by the
    # system in the receiving unit's name, with no officer as signer.
    issuer = user if getattr(user, "is_official", False) else None
    issue_document(d, DocumentKind.STOP, unit=d.receiving_unit, user=issuer, now=now, data={"reasons": reasons, "online": issuer is None})
    ev = _finish(d, Action.STOP, user, now, prev, note=reasons)
    sms = _("Handling of dossier %(code)s was stopped at your request.") % {"code": d.code}
    _notify(d, "stopped", ev.pk, sms, _("Dossier %(code)s stopped") % {"code": d.code})
    return d


@transaction.atomic
def apologise(dossier, user, *, reason, new_due_at, official=None, now=None) -> Apology:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả, signed by the head of the unit at fault;
    the new date may be set once (vn-rules 1.6). Issued late (less than one working day
    before the due date) is allowed but recorded."""
    now = _now(now)
    reason = _require(reason, _("Give the reason for the delay."))
    d, prev = _begin(dossier, Action.APOLOGISE, user, now)
    if Apology.objects.filter(dossier=d).exists():
        raise DossierError(_("An apology with a new date has already been issued for this dossier; the date can be set only once."))
    if new_due_at is None or new_due_at <= now:
        raise DossierError(_("The new appointment must be in the future."))
    if d.due_at and new_due_at <= d.due_at:
        raise DossierError(_("The new appointment must be later than the current one (%(due)s).") % {"due": _fmt(d.due_at)})
    cal = get_calendar()
    if not cal.is_working_day(local(new_due_at).date()):
        raise DossierError(_("The new appointment must be on a working day."))
    due = d.due_at
    # In time = at the latest one working day before the due date (vn-rules 1.6).
    in_time = bool(due) and cal.at_least_working_days_before(now, due, 1)
    apology = Apology.objects.create(
        dossier=d,
        unit=d.current_unit,
        official=official or d.assignee,
        signed_by=user,
        reason=reason,
        previous_due_at=due or now,
        new_due_at=new_due_at,
        issued_at=now,
        in_time=in_time,
    )
    issue_document(
        d,
        DocumentKind.APOLOGY,
        unit=d.current_unit,
        user=user,
        now=now,
        data={"reason": reason, "previous_due_at": (due or now).isoformat(), "new_due_at": new_due_at.isoformat()},
    )
    ev = _finish(d, Action.APOLOGISE, user, now, prev, note=reason, data={"new_due_at": new_due_at.isoformat(), "in_time": in_time})
    sms = _("We apologise: dossier %(code)s will be late. New appointment: %(due)s. Reason: %(reason)s") % {
        "code": d.code,
        "due": _fmt(new_due_at),
        "reason": reason[:120],
    }
    _notify(d, "apology", ev.pk, sms, _("Dossier %(code)s: apology and new appointment") % {"code": d.code})
    return apology


ACTIONS = {
    Action.RECEIVE: receive,
    Action.RECEPTION_SUPPLEMENT: reception_supplement,
    Action.RESUBMIT: resubmit,
    Action.REFUSE_RECEPTION: refuse_reception,
    Action.TRANSFER: transfer,
    Action.ASSIGN: assign,
    Action.SUBMIT_FOR_REVIEW: submit_for_review,
    Action.FORWARD_FOR_APPROVAL: forward_for_approval,
    Action.SUBMIT_FOR_APPROVAL: submit_for_approval,
    Action.SEND_BACK: send_back,
    Action.APPROVE: approve,
    Action.REFUSE: refuse,
    Action.SEND_INTERAGENCY: send_interagency,
    Action.INTERAGENCY_BACK: interagency_back,
    Action.REQUEST_SUPPLEMENT: request_supplement,
    Action.SUPPLEMENT_RECEIVED: supplement_received,
    Action.RESULT_READY: result_ready,
    Action.RETURN_RESULT: return_result,
    Action.STOP: stop,
    Action.APOLOGISE: apologise,
}


def perform(action, dossier, user, data: dict | None = None, *, now=None):
    """Run ``action`` with the values of its form or API body (one entry point for the
    pages and the API)."""
    data = data or {}
    a = Action(action)
    note = data.get("note", "") or ""
    if a in (Action.RECEIVE,):
        return receive(dossier, user, fee_quantities=data.get("fee_quantities") or None, now=now)
    if a in (Action.RECEPTION_SUPPLEMENT, Action.REQUEST_SUPPLEMENT):
        fn = reception_supplement if a == Action.RECEPTION_SUPPLEMENT else request_supplement
        return fn(dossier, user, items=data.get("items") or [], reason=data.get("reason", ""), now=now)
    if a == Action.RESUBMIT:
        return resubmit(dossier, user, components=data.get("components") or [], now=now)
    if a == Action.REFUSE:
        return refuse(dossier, user, reasons=data.get("reasons", ""), legal_basis=data.get("legal_basis", ""), now=now)
    if a in (Action.REFUSE_RECEPTION, Action.STOP):
        fn = {Action.REFUSE_RECEPTION: refuse_reception, Action.STOP: stop}[a]
        return fn(dossier, user, reasons=data.get("reasons", ""), now=now)
    if a == Action.TRANSFER:
        return transfer(dossier, user, to_unit=data.get("to_unit"), note=note, now=now)
    if a == Action.ASSIGN:
        return assign(dossier, user, specialist=data.get("specialist"), note=note, now=now)
    if a == Action.SUBMIT_FOR_REVIEW:
        return submit_for_review(dossier, user, note=note, now=now)
    if a == Action.FORWARD_FOR_APPROVAL:
        return forward_for_approval(dossier, user, note=note, now=now)
    if a == Action.SUBMIT_FOR_APPROVAL:
        return submit_for_approval(dossier, user, note=note, now=now)
    if a == Action.SEND_BACK:
        return send_back(dossier, user, note=note, now=now)
    if a == Action.APPROVE:
        return approve(dossier, user, note=note, now=now)
    if a == Action.SEND_INTERAGENCY:
        return send_interagency(dossier, user, agency=data.get("agency", ""), note=note, now=now)
    if a == Action.INTERAGENCY_BACK:
        return interagency_back(dossier, user, note=note, now=now)
    if a == Action.SUPPLEMENT_RECEIVED:
        comps = list(data.get("components") or [])
        if data.get("file") is not None:
            comps.append(ComponentIn(name=data.get("name") or _("Supplement"), file=data["file"], digitised=True))
        return supplement_received(dossier, user, components=comps, note=note, now=now)
    if a == Action.RESULT_READY:
        return result_ready(
            dossier, user, result_number=data.get("result_number", ""), result_file=data.get("result_file"), summary=data.get("summary", ""), now=now
        )
    if a == Action.RETURN_RESULT:
        return return_result(dossier, user, delivery=data.get("delivery"), note=note, now=now)
    if a == Action.APOLOGISE:
        return apologise(dossier, user, reason=data.get("reason", ""), new_due_at=data.get("new_due_at"), official=data.get("official"), now=now)
    raise DossierError(_("Unknown action."))  # pragma: no cover


# --------------------------------------------------------------------------- fees and charges

# No fee is collected for a dossier refused or stopped (vn-rules 10).
NO_FEE_STATUSES = frozenset({Status.RECEPTION_REFUSED, Status.REFUSED, Status.STOPPED})


def vnd(amount) -> str:
    return f"{int(amount):,}".replace(",", ".") + " đ"


# Pricing the fee lines at receipt. The catalogue's lines (``catalog.Fee``) are fixed
# amounts, amounts per unit ("2000/trang": per page, per copy, per case…), amounts set by
# the provincial People's Council (possibly not set yet), free, or not determined. The
# dossier keeps each line with its quantity and amount (``Dossier.fee_lines``):
# - fixed (and council lines with an amount): the amount;
# - per unit: the unit price × the quantity the officer gives at intake or at the reception
#   check (the online applicant may state it); 1 when not given (the catalogue has no
#   better default); 0 is allowed (a tier not used, an exempt applicant);
# - free: 0;
# - council lines without an amount, undetermined lines (and a per-unit line without a
#   price): amount None, shown "chưa xác định", never counted as 0.
# A line whose catalogue gives a different online price (``Fee.online_amount``; fee policy
# lowers some fees for online submissions, e.g. permanent residence registration, TT
# 75/2022/TT-BTC as amended by TT 71/2025/TT-BTC) is priced at it for an online dossier
# (channel 2), at the counter price otherwise; ``unit_price`` is the price applied and the
# line also keeps both (``counter_unit_price``, ``online_unit_price``).
# ``fee_amount`` = the sum of the known amounts: what the desk can collect now.
# Only the catalogue's unit price is applied: tiers or caps written only in the fee note
# ("từ trang thứ 3 trở lên 1.000 đồng/trang; tối đa 200.000 đồng/bản") must be entered in
# the catalogue as lines of their own to be priced.
MAX_FEE_QUANTITY = 10_000  # a sanity bound on one line's quantity (pages, copies, cases)


def catalogue_fee_lines(fees) -> list[dict]:
    """The catalogue's fee lines (``catalog.Fee`` rows, in order) as the dossier copies them,
    not yet priced: [{"line", "kind", "name", "unit_price", "unit", "online_unit_price"}];
    ``unit_price`` is the counter price, ``online_unit_price`` the online one when the
    catalogue gives a different one (else None)."""
    from xaso.catalog.models import Fee

    lines = []
    for n, f in enumerate(fees, start=1):
        online = None
        if f.kind == Fee.Kind.FREE:
            price = 0
        elif f.kind == Fee.Kind.UNKNOWN:
            price = None
        else:
            price = f.amount
            if price is not None and f.online_amount is not None and f.online_amount != price:
                online = f.online_amount
        lines.append({"line": n, "kind": f.kind, "name": f.description, "unit_price": price,
                      "unit": f.unit if f.kind == Fee.Kind.PER_UNIT else "", "online_unit_price": online})
    return lines


def fee_line_label(line: dict) -> str:
    """How a fee line is named in messages and on pages: its description, else its price
    ("2.000 đ/trang"), else its kind."""
    from xaso.catalog.models import Fee

    if line.get("name"):
        return line["name"]
    if line.get("kind") == "per_unit" and line.get("unit_price") is not None:
        return f"{vnd(line['unit_price'])}/{line.get('unit') or _('unit')}"
    try:
        return str(Fee.Kind(line.get("kind")).label)
    except ValueError:
        return str(line.get("kind") or "")


def fee_quantity(value, line: dict) -> int:
    """A quantity given for a fee line priced per unit: a whole number from 0 to
    ``MAX_FEE_QUANTITY``, else a ``DossierError`` naming the line."""
    label = fee_line_label(line)
    number = None
    if not isinstance(value, bool):
        try:
            number = Decimal(str(value).strip())
        except Exception:
            number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise DossierError(_("The quantity for the fee “%(fee)s” must be a whole number (got “%(value)s”).") % {"fee": label, "value": value})
    if number < 0:
        raise DossierError(_("The quantity for the fee “%(fee)s” cannot be negative.") % {"fee": label})
    if number > MAX_FEE_QUANTITY:
        raise DossierError(_("The quantity for the fee “%(fee)s” is too large (at most %(max)s).") % {"fee": label, "max": f"{MAX_FEE_QUANTITY:,}".replace(",", ".")})
    return int(number)


def fee_quantities_from_list(items) -> dict[int, object]:
    """``[{"line": n, "quantity": q}, …]`` (the API's form) as ``{n: q}``; a line given
    twice is refused."""
    out: dict[int, object] = {}
    for item in items or []:
        n = item["line"]
        if n in out:
            raise DossierError(_("The quantity of fee line %(line)s is given twice.") % {"line": n})
        out[n] = item["quantity"]
    return out


def line_price(line: dict, channel=None):
    """The unit price of a fee line (unpriced or a dossier's) for a dossier of ``channel``:
    the online price for an online dossier when the catalogue gives one, else the counter
    price."""
    counter = line.get("counter_unit_price", line.get("unit_price"))
    online = line.get("online_unit_price")
    if channel == Channel.ONLINE and online is not None:
        return online
    return counter


def price_fee_lines(lines: list[dict], quantities=None, channel=None) -> tuple[list[dict], int]:
    """Each line with its price, quantity and amount, and the dossier's ``fee_amount`` (the
    sum of the known amounts). ``lines``: unpriced (``catalogue_fee_lines``) or already
    priced (a dossier's, whose quantities are kept unless given again). ``quantities``:
    {line number: quantity}, only for lines priced per unit. ``channel``: the dossier's
    (``Channel``); an online dossier takes the online price of a line that has one.
    Refuses, naming the line, a quantity for an unknown line or a line not priced per unit,
    and a bad quantity."""
    quantities = dict(quantities or {})
    by_number = {line["line"]: line for line in lines}
    for n in quantities:
        line = by_number.get(n) if isinstance(n, int) and not isinstance(n, bool) else None
        if line is None:
            raise DossierError(_("The procedure has no fee line %(line)s.") % {"line": n})
        if line["kind"] != "per_unit":
            raise DossierError(_("The fee “%(fee)s” (line %(line)s) is not priced per unit: it takes no quantity.") % {"fee": fee_line_label(line), "line": n})
    priced, total = [], 0
    for line in lines:
        row = {k: line.get(k) for k in ("line", "kind", "name", "unit_price", "unit")}
        price = row["unit_price"] = line_price(line, channel)
        if line.get("online_unit_price") is not None:
            row["counter_unit_price"] = line.get("counter_unit_price", line.get("unit_price"))
            row["online_unit_price"] = line["online_unit_price"]
        if line["kind"] == "per_unit":
            q = fee_quantity(quantities[line["line"]], line) if line["line"] in quantities else line.get("quantity", 1)
            row["quantity"] = q
            row["amount"] = price * q if price is not None else None
        else:
            row["quantity"] = None
            row["amount"] = price
        if row["amount"] is not None:
            total += row["amount"]
        priced.append(row)
    return priced, total


def terms_fees(terms: ProcedureTerms, quantities=None, channel=None) -> tuple[list[dict], int]:
    """(fee lines, fee_amount) of a new dossier of ``channel``. Terms without fee lines
    (built by hand) give their ``fee`` and take no quantity."""
    if terms.fee_lines:
        return price_fee_lines(terms.fee_lines, quantities, channel)
    if quantities:
        raise DossierError(_("The procedure has no fee priced per unit."))
    return [], terms.fee or 0


def has_per_unit_fee(lines) -> bool:
    return any(line.get("kind") == "per_unit" for line in lines or [])


def _reprice(d, quantities) -> dict:
    """Give new quantities to a locked dossier's per-unit fee lines (at the reception check):
    the fees may not fall below what is already paid; ``fee_paid`` follows."""
    if not has_per_unit_fee(d.fee_lines):
        raise DossierError(_("The procedure has no fee priced per unit."))
    before = d.fee_amount
    lines, amount = price_fee_lines(d.fee_lines, quantities, d.channel)
    paid = fee_paid_total(d)
    if amount < paid:
        raise DossierError(
            _("The fees would be %(amount)s, less than what is already paid (%(paid)s).") % {"amount": vnd(amount), "paid": vnd(paid)}
        )
    d.fee_lines, d.fee_amount = lines, amount
    d.fee_paid = paid > 0 and paid >= amount
    return {"fee_amount": [before, amount], "fee_quantities": {str(line["line"]): line["quantity"] for line in lines if line["kind"] == "per_unit"}}


def fee_paid_total(dossier) -> int:
    from django.db.models import Sum

    from .models import FeePayment

    return FeePayment.objects.filter(dossier_id=dossier.pk).aggregate(s=Sum("amount"))["s"] or 0


def fee_payment_refusal(dossier, user, method) -> tuple[str, str] | None:
    """Why ``user`` may not record a payment by ``method`` on ``dossier`` now, as
    ``(kind, message)`` with kind ``"input"``, ``"role"`` or ``"state"``; ``None`` if allowed.

    Counter methods (cash, bank transfer): a reception officer of the receiving unit (the
    one-stop desk collects fees, NĐ 118/2025 Điều 8). Online methods (national portal, local
    gateway): only the payment platform's callback, a system actor (``user=None``); a person
    cannot record an online payment by hand, it would count in the 766 online-payment rate."""
    from .models import ONLINE_PAYMENT_METHODS, PaymentMethod

    if method not in PaymentMethod.values:
        return "input", _("Unknown payment method.")
    if method in ONLINE_PAYMENT_METHODS:
        if user is not None:
            return "role", _("Online payments are recorded by the payment platform, not by hand.")
    elif user is None or not getattr(user, "is_authenticated", False):
        return "role", _("You must be logged in.")
    elif not _roles_in_scope(user, dossier.receiving_unit_id, "reception"):
        return "role", _("Only a reception officer of “%(unit)s” records fees paid at the counter.") % {"unit": dossier.receiving_unit.name}
    if Status(dossier.status) in NO_FEE_STATUSES:
        return "state", _("No fee is collected for a dossier that is “%(status)s”.") % {"status": dossier.get_status_display()}
    return None


def _payment_amount(amount) -> int:
    try:
        value = Decimal(str(amount))
    except Exception:
        value = None
    if value is None or not value.is_finite() or value != value.to_integral_value():
        raise DossierError(_("The amount must be a whole number of đồng."))
    if value <= 0:
        raise DossierError(_("The amount must be more than 0 đ."))
    return int(value)


@transaction.atomic
def record_fee_payment(dossier, user, *, amount, method, reference="", now=None):
    """Record a payment of the dossier's fees and charges; ``fee_paid`` once the payments
    reach ``fee_amount``, ``paid_online`` (DuocThanhToanTrucTuyen) by an online method.

    Idempotent: a payment with the same ``reference`` (receipt number, bank or gateway
    transaction) is recorded once and returned again (a replayed callback, a double click);
    without a reference, an unreferenced payment of the same amount and method is the same
    payment (to record a second instalment of the same amount, give its receipt number).
    Bad input, a closed dossier, no fees or more than what is still due are refused with a
    message and change nothing. Writes the history event (timeline), the audit record and
    the national-portal sync job; the dossier row is locked."""
    from .models import ONLINE_PAYMENT_METHODS, FeePayment

    now = _now(now)
    reference = (reference or "").strip()
    if len(reference) > 64:
        raise DossierError(_("The receipt number or transaction reference is at most 64 characters."))
    amount = _payment_amount(amount)
    d = _lock(dossier)
    refusal = fee_payment_refusal(d, user, method)
    if refusal and refusal[0] != "state":
        raise DossierError(refusal[1])
    same = FeePayment.objects.filter(dossier=d, reference=reference)
    existing = (same if reference else same.filter(method=method, amount=amount)).first()
    if existing is not None:
        if (existing.amount, existing.method) != (amount, method):
            raise DossierError(
                _("The reference “%(ref)s” is already recorded for another payment of this dossier (%(amount)s, %(method)s).")
                % {"ref": reference, "amount": vnd(existing.amount), "method": existing.get_method_display()}
            )
        return existing
    if refusal:
        raise DossierError(refusal[1])
    if d.fee_amount <= 0:
        if d.fee_undetermined:
            raise DossierError(_("The amount of this dossier's fees is not determined in the catalogue (“not determined”); it cannot be collected yet."))
        raise DossierError(_("The procedure of this dossier has no fees or charges to pay."))
    paid = fee_paid_total(d)
    due = d.fee_amount - paid
    if due <= 0:
        raise DossierError(_("The fees of this dossier are already paid in full (%(paid)s).") % {"paid": vnd(paid)})
    if amount > due:
        raise DossierError(_("The amount (%(amount)s) is more than what is still due (%(due)s).") % {"amount": vnd(amount), "due": vnd(due)})
    payment = FeePayment.objects.create(
        dossier=d, amount=amount, method=method, reference=reference, paid_at=now, recorded_by=user if getattr(user, "pk", None) else None
    )
    d.fee_paid = paid + amount >= d.fee_amount
    if method in ONLINE_PAYMENT_METHODS:
        d.paid_online = ONLINE_PAYMENT_METHODS[method]
    d.save(update_fields=["fee_paid", "paid_online", "updated_at"])
    data = {
        "amount": amount,
        "method": method,
        "reference": reference,
        "paid_total": paid + amount,
        "fee_amount": d.fee_amount,
        "fee_paid": d.fee_paid,
        "paid_online": d.paid_online,
    }
    note = f"{vnd(amount)} · {payment.get_method_display()}" + (f" · {reference}" if reference else "")
    unit = acting_unit(user, "reception", d.receiving_unit_id) if user is not None else d.receiving_unit
    _event(d, "fee_payment", user=user, now=now, from_status=d.status, note=note, data=data, unit=unit)
    for hook in extensions.after_fee_payment:  # e.g. the electronic receipt (payments)
        hook(payment)
    return payment


def log_event(dossier, action, *, user=None, note="", data=None, unit=None, now=None):
    """Write a history event for something another app did to the dossier (a payment
    requested, fees exempted, a rating): the timeline, the audit record and the
    national-portal sync job, in the caller's transaction. The status does not change."""
    return _event(dossier, action, user=user, now=_now(now), from_status=dossier.status, note=note, data=data, unit=unit or dossier.receiving_unit)


# --------------------------------------------------------------------------- tracking book


def tracking_book_per() -> str:
    """How the tracking books (Sổ theo dõi hồ sơ, BM.06) are kept: ``"field"`` (one book per
    receiving unit, field and year: the form says "kept per field or group of fields") or
    ``"unit"`` (one book per receiving unit and year). UNCONFIRMED which one a commune
    keeps: the setting ``XASO_TRACKING_BOOK_PER``, default ``"field"``."""
    per = getattr(settings, "XASO_TRACKING_BOOK_PER", "field")
    if per not in ("field", "unit"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f'XASO_TRACKING_BOOK_PER must be "field" or "unit", not {per!r}')
    return per


def field_abbreviation(name: str) -> str:
    """Initials of a field's name without diacritics: "Hộ tịch" → "HT"."""
    import unicodedata

    plain = unicodedata.normalize("NFD", (name or "").replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    words = "".join(ch if ch.isalnum() else " " for ch in plain).split()
    return "".join(w[0] for w in words).upper()[:10]


def book_volume_label(field_name: str, year: int) -> str:
    """The book's short label printed as "Quyển số": ``HT-2026`` for the field "Hộ tịch",
    ``STD-2026`` (Sổ theo dõi) when the books are kept per unit or the field is unknown."""
    abbr = field_abbreviation(field_name) if tracking_book_per() == "field" else ""
    return f"{abbr or 'STD'}-{year}"


def book_entry(unit: Unit | int, field_name: str, at) -> tuple[str, int]:
    """The receipt's entry in the tracking book: (volume label, number in the book). One
    upsert of the book's counter in the receipt transaction (``next_number``): gap-free and
    safe under concurrent receipts; a rollback gives the number back."""
    from .models import TrackingBookCounter

    year = local(at).year
    key = (field_name or "") if tracking_book_per() == "field" else ""
    seq = next_number(TrackingBookCounter, {"unit": unit, "year": year, "field": key})
    return book_volume_label(key, year), seq


# --------------------------------------------------------------------------- files of submitted components

# A reception officer of the receiving unit scans paper components while the dossier is at the
# desk (reception check, received and not yet transferred) or waits for a supplement; the
# applicant who owns an online dossier uploads while it waits for the reception check or for
# a supplement.
RECEPTION_FILE_STATUSES = frozenset({Status.SUBMITTED, Status.RECEPTION_SUPPLEMENT, Status.RECEIVED, Status.SUPPLEMENT})
APPLICANT_FILE_STATUSES = frozenset({Status.SUBMITTED, Status.RECEPTION_SUPPLEMENT, Status.SUPPLEMENT})


def attach_refusal(dossier, user) -> tuple[str, str] | None:
    """Why ``user`` may not attach a file to ``dossier`` now, as ``(kind, message)`` with kind
    ``"role"`` (wrong person) or ``"state"`` (wrong state); ``None`` if allowed."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "role", _("You must be logged in.")
    if _roles_in_scope(user, dossier.receiving_unit_id, "reception"):
        allowed = RECEPTION_FILE_STATUSES
    elif dossier.channel == Channel.ONLINE and dossier.applicant_account_id and dossier.applicant_account_id == user.pk:
        allowed = APPLICANT_FILE_STATUSES
    else:
        return "role", _("Only the reception desk that received the dossier, or the applicant who submitted it online, may attach files to it.")
    if Status(dossier.status) not in allowed:
        return "state", _("Files cannot be attached while the dossier is “%(status)s”.") % {"status": dossier.get_status_display()}
    return None


@transaction.atomic
def attach_file(dossier, user, *, file, component_id=None, name="", now=None) -> Component:
    """Attach a scanned or electronic file to a submitted component of the dossier (chosen by
    its id or its document name), checked like every upload (``validate_upload``: type,
    content, size); the component is marked digitised (TT 01/2023 Điều 8). A file already
    there is replaced (the audit record keeps both names). Writes the timeline event, the
    audit record and the national-portal sync job (the digitised flags are in its payload)."""
    now = _now(now)
    d = _lock(dossier)
    refusal = attach_refusal(d, user)
    if refusal:
        raise DossierError(refusal[1])
    if file is None:
        raise DossierError(_("Choose the file to attach."))
    comps = Component.objects.filter(dossier=d, submitted=True)
    if component_id:
        comp = comps.filter(pk=component_id).first()
    elif (name or "").strip():
        comp = comps.filter(name=name.strip()).order_by("-supplement_round", "-id").first()
    else:
        raise DossierError(_("Say which document the file belongs to (its id or its name)."))
    if comp is None:
        raise DossierError(_("This dossier has no submitted document “%(which)s”.") % {"which": component_id or name})
    ctype, size = validate_upload(file, comp.name)
    previous = comp.file.name if comp.file else ""
    check_file_quota(d, [size], freed=comp.size if previous else 0, replacing=bool(previous))
    comp.file.save(file.name.rsplit("/", 1)[-1], file, save=False)
    comp.content_type, comp.size, comp.digitised = ctype, size, True
    comp.save(update_fields=["file", "content_type", "size", "digitised"])
    if previous and previous != comp.file.name:
        # The replaced scan is deleted (the event and the audit record keep its name):
        # replacing a file again and again must not fill the storage.
        _delete_on_commit(comp.file.storage, previous)
    data = {"component": comp.pk, "name": comp.name, "file": comp.file.name, "size": size, "content_type": ctype, "replaced": previous}
    _event(d, "attach_file", user=user, now=now, from_status=d.status, note=comp.name, data=data, unit=None)
    return comp


# --------------------------------------------------------------------------- form templates

FORM_TEMPLATE_MAX_BYTES = 2 * 1024 * 1024


def check_form_template(fmt: str, data: bytes) -> None:
    """Refuse (DossierError, in Vietnamese) a template that could not be used: wrong format,
    too large, not UTF-8 (HTML), not a Word file, or a broken ``{{ … }}``/``{% … %}`` tag."""
    from django.template import TemplateSyntaxError, engines

    from .models import FormTemplate

    if len(data) > FORM_TEMPLATE_MAX_BYTES:
        raise DossierError(_("A form template is at most 2 MB."))
    if fmt == FormTemplate.Format.HTML:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise DossierError(_("The HTML template must be UTF-8 text.")) from None
        try:
            engines["django"].from_string(text)
        except TemplateSyntaxError as exc:
            raise DossierError(_("The template has an error in its tags: %(error)s") % {"error": exc}) from None
    elif fmt == FormTemplate.Format.DOCX:
        import zipfile

        from docxtpl import DocxTemplate
        from jinja2 import TemplateError

        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise DossierError(_("The Word template must be a .docx file."))
        from jinja2 import ChainableUndefined
        from jinja2.sandbox import SandboxedEnvironment

        try:
            tpl = DocxTemplate(io.BytesIO(data))
            tpl.get_undeclared_template_variables()
            # A trial render in the sandbox the forms are printed with: a template that
            # reaches for Python internals is refused now, not when a form is printed.
            tpl.render({}, jinja_env=SandboxedEnvironment(undefined=ChainableUndefined))
        except TemplateError as exc:
            raise DossierError(_("The template has an error in its tags: %(error)s") % {"error": exc}) from None
        except Exception:  # noqa: BLE001 - python-docx's errors for a zip that is not a document
            raise DossierError(_("The Word template must be a .docx file.")) from None
    else:
        raise DossierError(_("Choose PDF (HTML template) or Word (DOCX template)."))


def may_manage_form_templates(user, local_government) -> bool:
    """Superusers; otherwise an administrator of the commune (with the admin permission to
    add form templates) for that commune's own templates."""
    if getattr(user, "is_superuser", False):
        return True
    if not user.has_perm("dossiers.add_formtemplate") or local_government is None:
        return False  # a template for every commune: the province's superuser only
    return local_government.pk in scope_ids(user, "admin")


@transaction.atomic
def upload_form_template(user, *, kind, fmt, file, local_government=None, note="", now=None):
    """A new template in use for ``kind``/``fmt`` (and the commune, or every commune); the
    one it replaces is kept, no longer in use. Checked before anything is stored."""
    from .models import FormTemplate

    if kind not in DocumentKind.values:
        raise DossierError(_("Choose the form the template is for."))
    if not may_manage_form_templates(user, local_government):
        raise DossierError(_("Only an administrator of this commune may change its form templates."))
    data = file.read()
    check_form_template(fmt, data)
    file.seek(0)
    scope = FormTemplate.objects.select_for_update().filter(kind=kind, format=fmt, local_government=local_government, active=True)
    replaced = [t.pk for t in scope]
    FormTemplate.objects.filter(pk__in=replaced).update(active=False)
    tpl = FormTemplate(kind=kind, format=fmt, local_government=local_government, note=note, uploaded_by=user, uploaded_at=_now(now), active=True)
    tpl.file.save(f"{kind}.{fmt}", file, save=False)
    try:
        with transaction.atomic():
            tpl.save()
    except IntegrityError:  # another administrator's upload for the same form won the race
        tpl.file.delete(save=False)
        raise DossierError(_("Another version of this template was uploaded at the same moment. Reload the list and try again.")) from None
    audit.record(
        AuditRecord.Action.CREATE, tpl, verb="form_template.upload",
        changes={"kind": [None, kind], "format": [None, fmt], "replaced": [None, replaced]}, reason=note,
    )
    return tpl


@transaction.atomic
def set_form_template_in_use(user, tpl, in_use: bool):
    """Put an earlier version back in use (the current one is kept, no longer in use), or
    stop using a template (the next one in line applies: all communes', the folder's, the
    built-in one)."""
    from .models import FormTemplate

    tpl = FormTemplate.objects.select_for_update().get(pk=tpl.pk)
    if not may_manage_form_templates(user, tpl.local_government):
        raise DossierError(_("Only an administrator of this commune may change its form templates."))
    if tpl.active == in_use:
        return tpl
    if in_use:
        FormTemplate.objects.filter(kind=tpl.kind, format=tpl.format, local_government=tpl.local_government, active=True).update(active=False)
    tpl.active = in_use
    tpl.save(update_fields=["active"])
    audit.record(AuditRecord.Action.UPDATE, tpl, verb="form_template.in_use" if in_use else "form_template.not_in_use", changes={"active": [not in_use, in_use]})
    return tpl
