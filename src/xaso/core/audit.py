"""The audit trail: who did what to which object, when and from where.

Every record is appended in the caller's transaction (a rolled-back change leaves no
record) and carries ``prev_hash`` (the hash of the record before it) and ``hash`` =
SHA-256 of the canonical JSON of its own fields plus ``prev_hash``. Altering, reordering or
removing a record therefore breaks the chain, which ``xaso audit verify`` detects.

Public API:

- ``record(action, obj=None, *, verb, changes, reason, object_type, object_id, object_repr)``
- ``record_read(obj, fields, reason="")`` — a staff read of a person's personal data;
- ``snapshot(obj, fields=None)`` and ``diff(before, after)`` — JSON-safe before/after images;
- ``track(Model, exclude=(), redact=())`` — automatic create/update/delete records;
- ``verify_chain()`` — walk the chain, report the first broken record.

Who/when/from where come from ``xaso.core.request_context.current_actor()``.

Concurrency: appending reads the head of the chain and inserts after it, so two writers
must not do that at the same time. On PostgreSQL a transaction-scoped advisory lock
serialises appenders (held until the surrounding transaction ends, so the chain order is
the commit order and ids grow along the chain); on SQLite every transaction already starts
with ``BEGIN IMMEDIATE`` (see settings), which takes the database write lock. Other
databases fall back to ``SELECT … FOR UPDATE`` on the head record.
"""
from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import ipaddress
import json
import math
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable

from django.db import models, router, transaction
from django.db.models.fields.files import FieldFile
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils.functional import Promise

from .models import AuditRecord
from .request_context import Actor, acting_as, current_actor

Action = AuditRecord.Action
_ACTIONS = frozenset(Action.values)

GENESIS_HASH = "0" * 64
REDACTED = "[redacted]"

# The fields covered by the hash, in their canonical form (see ``canonical_payload``).
HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "ip_address",
    "user_agent",
    "source",
    "action",
    "verb",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "reason",
)

# Key of the PostgreSQL advisory lock that serialises appends to the chain
# (first 8 bytes of sha256("xaso.audit.chain") as a signed 64-bit integer).
ADVISORY_LOCK_KEY = int.from_bytes(hashlib.sha256(b"xaso.audit.chain").digest()[:8], "big", signed=True)


# ---------------------------------------------------------------------------
# JSON-safe values
# ---------------------------------------------------------------------------


