"""Signed checkpoints of the audit trail, kept outside the database.

The hash chain (``core.audit``) shows an altered or removed record, but someone who can
write the database can also cut the newest records off, or rewrite a record and recompute
every hash after it: the chain is then whole again. A checkpoint anchors the chain outside
the database: every few minutes (the ``audit_anchor`` job of ``xaso scheduler``, or
``xaso audit anchor``) the head of the chain — the id and hash of the newest record and the
number of records up to it — is signed with HMAC-SHA256 under a key that is not in the
database (``XASO_AUDIT_KEY``) and appended to a file (``XASO_AUDIT_CHECKPOINTS``) and to the
log (logger ``xaso.audit.anchor``, for a syslog/journald copy on another machine). Each
checkpoint also carries the signature of the one before it, so checkpoints cannot be
removed from the middle of the file or reordered.

``verify_checkpoints`` (run by ``xaso audit verify``) checks every checkpoint's signature and
link, and that the record it names is still in the table with the same hash, and the same
number of records up to it: a rewritten-and-rehashed chain or a truncated tail is found
(except records added after the newest checkpoint, at most one job interval old).

A checkpoint is one line of JSON::

    {"seq": 12, "at": "2026-03-02T09:05:00+00:00", "record_id": 4711, "head_hash": "…",
     "count": 4711, "prev_mac": "…", "mac": "…"}

``mac`` = HMAC-SHA256(key, canonical JSON of the other fields).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .models import AuditRecord

logger = logging.getLogger("xaso.audit.anchor")

FIELDS = ("seq", "at", "record_id", "head_hash", "count", "prev_mac")
NO_MAC = "0" * 64


class AnchorError(Exception):
    """The checkpoint file or key cannot be used."""


def key() -> bytes:
    value = getattr(settings, "XASO_AUDIT_KEY", "") or ""
    if len(value) < 32:
        raise AnchorError("XASO_AUDIT_KEY must be at least 32 characters.")
    return value.encode("utf-8")


def checkpoints_path() -> Path:
    return Path(getattr(settings, "XASO_AUDIT_CHECKPOINTS", "") or Path(settings.VAR_DIR) / "audit" / "checkpoints.jsonl")


def sign(entry: dict, secret: bytes | None = None) -> str:
    payload = json.dumps({k: entry[k] for k in FIELDS}, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hmac.new(secret or key(), payload, hashlib.sha256).hexdigest()


def read_checkpoints(path: Path | None = None) -> list[dict]:
    path = path or checkpoints_path()
    if not path.exists():
        return []
    out = []
    with path.open("r", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                entry = {"_line": number, "_broken": True}
            entry["_line"] = number
            out.append(entry)
    return out


def head() -> tuple[int, str, int] | None:
    """``(id, hash, number of records)`` of the newest audit record, or None."""
    last = AuditRecord.objects.order_by("-id").values_list("id", "hash").first()
    if last is None:
        return None
    return last[0], last[1], AuditRecord.objects.filter(id__lte=last[0]).count()


def anchor(now: dt.datetime | None = None) -> dict | None:
    """Append a signed checkpoint of the chain's head, unless the newest checkpoint already
    names it. Returns the new checkpoint (None when nothing changed or the trail is empty)."""
    current = head()
    if current is None:
        return None
    path = checkpoints_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = key()
    # One writer at a time (several schedulers, a manual run): an exclusive lock on the file.
    with path.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.seek(0)
            lines = [line for line in handle.read().splitlines() if line.strip()]
            last = json.loads(lines[-1]) if lines else None
            if last is not None and last.get("record_id") == current[0] and last.get("head_hash") == current[1]:
                return None
            entry = {
                "seq": (last["seq"] + 1) if last else 1,
                "at": (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).isoformat(timespec="seconds"),
                "record_id": current[0],
                "head_hash": current[1],
                "count": current[2],
                "prev_mac": last["mac"] if last else NO_MAC,
            }
            entry["mac"] = sign(entry, secret)
            handle.seek(0, os.SEEK_END)
            handle.write(json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    logger.info("audit checkpoint %s", json.dumps(entry, sort_keys=True, separators=(",", ":")))
    return entry


@dataclass
class CheckpointResult:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    newest: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_checkpoints(path: Path | None = None) -> CheckpointResult:
    """Check every checkpoint: its signature, its link to the one before, and that the
    record it names is in the trail with the same hash and the same number of records up
    to it. Stops at the first problem of each kind it finds in order."""
    result = CheckpointResult()
    entries = read_checkpoints(path)
    secret = key()
    prev_mac, prev_seq = NO_MAC, 0
    for entry in entries:
        where = f"checkpoint line {entry['_line']}"
        if entry.get("_broken") or any(k not in entry for k in (*FIELDS, "mac")):
            result.problems.append(f"{where} cannot be read")
            break
        if not hmac.compare_digest(sign(entry, secret), str(entry["mac"])):
            result.problems.append(f"{where} (#{entry['seq']}): its signature does not match (forged, or XASO_AUDIT_KEY changed)")
            break
        if entry["prev_mac"] != prev_mac or entry["seq"] != prev_seq + 1:
            result.problems.append(f"{where} (#{entry['seq']}): it does not follow checkpoint #{prev_seq} (checkpoints removed or reordered)")
            break
        record = AuditRecord.objects.filter(pk=entry["record_id"]).values_list("hash", flat=True).first()
        if record is None:
            result.problems.append(
                f"checkpoint #{entry['seq']} ({entry['at']}) names record #{entry['record_id']}, which is no longer in the trail: records were removed (a truncated tail?)"
            )
            break
        if record != entry["head_hash"]:
            result.problems.append(
                f"checkpoint #{entry['seq']} ({entry['at']}): record #{entry['record_id']} has hash {record[:12]}…, not {entry['head_hash'][:12]}… as signed: the chain was rewritten"
            )
            break
        count = AuditRecord.objects.filter(pk__lte=entry["record_id"]).count()
        if count != entry["count"]:
            result.problems.append(
                f"checkpoint #{entry['seq']} ({entry['at']}): {count} records up to #{entry['record_id']}, {entry['count']} when it was signed: records were removed or added"
            )
            break
        prev_mac, prev_seq = entry["mac"], entry["seq"]
        result.checked += 1
        result.newest = entry
    return result


# Deployment check ------------------------------------------------------------------------

from django.core import checks  # noqa: E402


@checks.register(checks.Tags.security, deploy=True)
def check_audit_key(app_configs=None, **kwargs):
    """In production the checkpoint key comes from the environment (a key file in
    ``XASO_VAR_DIR`` sits next to the data it is meant to protect)."""
    if settings.DEBUG:
        return []
    out = []
    if not getattr(settings, "XASO_AUDIT_KEY_FROM_ENVIRONMENT", False):
        out.append(
            checks.Warning(
                "The audit trail's checkpoints are signed with the development key generated in XASO_VAR_DIR.",
                hint="Set XASO_AUDIT_KEY (at least 32 random characters, kept outside the database and its backups) and keep XASO_AUDIT_CHECKPOINTS on storage the database administrator cannot change (docs/security.md).",
                id="xaso.W003",
            )
        )
    elif len(settings.XASO_AUDIT_KEY) < 32:
        out.append(checks.Error("XASO_AUDIT_KEY is shorter than 32 characters.", hint="python3 -c 'import secrets; print(secrets.token_urlsafe(48))'", id="xaso.E002"))
    return out
