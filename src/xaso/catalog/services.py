"""Every change to the catalogue: one function per business action, atomic and audited.

Versioning rule: content is never edited in place once dossiers may refer to it. A change
creates a new ``ProcedureVersion`` (the previous one is closed at the new one's
``valid_from``) with its own copies of documents, fees and steps."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core import audit
from xaso.core.models import AuditRecord, Unit

from . import defaults
from .models import DepartmentType, Fee, Field, Procedure, ProcedureVersion, ProcessStep, RequiredDocument, online_amount_error
from .parsing import default_steps
from .text import normalise, slugify_vi

# Content keys stored on ProcedureVersion as they are.
SCALAR_FIELDS = (
    "name", "level", "authority", "legal_basis", "processing_amount", "processing_unit", "processing_note",
    "fee_note", "online_level", "channels_known", "channel_online", "channel_post", "channel_counter",
    "result", "green_lane", "supplement_mode", "supplement_max", "process_is_default", "needs_verification",
    "source_url", "fee_timing", "online_payment",
)
# Keys handled specially: field (name), competent_department (key), cutoff ("HH:MM").
SPECIAL_FIELDS = ("field", "competent_department", "cutoff")
LIST_FIELDS = ("documents", "fees", "steps")
CONTENT_KEYS = SCALAR_FIELDS + SPECIAL_FIELDS + LIST_FIELDS

DOCUMENT_KEYS = ("name", "requirement", "submission", "originals", "copies")
FEE_KEYS = ("kind", "amount", "unit", "description", "online_amount")
STEP_KEYS = ("name", "role", "share", "inter_agency", "agency_name")
_NULLABLE_FEE_KEYS = ("amount", "online_amount")


# --- reference data -----------------------------------------------------------------------

def ensure_department_types() -> dict[str, DepartmentType]:
    """Create the default department types if missing (never overwrites admin edits)."""
    types = {}
    for order, (key, name, kind, other_names) in enumerate(defaults.DEPARTMENT_TYPES):
        types[key], _created = DepartmentType.objects.get_or_create(
            key=key, defaults={"name": name, "unit_kind": kind, "other_names": "\n".join(other_names), "sort_order": order}
        )
    return types


def get_or_create_field(name: str) -> Field:
    """The field of that name; a new one gets its default department and green-lane flag
    from ``defaults`` (administrators edit them afterwards)."""
    name = " ".join(name.split())
    existing = Field.objects.filter(name=name).first()
    if existing:
        return existing
    plain = normalise(name)
    types = ensure_department_types()
    department_key = next((key for prefix, key in defaults.FIELD_DEPARTMENTS if plain.startswith(prefix)), None)
    slug, n = slugify_vi(name) or "linh-vuc", 2
    base = slug
    while Field.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    field = Field.objects.create(
        name=name,
        slug=slug,
        default_department=types.get(department_key) if department_key else None,
        green_lane_default=any(plain.startswith(prefix) for prefix in defaults.GREEN_LANE_FIELD_PREFIXES),
        sort_order=Field.objects.count(),
    )
    return field  # audited by audit.track(Field)


# --- content <-> version ------------------------------------------------------------------

def version_content(version: ProcedureVersion) -> dict:
    """The canonical content of a version (the same shape the file parser produces)."""
    content = {key: getattr(version, key) for key in SCALAR_FIELDS}
    content["field"] = version.field.name
    content["competent_department"] = version.competent_department.key if version.competent_department_id else ""
    content["cutoff"] = version.cutoff.strftime("%H:%M") if version.cutoff else ""
    content["documents"] = [{key: getattr(doc, key) for key in DOCUMENT_KEYS} for doc in version.documents.all()]
    content["fees"] = [{key: getattr(fee, key) for key in FEE_KEYS} for fee in version.fees.all()]
    content["steps"] = [{key: getattr(step, key) for key in STEP_KEYS} for step in version.steps.all()]
    return content


def default_content(field_name: str) -> dict:
    """Values a new procedure gets for everything the source file does not say."""
    field = Field.objects.filter(name=field_name).first()
    green = field.green_lane_default if field else any(
        normalise(field_name).startswith(prefix) for prefix in defaults.GREEN_LANE_FIELD_PREFIXES
    )
    return {
        "level": ProcedureVersion.Level.COMMUNE,  # the catalogue is the commune-level one
        "authority": "",
        "competent_department": "",
        "result": "",
        "green_lane": green,
        "supplement_mode": getattr(settings, "XASO_SUPPLEMENT_MODE", defaults.SUPPLEMENT_MODE),
        "supplement_max": getattr(settings, "XASO_SUPPLEMENT_MAX_REQUESTS", defaults.SUPPLEMENT_MAX_REQUESTS),
        "process_is_default": True,
        "steps": default_steps(field_name),
        "legal_basis": "", "processing_amount": None, "processing_unit": "unknown", "processing_note": "",
        "fee_note": "", "online_level": "unknown", "channels_known": False, "channel_online": False,
        "channel_post": False, "channel_counter": False, "needs_verification": False, "source_url": "",
        "fee_timing": "unknown", "online_payment": False, "cutoff": "", "documents": [], "fees": [{"kind": "unknown", "amount": None, "unit": "", "description": "", "online_amount": None}],
    }


def _canonical(content: dict) -> dict:
    out = {}
    for key in CONTENT_KEYS:
        value = content.get(key)
        if key in LIST_FIELDS:
            keys = {"documents": DOCUMENT_KEYS, "fees": FEE_KEYS, "steps": STEP_KEYS}[key]
            value = [{k: item.get(k) for k in keys} for item in (value or [])]
        out[key] = value
    return out


def differences(old: dict, new: dict) -> dict:
    """{key: [old, new]} for the content keys that differ."""
    old, new = _canonical(old), _canonical(new)
    return {key: [old[key], new[key]] for key in CONTENT_KEYS if old[key] != new[key]}


def _validate(content: dict) -> None:
    if not (content.get("name") or "").strip():
        raise ValidationError(_("The procedure name is required."))
    if not (content.get("field") or "").strip():
        raise ValidationError(_("The field is required."))
    steps = content.get("steps") or []
    if not steps:
        raise ValidationError(_("A procedure needs at least one internal step."))
    total = sum(int(step["share"]) for step in steps)
    if total != 100:
        raise ValidationError(_("The shares of the internal steps sum to %(total)s%%, not 100%%.") % {"total": total})
    if not content.get("fees"):
        raise ValidationError(_("A procedure needs at least one fee line (use “not determined” when unknown)."))
    for fee in content["fees"]:
        error = online_amount_error(fee.get("kind"), fee.get("amount"), fee.get("online_amount"))
        if error:
            raise ValidationError(error)


def _write_version(procedure, number, content, valid_from, actor, reason, files_from=None) -> ProcedureVersion:
    _validate(content)
    field = get_or_create_field(content["field"])
    department = None
    if content.get("competent_department"):
        department = DepartmentType.objects.filter(key=content["competent_department"]).first()
        if department is None:
            raise ValidationError(_("Unknown department type “%(key)s”.") % {"key": content["competent_department"]})
    cutoff = dt.datetime.strptime(content["cutoff"], "%H:%M").time() if content.get("cutoff") else None
    version = ProcedureVersion(
        procedure=procedure,
        number=number,
        valid_from=valid_from,
        created_by=actor if getattr(actor, "pk", None) else None,
        change_reason=reason,
        field=field,
        competent_department=department,
        cutoff=cutoff,
        **{key: content[key] for key in SCALAR_FIELDS},
    )
    version.full_clean(exclude=["procedure", "field", "created_by", "competent_department"], validate_constraints=False)
    version.save()
    old_files = {}
    if files_from is not None:
        old_files = {doc.name: doc.blank_form.name for doc in files_from.documents.all() if doc.blank_form}
    RequiredDocument.objects.bulk_create([
        RequiredDocument(
            version=version, order=i,
            blank_form=(doc["blank_form"] if "blank_form" in doc else old_files.get(doc["name"], "")) or "",
            **{k: doc.get(k) for k in DOCUMENT_KEYS},
        )
        for i, doc in enumerate(content.get("documents") or [])
    ])
    Fee.objects.bulk_create([
        Fee(version=version, order=i, **{k: fee.get(k) if fee.get(k) is not None or k in _NULLABLE_FEE_KEYS else "" for k in FEE_KEYS})
        for i, fee in enumerate(content["fees"])
    ])
    ProcessStep.objects.bulk_create([
        ProcessStep(version=version, order=i, **{k: step.get(k, "" if k == "agency_name" else False) for k in STEP_KEYS})
        for i, step in enumerate(content["steps"])
    ])
    return version


def refresh_procedure_cache(procedure: Procedure) -> None:
    """Copy the current version's name and field to the procedure, for listing and search."""
    version = procedure.current_version() or procedure.latest_version()
    if version is None:
        return
    procedure.name = version.name
    procedure.field = version.field
    # name first, so a query that starts the name ranks first (selectors.search_procedures)
    procedure.search_text = normalise(f"{version.name} | {procedure.code} | {version.field.name}")
    procedure.save(update_fields=["name", "field", "search_text"])


