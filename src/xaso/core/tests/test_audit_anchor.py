"""The audit trail is anchored outside the database: a truncated tail or a rewritten and
rehashed chain no longer passes ``xaso audit verify``; failed second-factor and login codes
are recorded.

The attack: someone with write access to the database cut the newest records off, or
changed a record and recomputed every hash after it; ``verify`` said OK."""
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from xaso.core import audit, audit_anchor
from xaso.core.models import AuditRecord, Unit
from xaso.core.tests.factories import OfficialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def checkpoints(settings, tmp_path):
    settings.XASO_AUDIT_CHECKPOINTS = str(tmp_path / "audit" / "checkpoints.jsonl")
    settings.XASO_AUDIT_KEY = "k" * 48
    return tmp_path / "audit" / "checkpoints.jsonl"


def _records(n, start=0):
    for i in range(start, start + n):
        Unit.objects.create(kind=Unit.Kind.COMMUNE, code=f"xa-{i}", name=f"Xã {i}")


def _verify():
    """(exit code, output) of ``xaso audit verify``."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", "--no-progress", stdout=out, stderr=err)
        return 0, out.getvalue() + err.getvalue()
    except SystemExit as exc:
        return exc.code, out.getvalue() + err.getvalue()


def _raw(sql, params=()):
    """What someone with full database rights does: the guard triggers off, raw SQL (inside
    the test's transaction: rolled back with it)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_append_only")
        else:
            cur.execute("DROP TRIGGER IF EXISTS core_auditrecord_no_update")
        cur.execute(sql, params)


def test_a_truncated_tail_is_found(checkpoints):
    _records(5)
    audit_anchor.anchor()
    assert _verify()[0] == 0
    last = AuditRecord.objects.order_by("-id").first().pk
    _raw("DELETE FROM core_auditrecord WHERE id >= %s", [last - 1])
    code, output = _verify()
    assert code == 1, output
    assert "no longer in the trail" in output


def test_a_rewritten_and_rehashed_chain_is_found(checkpoints):
    _records(6)
    audit_anchor.anchor()
    # Change the third record and recompute every hash after it: the chain is whole again.
    records = list(AuditRecord.objects.order_by("id"))
    records[2].object_repr = "Xã đã sửa"
    prev = records[1].hash
    for rec in records[2:]:
        rec.prev_hash = prev
        rec.hash = audit.compute_hash(rec)
        prev = rec.hash
        _raw("UPDATE core_auditrecord SET object_repr=%s, prev_hash=%s, hash=%s WHERE id=%s", [rec.object_repr, rec.prev_hash, rec.hash, rec.pk])
    assert audit.verify_chain().ok  # the chain alone cannot see it
    code, output = _verify()
    assert code == 1, output
    assert "rewritten" in output


def test_checkpoints_cannot_be_forged_or_removed(checkpoints, settings):
    _records(2)
    audit_anchor.anchor()
    _records(2, start=10)
    audit_anchor.anchor()
    _records(2, start=20)
    audit_anchor.anchor()
    assert _verify()[0] == 0
    lines = checkpoints.read_text().splitlines()
    assert len(lines) == 3
    # Removing the middle checkpoint breaks the links.
    checkpoints.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert _verify()[0] == 1
    # A checkpoint rewritten without the key does not verify.
    forged = json.loads(lines[2])
    forged["count"] = 1
    checkpoints.write_text("\n".join([lines[0], lines[1], json.dumps(forged)]) + "\n")
    code, output = _verify()
    assert code == 1 and "signature" in output
    # Another key (the file copied from elsewhere): nothing verifies.
    checkpoints.write_text("\n".join(lines) + "\n")
    settings.XASO_AUDIT_KEY = "z" * 48
    assert _verify()[0] == 1


def test_anchor_writes_only_when_the_head_moved_and_logs_it(checkpoints, caplog):
    _records(1)
    with caplog.at_level("INFO", logger="xaso.audit.anchor"):
        first = audit_anchor.anchor()
    assert first["seq"] == 1 and "audit checkpoint" in caplog.text
    assert audit_anchor.anchor() is None  # nothing new
    out = StringIO()
    call_command("audit", "anchor", stdout=out)
    assert "No new records" in out.getvalue()


def test_failed_second_factor_codes_are_recorded(client, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from xaso.core.models import Role

    settings.AXES_ENABLED = False
    user = OfficialFactory(role=Role.LEADER, username="chutich2")
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    r = client.post("/account/login/", {"login_view-current_step": "auth", "auth-username": "chutich2", "auth-password": "Demo@Password2026"})
    assert r.status_code == 200
    r = client.post("/account/login/", {"login_view-current_step": "token", "token-otp_token": "000000"})
    assert r.status_code == 200
    rec = AuditRecord.objects.filter(action=AuditRecord.Action.LOGIN_FAILED, verb="two_factor.failed").get()
    assert rec.actor_id == user.pk and rec.object_id == str(user.pk) and "000000" not in json.dumps(rec.changes)


def test_failed_login_codes_are_recorded_without_the_code(db):
    from xaso.core import services

    services.request_login_code("0912345678")
    with pytest.raises(services.LoginCodeError):
        services.verify_login_code("0912345678", "999999")
    rec = AuditRecord.objects.filter(action=AuditRecord.Action.LOGIN_FAILED, verb="login_code.failed").get()
    assert "999999" not in json.dumps(rec.changes) and "0912345678" not in json.dumps(rec.changes)
    assert rec.changes["reason"] in ("invalid", "too_many_attempts")


def test_deploy_check_wants_the_key_from_the_environment(settings):
    settings.DEBUG = False
    settings.XASO_AUDIT_KEY_FROM_ENVIRONMENT = False
    assert [m.id for m in audit_anchor.check_audit_key()] == ["xaso.W003"]
    settings.XASO_AUDIT_KEY_FROM_ENVIRONMENT = True
    assert audit_anchor.check_audit_key() == []