def json_safe(value: Any) -> Any:
    """Convert a Python value into plain JSON data that survives a round trip through
    SQLite JSON text and PostgreSQL jsonb unchanged (so the hash stays verifiable)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        # jsonb prints integral floats as integers: store them as integers.
        return int(value) if value.is_integer() else value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [json_safe(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, models.Model):
        return json_safe(value.pk)
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return str(value)
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict:
    """The JSON-safe image of ``obj``'s concrete fields (or only ``fields``): dates in ISO
    format, decimals as strings, foreign keys as the related primary key, files as their
    name. Keys are field names (``unit``, not ``unit_id``)."""
    wanted = set(fields) if fields is not None else None
    image = {}
    for f in obj._meta.concrete_fields:
        if wanted is not None and f.name not in wanted and f.attname not in wanted:
            continue
        image[f.name] = json_safe(getattr(obj, f.attname))
    return image


def diff(before: dict | None, after: dict | None) -> dict:
    """``{"field": [before, after]}`` for every field whose value differs."""
    before = before or {}
    after = after or {}
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes[key] = [old, new]
    return changes


# ---------------------------------------------------------------------------
# Hashing
# ---------------------------------------------------------------------------


def _canonical_at(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def canonical_payload(rec: AuditRecord) -> bytes:
    """Canonical JSON (sorted keys, no spaces, UTF-8) of the hashed fields + prev_hash."""
    payload = {name: getattr(rec, name) for name in HASHED_FIELDS}
    payload["at"] = _canonical_at(rec.at)
    payload["changes"] = json_safe(rec.changes or {})
    payload["prev_hash"] = rec.prev_hash
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def compute_hash(rec: AuditRecord) -> str:
    return hashlib.sha256(canonical_payload(rec)).hexdigest()


def _clip(value: Any, field_name: str) -> str:
    text = "" if value is None else str(value)
    max_length = AuditRecord._meta.get_field(field_name).max_length
    return text[:max_length] if max_length else text


def _normalise_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        parsed = ipaddress.ip_address(str(ip).strip())
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        # Django's GenericIPAddressField stores "::ffff:1.2.3.4" as such: keep that form.
        return f"::ffff:{parsed.ipv4_mapped}"
    return parsed.compressed


def _lock_chain(using: str) -> str:
    """Take the chain lock for the current transaction and return the head hash."""
    from django.db import connections

    connection = connections[using]
    qn = connection.ops.quote_name
    sql = f"SELECT {qn('hash')} FROM {qn(AuditRecord._meta.db_table)} ORDER BY {qn('id')} DESC LIMIT 1"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        elif connection.vendor != "sqlite":
            sql += " FOR UPDATE"
        cursor.execute(sql)
        row = cursor.fetchone()
    return row[0] if row else GENESIS_HASH


# ---------------------------------------------------------------------------
# Writing records
# ---------------------------------------------------------------------------


def object_type_of(obj_or_model) -> str:
    meta = obj_or_model._meta
    return f"{meta.app_label}.{meta.model_name}"


def _safe_repr(obj) -> str:
    try:
        return str(obj)
    except Exception:  # a __str__ that touches a deleted relation must not break auditing
        return f"{obj._meta.verbose_name} #{obj.pk}"


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    verb: str = "",
    changes: dict | None = None,
    reason: str = "",
    object_type: str | None = None,
    object_id: Any = None,
    object_repr: str | None = None,
    actor: Actor | None = None,
) -> AuditRecord:
    """Append one record to the audit trail in the caller's transaction.

    ``action`` is an ``AuditRecord.Action`` value; ``verb`` names a business action
    (e.g. ``"dossier.accept"``) when ``action`` is ``ACTION``; ``changes`` is
    ``{"field": [before, after]}`` (made JSON-safe here). The actor is the current request
    context unless ``actor`` is given."""
    if action not in _ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor = actor or current_actor()
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = obj.pk if object_id is None else object_id
        object_repr = _safe_repr(obj) if object_repr is None else object_repr
    using = router.db_for_write(AuditRecord)
    # No savepoint of its own (two round trips saved): a failure here fails the caller's
    # transaction, which is what an audited change needs anyway.
    with transaction.atomic(using=using, savepoint=False):
        prev_hash = _lock_chain(using)
        from django.utils import timezone

        rec = AuditRecord(
            at=timezone.now(),
            actor_id=actor.user_id,
            actor_username=_clip(actor.username, "actor_username"),
            ip_address=_normalise_ip(actor.ip_address),
            user_agent=_clip(actor.user_agent, "user_agent"),
            source=_clip(actor.source, "source"),
            action=str(action),
            verb=_clip(verb, "verb"),
            object_type=_clip(object_type or "", "object_type"),
            object_id=_clip("" if object_id is None else object_id, "object_id"),
            object_repr=_clip(object_repr or "", "object_repr"),
            changes=json_safe(changes or {}),
            reason=str(reason or ""),
            prev_hash=prev_hash,
        )
        rec.hash = compute_hash(rec)
        rec.save(using=using, force_insert=True)
    return rec


def record_read(obj: models.Model, fields: Iterable[str], reason: str = "") -> AuditRecord:
    """Log that the current (staff) actor read personal data ``fields`` of ``obj``.
    The values themselves are not stored: ``changes`` is ``{"fields": [...]}``."""
    return record(Action.READ, obj, changes={"fields": sorted(set(fields))}, reason=reason)


# ---------------------------------------------------------------------------
# Automatic tracking of models
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackOptions:
    exclude: frozenset = field(default_factory=frozenset)
    redact: frozenset = field(default_factory=frozenset)


_tracked: dict[type, TrackOptions] = {}


def _tracked_image(obj, options: TrackOptions) -> dict:
    image = {}
    for f in obj._meta.concrete_fields:
        if f.name in options.exclude or f.attname in options.exclude:
            continue
        value = json_safe(getattr(obj, f.attname))
        if f.name in options.redact and value not in (None, ""):
            # Compare on a digest, never keep the value itself.
            value = "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()
        image[f.name] = value
    return image


def _redact(changes: dict, options: TrackOptions) -> dict:
    for name in options.redact:
        if name in changes:
            changes[name] = [None if v in (None, "") else REDACTED for v in changes[name]]
    return changes


def _on_pre_save(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    options = _tracked.get(sender)
    if options is None:
        return
    before = None
    if not instance._state.adding and instance.pk is not None:
        current = sender._base_manager.using(using).filter(pk=instance.pk).first()
        if current is not None:
            before = _tracked_image(current, options)
    instance._audit_before = before


def _on_post_save(sender, instance, created, raw=False, using=None, update_fields=None, **kwargs):
    options = _tracked.get(sender)
    if options is None:
        return
    before = getattr(instance, "_audit_before", None)
    instance.__dict__.pop("_audit_before", None)
    after = _tracked_image(instance, options)
    if before is not None and update_fields is not None:
        # Only the listed fields were written: other in-memory edits are not in the DB.
        names = {sender._meta.get_field(n).name for n in update_fields}
        after = {k: (after[k] if k in names else v) for k, v in before.items()}
    if created or before is None:
        changes = {k: [None, v] for k, v in after.items() if v not in (None, "")}
        action = Action.CREATE
    else:
        changes = diff(before, after)
        action = Action.UPDATE
        if not changes:
            return
    record(action, instance, changes=_redact(changes, options))


def _on_post_delete(sender, instance, using=None, **kwargs):
    options = _tracked.get(sender)
    if options is None:
        return
    before = _tracked_image(instance, options)
    changes = {k: [v, None] for k, v in before.items() if v not in (None, "")}
    record(Action.DELETE, instance, changes=_redact(changes, options))


def _m2m_field_of(model, through):
    for f in model._meta.many_to_many:
        if f.remote_field.through is through:
            return f
    return None


def _on_m2m_changed(sender, instance, action, reverse, model, pk_set, using=None, **kwargs):
    """A tracked model's many-to-many field changed (``add``, ``remove``, ``clear``, ``set``):
    one UPDATE record on the tracked object, ``{field: {"added"|"removed": [pks]}}``. Changes
    made from the other side (``unit.led_plan_tasks.add(task)``) are recorded on each tracked
    object affected."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    owner_model = model if reverse else type(instance)
    options = _tracked.get(owner_model)
    field_ = _m2m_field_of(owner_model, sender)
    if options is None or field_ is None or field_.name in options.exclude:
        return
    if action == "pre_clear":
        # The rows are still there: read what is about to go.
        if reverse:
            owners = list(owner_model._base_manager.using(using).filter(**{field_.name: instance}))
            pks, key = [instance.pk], "removed"
        else:
            owners, pks, key = [instance], sorted(getattr(instance, field_.name).values_list("pk", flat=True)), "removed"
    else:
        key = "added" if action == "post_add" else "removed"
        if reverse:
            owners = list(owner_model._base_manager.using(using).filter(pk__in=pk_set or ()))
            pks = [instance.pk]
        else:
            owners, pks = [instance], sorted(pk_set or ())
    if not pks:
        return
    for owner in owners:
        record(Action.UPDATE, owner, changes={field_.name: {key: json_safe(list(pks))}})