@transaction.atomic
def add_first_version(procedure, content, *, valid_from=None, actor=None, reason="") -> ProcedureVersion:
    """The first version of a procedure created without one (e.g. in the admin)."""
    if procedure.versions.exists():
        raise ValidationError(_("The procedure already has a version; publish a new version instead."))
    full = {**default_content(content.get("field", "")), **{k: v for k, v in content.items() if k in CONTENT_KEYS}}
    version = _write_version(procedure, 1, full, valid_from or timezone.now(), actor, reason)
    refresh_procedure_cache(procedure)
    audit.record(AuditRecord.Action.ACTION, procedure, verb="catalog.publish_version",
                 changes={"version": [None, 1]}, reason=reason)
    return version


@transaction.atomic
def attach_blank_form(document: RequiredDocument, file) -> None:
    """Attach (or clear, with ``file=None``) the blank form of a document of the current
    version. The form is guidance, not legal content, so no new version is needed."""
    if document.version.valid_to is not None and document.version.valid_to <= timezone.now():
        raise ValidationError(_("Blank forms can only be changed on the version in force."))
    before = document.blank_form.name
    document.blank_form = file or ""
    document.save(update_fields=["blank_form"])
    audit.record(AuditRecord.Action.UPDATE, document, changes={"blank_form": [before, document.blank_form.name]})


