import datetime as dt
import decimal
import io
import json

import pytest
from django.contrib.auth import authenticate, login
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from xaso.core import audit
from xaso.core.models import AppendOnlyError, AuditRecord, CalendarDecision, Membership, Unit, User
from xaso.core.request_context import Actor, acting_as

pytestmark = pytest.mark.django_db

ON_PG = connection.vendor == "postgresql"


def tamper(sql, params=()):
    """Run raw SQL on the audit table with the database guard switched off (as a DBA with
    full rights could): the change stays inside the test's transaction."""
    with connection.cursor() as cursor:
        if ON_PG:
            cursor.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditrecord_no_update")
        cursor.execute(sql, params)


def verify_cmd(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("audit", "verify", "--no-progress", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def make_chain(n=5):
    with acting_as(Actor(user_id=7, username="clerk", ip_address="10.1.2.3", source="job")):
        return [audit.record(AuditRecord.Action.ACTION, verb=f"step.{i}", object_type="x.y", object_id=i) for i in range(n)]


# --- records and the chain -------------------------------------------------------


def test_record_takes_actor_from_context_and_chains():
    recs = make_chain(3)
    assert recs[0].prev_hash == audit.GENESIS_HASH
    assert recs[1].prev_hash == recs[0].hash and recs[2].prev_hash == recs[1].hash
    stored = AuditRecord.objects.get(pk=recs[1].pk)
    assert (stored.actor_id, stored.actor_username, stored.ip_address, stored.source) == (7, "clerk", "10.1.2.3", "job")
    assert audit.compute_hash(stored) == stored.hash
    assert audit.verify_chain().ok and audit.verify_chain().count == 3


def test_record_for_object_and_reason():
    unit = Unit.objects.create(kind="commune", code="ngoc-lien", name="Xã Ngọc Liên")
    rec = audit.record(AuditRecord.Action.ACTION, unit, verb="unit.renamed", changes={"name": ["a", "b"]}, reason="Quyết định 12")
    rec = AuditRecord.objects.get(pk=rec.pk)
    assert (rec.object_type, rec.object_id, rec.object_repr) == ("core.unit", str(unit.pk), "Xã Ngọc Liên")
    assert rec.changes == {"name": ["a", "b"]} and rec.reason == "Quyết định 12"


def test_unknown_action_refused():
    with pytest.raises(ValueError):
        audit.record("frobnicate")


def test_verify_ok_prints_count():
    make_chain(4)
    code, out, _ = verify_cmd()
    assert code == 0 and "OK: 4 records verified" in out


def test_verify_detects_altered_field():
    recs = make_chain(5)
    tamper("UPDATE core_auditrecord SET actor_username = %s WHERE id = %s", ["mallory", recs[2].pk])
    result = audit.verify_chain()
    assert not result.ok and result.problem.record_id == recs[2].pk and "altered" in result.problem.message
    assert result.count == 2
    code, _, err = verify_cmd()
    assert code == 1 and f"#{recs[2].pk}" in err and "altered" in err


def test_verify_detects_altered_changes_json():
    recs = make_chain(3)
    tamper("UPDATE core_auditrecord SET reason = %s WHERE id = %s", ["covered up", recs[0].pk])
    assert audit.verify_chain().problem.record_id == recs[0].pk


def test_verify_detects_altered_record_with_recomputed_hash():
    """A forger who recomputes the altered record's hash breaks the next record's link."""
    recs = make_chain(4)
    forged = AuditRecord.objects.get(pk=recs[1].pk)
    forged.actor_username = "mallory"
    new_hash = audit.compute_hash(forged)
    tamper("UPDATE core_auditrecord SET actor_username = %s, hash = %s WHERE id = %s", ["mallory", new_hash, recs[1].pk])
    problem = audit.verify_chain().problem
    assert problem.record_id == recs[2].pk and "removed" in problem.message


def test_verify_detects_deleted_record():
    recs = make_chain(5)
    tamper("DELETE FROM core_auditrecord WHERE id = %s", [recs[3].pk])
    problem = audit.verify_chain().problem
    assert problem.record_id == recs[4].pk
    assert f"#{recs[2].pk}" in problem.message
    code, _, err = verify_cmd()
    assert code == 1 and "removed" in err


def test_verify_detects_deleted_first_record():
    recs = make_chain(3)
    tamper("DELETE FROM core_auditrecord WHERE id = %s", [recs[0].pk])
    assert audit.verify_chain().problem.record_id == recs[1].pk


def test_verify_detects_swapped_hashes():
    recs = make_chain(4)
    tamper("UPDATE core_auditrecord SET hash = %s WHERE id = %s", ["f" * 64, recs[1].pk])
    tamper("UPDATE core_auditrecord SET hash = %s WHERE id = %s", [recs[1].hash, recs[2].pk])
    tamper("UPDATE core_auditrecord SET hash = %s WHERE id = %s", [recs[2].hash, recs[1].pk])
    problem = audit.verify_chain().problem
    assert problem.record_id == recs[1].pk


def test_verify_expect_head_detects_removed_newest_record():
    recs = make_chain(3)
    head = recs[-1].hash
    assert verify_cmd("--expect-head", head)[0] == 0
    tamper("DELETE FROM core_auditrecord WHERE id = %s", [recs[-1].pk])
    assert audit.verify_chain().ok  # the chain alone cannot see a removed tail …
    code, _, err = verify_cmd("--expect-head", head)
    assert code == 1 and "removed" in err  # … the noted head can


def test_rolled_back_record_disappears_without_hole():
    make_chain(2)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            audit.record(AuditRecord.Action.ACTION, verb="doomed")
            raise RuntimeError
    assert not AuditRecord.objects.filter(verb="doomed").exists()
    make_chain(2)
    result = audit.verify_chain()
    assert result.ok and result.count == 4
    ids = list(AuditRecord.objects.order_by("id").values_list("id", flat=True))
    if ON_PG:
        assert ids[2] - ids[1] == 2  # the sequence value used by the rolled-back insert is a gap


def test_progress_callback_counts_every_record():
    make_chain(7)
    seen = []
    result = audit.verify_chain(progress=seen.append, chunk_size=3)
    assert result.ok and sum(seen) == 7


# --- append-only guards ----------------------------------------------------------


def test_model_refuses_update_and_delete():
    rec = make_chain(1)[0]
    rec.reason = "changed"
    with pytest.raises(AppendOnlyError):
        rec.save()
    with pytest.raises(AppendOnlyError):
        rec.delete()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.filter(pk=rec.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.filter(pk=rec.pk).delete()
    assert audit.verify_chain().ok


def test_database_refuses_raw_update():
    rec = make_chain(1)[0]
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditrecord SET reason = 'x' WHERE id = %s", [rec.pk])
    assert AuditRecord.objects.get(pk=rec.pk).reason == ""


@pytest.mark.skipif(not ON_PG, reason="the DELETE trigger exists on PostgreSQL only")
def test_postgres_refuses_raw_delete():
    rec = make_chain(1)[0]
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditrecord WHERE id = %s", [rec.pk])
    assert AuditRecord.objects.filter(pk=rec.pk).exists()


# --- snapshot / diff -------------------------------------------------------------


def test_snapshot_is_json_safe():
    unit = Unit.objects.create(kind="commune", code="c1", name="C1")
    user = User.objects.create_user("can-bo", password="Mat-khau-dai-123")
    membership = Membership.objects.create(user=user, unit=unit, position="specialist", role="specialist")
    image = audit.snapshot(membership)
    assert image == {"id": membership.pk, "user": user.pk, "unit": unit.pk, "position": "specialist", "role": "specialist", "is_active": True}
    decision = CalendarDecision.objects.create(date=dt.date(2026, 8, 22), kind="working_day", name="Làm bù", decision_number="9441/TB-BNV")
    image = audit.snapshot(decision, fields=["date", "decision_date", "created_at"])
    assert image["date"] == "2026-08-22" and image["decision_date"] is None
    assert set(image) == {"date", "decision_date", "created_at"}
    json.dumps(image)


def test_json_safe_values():
    assert audit.json_safe(decimal.Decimal("12.50")) == "12.50"
    assert audit.json_safe(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)) == "2026-01-02T03:04:05+00:00"
    assert audit.json_safe(dt.date(2026, 1, 2)) == "2026-01-02"
    file_field = models.FileField(upload_to="x")
    f = FieldFile(None, file_field, "dossiers/2026/abc.pdf")
    assert audit.json_safe(f) == "dossiers/2026/abc.pdf"
    assert audit.json_safe(b"\x00\x01") == "<2 bytes>"
    assert audit.json_safe(2.0) == 2 and audit.json_safe(float("nan")) == "nan"
    assert audit.json_safe(FieldFile(None, file_field, None)) == ""


def test_diff():
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}
    assert audit.diff(None, {"a": 1}) == {"a": [None, 1]}
    assert audit.diff({"a": 1}, {"a": 1}) == {}


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**62), max_value=2**62),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
    st.dates(),
)
json_values = st.recursive(
    json_leaf, lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=5), children, max_size=4)), max_leaves=12
)