def track(model: type[models.Model], exclude: Iterable[str] = (), redact: Iterable[str] = ()) -> None:
    """Record every create, update and delete of ``model`` automatically (through model
    signals, so queryset ``update()`` and raw SQL are not seen), and every change of its
    many-to-many fields (``add``/``remove``/``clear``/``set``, from either side).
    ``exclude``: fields never recorded; ``redact``: fields whose change is recorded without
    their values (e.g. a password hash). Saves that change nothing write no record. Call
    from ``AppConfig.ready``."""
    _tracked[model] = TrackOptions(frozenset(exclude), frozenset(redact))
    uid = f"xaso.audit.{object_type_of(model)}"
    pre_save.connect(_on_pre_save, sender=model, dispatch_uid=uid + ".pre_save")
    post_save.connect(_on_post_save, sender=model, dispatch_uid=uid + ".post_save")
    post_delete.connect(_on_post_delete, sender=model, dispatch_uid=uid + ".post_delete")
    for f in model._meta.many_to_many:
        m2m_changed.connect(_on_m2m_changed, sender=f.remote_field.through, dispatch_uid=f"{uid}.m2m.{f.name}")


def untrack(model: type[models.Model]) -> None:
    _tracked.pop(model, None)
    uid = f"xaso.audit.{object_type_of(model)}"
    pre_save.disconnect(sender=model, dispatch_uid=uid + ".pre_save")
    post_save.disconnect(sender=model, dispatch_uid=uid + ".post_save")
    post_delete.disconnect(sender=model, dispatch_uid=uid + ".post_delete")
    for f in model._meta.many_to_many:
        m2m_changed.disconnect(sender=f.remote_field.through, dispatch_uid=f"{uid}.m2m.{f.name}")


def is_tracked(model) -> bool:
    return model in _tracked


# ---------------------------------------------------------------------------
# Logins
# ---------------------------------------------------------------------------


def _actor_from_request(request, user=None, fallback_username="") -> Actor:
    from .middleware import client_ip

    base = current_actor()
    authenticated = user is not None and getattr(user, "pk", None) is not None
    return Actor(
        user_id=user.pk if authenticated else None,
        username=user.get_username() if authenticated else fallback_username,
        ip_address=client_ip(request) if request is not None else base.ip_address,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:255] if request is not None else base.user_agent,
        source=("api" if request.path.startswith("/api/") else "web") if request is not None else base.source,
    )


def _on_logged_in(sender, request, user, **kwargs):
    with acting_as(_actor_from_request(request, user)):
        record(Action.LOGIN, user)