@transaction.atomic
def create_procedure(code, content, *, valid_from=None, actor=None, code_is_local=False, is_frequent=False, reason="") -> Procedure:
    """A new procedure with its first version. ``content`` may omit what the source does
    not say; defaults fill it (including the DEFAULT internal process)."""
    if Procedure.objects.filter(code=code).exists():
        raise ValidationError(_("A procedure with code %(code)s already exists.") % {"code": code})
    full = {**default_content(content.get("field", "")), **{k: v for k, v in content.items() if k in CONTENT_KEYS}}
    procedure = Procedure.objects.create(code=code, code_is_local=code_is_local, is_frequent=is_frequent)
    version = _write_version(procedure, 1, full, valid_from or timezone.now(), actor, reason)
    refresh_procedure_cache(procedure)
    audit.record(
        AuditRecord.Action.ACTION, procedure, verb="catalog.create_procedure",
        changes={"version": [None, version.number], "name": [None, version.name]}, reason=reason,
    )
    return procedure


@transaction.atomic
def publish_new_version(procedure: Procedure, changes: dict, valid_from=None, actor=None, reason="") -> ProcedureVersion:
    """Publish a new version of ``procedure``: the latest version's content with
    ``changes`` applied (keys of ``CONTENT_KEYS``; lists replace the whole list). The latest
    version is closed at ``valid_from`` (default now) and stays intact. When nothing
    changes, no version is created and the latest version is returned."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    latest = procedure.latest_version()
    if latest is None:
        raise ValidationError(_("The procedure has no version yet."))
    unknown = set(changes) - set(CONTENT_KEYS)
    if unknown:
        raise ValidationError(_("Unknown content: %(keys)s") % {"keys": ", ".join(sorted(unknown))})
    old = version_content(latest)
    new = {**old, **changes}
    diff = differences(old, new)
    if not diff:
        return latest
    valid_from = valid_from or timezone.now()
    if valid_from <= latest.valid_from:
        raise ValidationError(_("A new version must start after the current one (%(date)s).") % {
            "date": timezone.localtime(latest.valid_from).strftime("%d/%m/%Y %H:%M")})
    if latest.valid_to is None or latest.valid_to > valid_from:
        latest.valid_to = valid_from
        latest.save(update_fields=["valid_to"])
    version = _write_version(procedure, latest.number + 1, new, valid_from, actor, reason, files_from=latest)
    refresh_procedure_cache(procedure)
    audit.record(AuditRecord.Action.ACTION, procedure, verb="catalog.publish_version",
                 changes={"version": [latest.number, version.number], **_short(diff)}, reason=reason)
    return version


def _short(diff: dict) -> dict:
    """Audit-friendly changes: lists are summarised by their length."""
    return {key: ([len(a or []), len(b or [])] if key in LIST_FIELDS else [a, b]) for key, (a, b) in diff.items()}


@transaction.atomic
def set_frequent(procedure: Procedure, frequent: bool) -> None:
    """Mark a procedure as frequently used (shown first); not part of the legal content."""
    if procedure.is_frequent != frequent:
        audit.record(AuditRecord.Action.UPDATE, procedure, changes={"is_frequent": [procedure.is_frequent, frequent]})
        procedure.is_frequent = frequent
        procedure.save(update_fields=["is_frequent"])


# --- routing within a commune -------------------------------------------------------------

def find_department_unit(department: DepartmentType | None, commune: Unit) -> Unit | None:
    """The commune's unit of ``department``: a unit below the commune with the department's
    kind whose name matches one of its names (accents and case ignored), else the only unit
    of that kind."""
    if department is None:
        return None
    candidates = [u for u in Unit.objects.filter(pk__in=commune.descendant_ids(), is_active=True).exclude(pk=commune.pk)]
    wanted = {normalise(name) for name in department.names()}
    for unit in candidates:
        if normalise(unit.name) in wanted or normalise(unit.short_name) in wanted:
            return unit
    for unit in candidates:
        if any(name and name in normalise(unit.name) for name in wanted):
            return unit
    of_kind = [u for u in candidates if u.kind == department.unit_kind]
    return of_kind[0] if len(of_kind) == 1 else None


def resolve_unit(step: ProcessStep, commune: Unit) -> Unit | None:
    """Which unit of ``commune`` carries out ``step``: the reception centre, the competent
    department (the version's, else the field's default), or the commune itself for the
    leader's signature. Another agency's step resolves to None (it is outside the commune;
    its name is ``step.agency_name``)."""
    role = step.role
    if role == ProcessStep.Role.OTHER_AGENCY:
        return None
    if role == ProcessStep.Role.LEADER:
        return commune
    if role == ProcessStep.Role.RECEPTION:
        reception = DepartmentType.objects.filter(key=defaults.RECEPTION_DEPARTMENT).first()
        return find_department_unit(reception, commune) or commune
    return find_department_unit(step.version.department(), commune)