@given(json_values)
def test_json_safe_is_stable_through_json_round_trip(value):
    """What the hash covers must be exactly what comes back from the database's JSON."""
    safe = audit.json_safe(value)
    assert json.loads(json.dumps(safe)) == safe
    assert audit.json_safe(safe) == safe


def test_changes_round_trip_through_database_keep_hash():
    payload = {"amount": decimal.Decimal("1.10"), "big": 1e20, "small": 1.5e-7, "when": dt.date(2026, 2, 17), "vi": "Thủ tục hành chính", "nested": {"z": 1, "a": [1, 2.5]}}
    rec = audit.record(AuditRecord.Action.ACTION, verb="x", changes=payload)
    stored = AuditRecord.objects.get(pk=rec.pk)
    assert audit.compute_hash(stored) == rec.hash


def test_ipv6_and_mapped_addresses_keep_hash():
    for ip in ("2001:DB8::1", "::ffff:192.0.2.1", "not-an-ip", None):
        with acting_as(Actor(username="u", ip_address=ip, source="web")):
            rec = audit.record(AuditRecord.Action.ACTION, verb="x")
        stored = AuditRecord.objects.get(pk=rec.pk)
        assert audit.compute_hash(stored) == stored.hash
    assert audit.verify_chain().ok


# --- automatic tracking ----------------------------------------------------------