def _on_logged_out(sender, request, user, **kwargs):
    with acting_as(_actor_from_request(request, user)):
        if user is not None:
            record(Action.LOGOUT, user)
        else:
            record(Action.LOGOUT)


def _attempted_username(credentials: dict) -> str:
    from django.contrib.auth import get_user_model

    username_field = get_user_model().USERNAME_FIELD
    for key in (username_field, "username", "phone", "email"):
        value = credentials.get(key)
        if value:
            return str(value)
    return ""


def _on_login_failed(sender, credentials, request=None, **kwargs):
    # Only the attempted identifier is kept; never the password (Django has already
    # masked it, and we do not copy ``credentials`` anyway).
    username = _attempted_username(credentials or {})
    from django.contrib.auth import get_user_model

    model = get_user_model()
    with acting_as(_actor_from_request(request, None, fallback_username="")):
        record(
            Action.LOGIN_FAILED,
            object_type=object_type_of(model),
            object_repr=username,
            changes={"username": username},
        )


def second_factor_failed(user, factor: str) -> AuditRecord:
    """A wrong second-factor code (TOTP or backup code) for ``user``, from the current
    request's address: a ``login_failed`` record with verb ``two_factor.failed`` (the code
    itself is never kept)."""
    base = current_actor()
    authenticated = user is not None and getattr(user, "pk", None) is not None
    actor = Actor(
        user_id=user.pk if authenticated else None,
        username=user.get_username() if authenticated else "",
        ip_address=base.ip_address,
        user_agent=base.user_agent,
        source=base.source,
    )
    with acting_as(actor):
        return record(Action.LOGIN_FAILED, user if authenticated else None, verb="two_factor.failed", changes={"factor": factor})


def _on_otp_failed(sender, user=None, **kwargs):
    # django-otp's signal for a token that matched none of the user's devices (the login
    # wizard's token and backup-code steps, the admin's OTP form).
    second_factor_failed(user, "otp")


def connect_auth_signals() -> None:
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
    from django_otp.forms import otp_verification_failed

    user_logged_in.connect(_on_logged_in, dispatch_uid="xaso.audit.login")
    user_logged_out.connect(_on_logged_out, dispatch_uid="xaso.audit.logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="xaso.audit.login_failed")
    otp_verification_failed.connect(_on_otp_failed, dispatch_uid="xaso.audit.otp_failed")


def register_core_models() -> None:
    """Track the core models and the login signals; called from ``CoreConfig.ready``."""
    from .models import CalendarDecision, Membership, Unit, User

    track(Unit)
    # last_login changes at every login (the LOGIN record covers it); the password hash
    # is recorded as "changed" without its value.
    track(User, exclude=("last_login",), redact=("password",))
    track(Membership)
    track(CalendarDecision, exclude=("updated_at",))
    connect_auth_signals()


# ---------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------


@dataclass
class Problem:
    record_id: int
    at: dt.datetime | None
    message: str


@dataclass
class VerifyResult:
    count: int = 0
    head_hash: str = GENESIS_HASH
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(queryset=None, progress=None, chunk_size: int = 2000) -> VerifyResult:
    """Walk the chain in id order and stop at the first record that was altered (its hash
    does not match its content), reordered or whose predecessor was removed (its
    ``prev_hash`` is not the hash of the record before it). Gaps in ids alone are normal
    (a rolled-back transaction consumes an id) and are not reported. ``progress`` is
    called with the number of records checked since the last call."""
    qs = queryset if queryset is not None else AuditRecord.objects.all()
    qs = qs.order_by("id")
    result = VerifyResult()
    expected_prev = GENESIS_HASH
    previous_id = None
    pending = 0
    for rec in qs.iterator(chunk_size=chunk_size):
        if rec.prev_hash != expected_prev:
            if previous_id is None:
                message = (
                    f"the first record's previous hash is {rec.prev_hash[:12]}…, not the chain start: "
                    "earlier records were removed"
                )
            else:
                message = (
                    f"its previous hash {rec.prev_hash[:12]}… is not the hash of record #{previous_id} "
                    f"({expected_prev[:12]}…): a record between #{previous_id} and #{rec.pk} was removed, "
                    "or the chain was reordered"
                )
            result.problem = Problem(rec.pk, rec.at, message)
            break
        actual = compute_hash(rec)
        if actual != rec.hash:
            result.problem = Problem(
                rec.pk,
                rec.at,
                f"its content does not match its hash (stored {rec.hash[:12]}…, computed {actual[:12]}…): "
                "the record was altered",
            )
            break
        expected_prev = rec.hash
        previous_id = rec.pk
        result.count += 1
        result.head_hash = rec.hash
        pending += 1
        if progress is not None and pending >= chunk_size:
            progress(pending)
            pending = 0
    if progress is not None and pending:
        progress(pending)
    return result