def records_for(obj):
    return list(AuditRecord.objects.filter(object_type=audit.object_type_of(obj), object_id=str(obj.pk)).order_by("id"))


def test_tracking_create_update_delete_with_before_after():
    with acting_as(Actor(user_id=1, username="admin", source="web", ip_address="127.0.0.1")):
        unit = Unit.objects.create(kind="commune", code="ngoc-lien", name="Ngọc Liên")
        unit.name = "Xã Ngọc Liên"
        unit.save()
        unit.save()  # unchanged: no record
        pk = unit.pk
        unit.delete()
    recs = list(AuditRecord.objects.filter(object_type="core.unit", object_id=str(pk)).order_by("id"))
    assert [r.action for r in recs] == ["create", "update", "delete"]
    create, update, delete = recs
    assert create.changes["name"] == [None, "Ngọc Liên"] and create.changes["code"] == [None, "ngoc-lien"]
    assert update.changes == {"name": ["Ngọc Liên", "Xã Ngọc Liên"]}
    assert delete.changes["name"] == ["Xã Ngọc Liên", None]
    assert all(r.actor_username == "admin" for r in recs)
    assert audit.verify_chain().ok


def test_tracking_update_fields_reports_only_written_fields():
    unit = Unit.objects.create(kind="commune", code="c", name="A")
    unit.name = "B"
    unit.phone = "0237 000"  # edited in memory but not saved
    unit.save(update_fields=["name"])
    update = records_for(unit)[-1]
    assert update.changes == {"name": ["A", "B"]}


def test_tracking_foreign_keys_as_pk():
    unit = Unit.objects.create(kind="commune", code="c", name="A")
    other = Unit.objects.create(kind="commune", code="d", name="B")
    user = User.objects.create_user("u1", password="Mat-khau-dai-123")
    membership = Membership.objects.create(user=user, unit=unit, position="staff", role="specialist")
    membership.unit = other
    membership.save()
    assert records_for(membership)[-1].changes == {"unit": [unit.pk, other.pk]}


def test_user_password_change_recorded_without_value():
    user = User.objects.create_user("officer", password="Mat-khau-dai-123")
    user.set_password("Mat-khau-moi-456")
    user.save()
    user.last_login = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    user.save()  # last_login only: not recorded
    recs = records_for(user)
    assert [r.action for r in recs] == ["create", "update"]
    assert recs[1].changes == {"password": [audit.REDACTED, audit.REDACTED]}
    dumped = json.dumps([r.changes for r in recs])
    assert "pbkdf2" not in dumped and "md5" not in dumped and user.password not in dumped


def test_queryset_delete_of_tracked_model_is_recorded():
    Unit.objects.create(kind="commune", code="a", name="A")
    Unit.objects.create(kind="commune", code="b", name="B")
    Unit.objects.filter(code__in=["a", "b"]).delete()
    assert AuditRecord.objects.filter(object_type="core.unit", action="delete").count() == 2


def test_tracked_change_rolled_back_leaves_no_record():
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            Unit.objects.create(kind="commune", code="gone", name="Gone")
            raise RuntimeError
    assert not AuditRecord.objects.filter(object_type="core.unit").exists()


# --- reads and logins ------------------------------------------------------------


def test_record_read():
    citizen = User.objects.create_user("0912345678", kind="citizen", national_id="038090001234", password=None)
    with acting_as(Actor(user_id=5, username="reception", source="web", ip_address="10.0.0.9")):
        rec = audit.record_read(citizen, ["national_id", "date_of_birth", "national_id"], reason="dossier check")
    rec = AuditRecord.objects.get(pk=rec.pk)
    assert rec.action == "read" and rec.changes == {"fields": ["date_of_birth", "national_id"]}
    assert rec.actor_username == "reception" and rec.object_id == str(citizen.pk)
    assert "038090001234" not in json.dumps(rec.changes)


def _request(path="/dang-nhap/"):
    request = RequestFactory().post(path, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox")
    SessionMiddleware(lambda r: None).process_request(request)
    return request


def test_login_and_logout_recorded(client):
    user = User.objects.create_user("officer", password="Mat-khau-dai-123")
    request = _request()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    rec = AuditRecord.objects.filter(action="login").get()
    assert (rec.actor_id, rec.actor_username, rec.ip_address, rec.user_agent) == (user.pk, "officer", "203.0.113.7", "Firefox")
    assert rec.object_id == str(user.pk)
    client.force_login(user)
    client.logout()
    assert AuditRecord.objects.filter(action="logout", actor_username="officer").exists()
    # last_login moved, but the account itself was not changed by the login
    assert not AuditRecord.objects.filter(action="update", object_type="core.user").exists()


def test_failed_login_recorded_without_password():
    User.objects.create_user("officer", password="Mat-khau-dai-123")
    assert authenticate(_request(), username="officer", password="Sai-mat-khau-999") is None
    rec = AuditRecord.objects.filter(action="login_failed").get()
    assert rec.object_repr == "officer" and rec.ip_address == "203.0.113.7" and rec.actor_id is None
    everything = json.dumps([rec.changes, rec.reason, rec.object_repr, rec.verb])
    assert "Sai-mat-khau-999" not in everything and "****" not in everything


# --- admin -----------------------------------------------------------------------


def test_admin_is_read_only(client, settings):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    admin_user = User.objects.create_superuser("root", password="Mat-khau-dai-123")
    rec = make_chain(1)[0]
    client.force_login(admin_user)
    # Administrators need a verified second factor (RequireTwoFactorMiddleware).
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=admin_user, name="backup")
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    changelist = client.get("/quan-tri/core/auditrecord/?action__exact=action")
    assert changelist.status_code == 200 and b"step.0" in changelist.content
    assert client.get("/quan-tri/core/auditrecord/add/").status_code == 403
    detail = client.get(f"/quan-tri/core/auditrecord/{rec.pk}/change/")
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    assert client.post(f"/quan-tri/core/auditrecord/{rec.pk}/delete/").status_code == 403


def test_bulk_create_refused():
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.bulk_create([AuditRecord(action="action", prev_hash="0" * 64, hash="1" * 64)])
