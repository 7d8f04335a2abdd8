"""Services: the lifecycle, the clock, bad input, notifications, audit, sync."""
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile

from xaso.core.models import AuditRecord
from xaso.dossiers import services
from xaso.dossiers.models import Apology, CodeCounter, Dossier, Event, IssuedDocument, Pause, Step, SyncJob
from xaso.dossiers.services import ComponentIn, DossierError
from xaso.dossiers.states import Status
from xaso.notifications.models import Message

from .conftest import PDF, applicant, at, components, result_pdf

pytestmark = pytest.mark.django_db


def snapshot(d):
    d = Dossier.objects.get(pk=d.pk)
    return (d.status, d.current_unit_id, d.assignee_id, d.due_at, d.supplement_count, Event.objects.filter(dossier=d).count())


def test_counter_intake_receipt_code_due_and_notifications(world, make_intake):
    d = make_intake(now=at(2026, 3, 2, 9, 0))
    assert d.code == "000.01.22.H56-260302-0001"
    assert d.status == Status.RECEIVED
    # 3 working days from Mon 09:00 → Thu 09:00.
    assert d.due_at == at(2026, 3, 5, 9, 0) == d.legal_due_at
    assert d.competent_unit == world.dept and d.current_unit == world.centre
    comps = list(d.components.all())
    assert comps[0].digitised and comps[0].content_type == "application/pdf" and comps[0].file.name.endswith(".pdf")
    assert comps[1].reused and not comps[1].digitised
    receipt = IssuedDocument.objects.get(dossier=d, kind="receipt")
    assert receipt.number == 1 and receipt.reference == "1/TNHS-2026"
    msgs = Message.objects.filter(event="dossier.received")
    assert {m.channel for m in msgs} == {"sms", "email"}
    assert d.code in msgs.get(channel="sms").body
    assert AuditRecord.objects.filter(verb="dossier.intake", object_id=str(d.pk)).exists()
    assert SyncJob.objects.filter(dossier=d, event="intake").exists()
    d2 = make_intake(now=at(2026, 3, 2, 10, 0))
    d3 = make_intake(now=at(2026, 3, 3, 10, 0))
    assert d2.code.endswith("260302-0002") and d3.code.endswith("260303-0001")


def test_full_lifecycle_on_time(world, make_intake):
    d = make_intake(now=at(2026, 3, 2, 9, 0))
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 9, 30))
    assert d.status == Status.TRANSFERRED and d.current_unit == world.dept
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 10, 0))
    d = services.submit_for_approval(d, world.specialist, now=at(2026, 3, 3, 10, 0))
    d = services.approve(d, world.leader, now=at(2026, 3, 3, 14, 0))
    d = services.result_ready(d, world.specialist, result_number="12/TLKS", result_file=result_pdf(), now=at(2026, 3, 4, 8, 0))
    assert d.status == Status.RESULT_READY and d.finished_at == at(2026, 3, 4, 8, 0) and d.current_unit == world.centre
    d = services.return_result(d, world.reception, delivery="counter", now=at(2026, 3, 4, 9, 0))
    assert d.status == Status.RETURNED and d.returned_at == at(2026, 3, 4, 9, 0)
    steps = list(Step.objects.filter(dossier=d))
    assert [s.seq for s in steps] == list(range(1, len(steps) + 1))
    assert all(s.finished_at for s in steps)
    # The specialist's step has its own due time: 50% of 24h = 12 working hours.
    appraisal = next(s for s in steps if s.assignee == world.specialist and s.share_percent)
    # Mon 10:00–17:00 = 5h, Tue 07:00 + 7h → 16:00.
    assert appraisal.due_at == at(2026, 3, 3, 16, 0)
    actions = list(Event.objects.filter(dossier=d).values_list("action", flat=True))
    assert actions == ["intake", "transfer", "assign", "submit_for_approval", "approve", "result_ready", "return_result"]
    assert Message.objects.filter(event="dossier.result_ready").exists()


def test_online_submission_reception_check(world):
    terms = world.terms
    d = services.submit_online(user=world.citizen, terms=terms, applicant=applicant(), components=components(), receiving_unit=world.centre, now=at(2026, 3, 6, 20, 0))
    assert d.status == Status.SUBMITTED and d.received_at is None and d.due_at is None
    assert d.applicant_account == world.citizen and d.vneid_verified
    d = services.reception_supplement(d, world.reception, items=["Bản sao giấy chứng sinh rõ nét"], reason="Ảnh mờ", now=at(2026, 3, 9, 8, 0))
    assert d.status == Status.RECEPTION_SUPPLEMENT
    assert IssuedDocument.objects.filter(dossier=d, kind="supplement").exists()
    d = services.resubmit(d, world.citizen, components=[ComponentIn(name="Giấy chứng sinh", file=ContentFile(PDF, name="gcs.pdf"))], now=at(2026, 3, 9, 20, 0))
    assert d.status == Status.SUBMITTED
    d = services.receive(d, world.reception, now=at(2026, 3, 10, 8, 0))
    assert d.status == Status.RECEIVED and d.received_at == at(2026, 3, 10, 8, 0)
    assert d.due_at == at(2026, 3, 13, 8, 0)


def test_refuse_at_reception(world):
    d = services.submit_online(user=world.citizen, terms=world.terms, applicant=applicant(), components=components(), receiving_unit=world.centre, now=at(2026, 3, 6, 9))
    with pytest.raises(DossierError):
        services.refuse_reception(d, world.reception, reasons="  ", now=at(2026, 3, 6, 10))
    d = services.refuse_reception(d, world.reception, reasons="Không thuộc thẩm quyền", now=at(2026, 3, 6, 10))
    assert d.status == Status.RECEPTION_REFUSED
    assert IssuedDocument.objects.filter(dossier=d, kind="refusal").exists()
    assert Message.objects.filter(event="dossier.refused").exists()


def _to_progress(world, make_intake, now=at(2026, 3, 2, 9, 0)):
    d = make_intake(now=now)
    d = services.transfer(d, world.reception, now=now + timedelta(minutes=10))
    return services.assign(d, world.head, specialist=world.specialist, now=now + timedelta(minutes=20))


def test_supplement_pauses_the_clock(world, make_intake):
    d = _to_progress(world, make_intake)
    due_before = d.due_at
    d = services.request_supplement(d, world.specialist, items=["Giấy tờ chứng minh nơi cư trú"], reason="Thiếu", now=at(2026, 3, 3, 9, 0))
    assert d.status == Status.SUPPLEMENT and d.supplement_count == 1
    pause = Pause.objects.get(dossier=d)
    assert pause.ended_at is None and not pause.restart_clock
    c = services.clock(d, now=at(2026, 3, 20, 9, 0))
    assert c.paused and not c.overdue and c.remaining == timedelta(hours=16)
    # The applicant takes a week (including a weekend): the due date moves by the
    # working time of the pause.
    d = services.supplement_received(d, world.reception, components=[ComponentIn(name="Giấy xác nhận cư trú", file=ContentFile(PDF, name="ct.pdf"))], now=at(2026, 3, 10, 9, 0))
    assert d.status == Status.IN_PROGRESS
    assert d.due_at == at(2026, 3, 12, 9, 0) > due_before
    assert Message.objects.filter(event="dossier.supplement").count() == 2
    # A second request is refused: the procedure allows one.
    with pytest.raises(DossierError, match="1"):
        services.request_supplement(d, world.specialist, items=["x"], reason="y", now=at(2026, 3, 10, 10))


def test_second_supplement_when_allowed_is_flagged(world, make_intake):
    world.terms.max_supplements = 2
    world.terms.restart_after_supplement = True
    d = _to_progress(world, make_intake)
    d = services.request_supplement(d, world.specialist, items=["a"], reason="b", now=at(2026, 3, 2, 10))
    d = services.supplement_received(d, world.specialist, now=at(2026, 3, 4, 10))
    # Restart from zero: 3 full days from Wed 10:00.
    assert d.due_at == at(2026, 3, 9, 10, 0)
    d = services.request_supplement(d, world.specialist, items=["c"], reason="d", now=at(2026, 3, 5, 10))
    ev = Event.objects.filter(dossier=d, action="request_supplement").last()
    assert ev.data["counts_as_late"] is True


def test_illegal_transitions_leave_dossier_unchanged(world, make_intake):
    d = make_intake()
    before = snapshot(d)
    with pytest.raises(DossierError):
        services.approve(d, world.leader)  # wrong state
    with pytest.raises(DossierError):
        services.transfer(d, world.specialist)  # wrong role
    with pytest.raises(DossierError):
        services.transfer(d, world.outsider_reception)  # wrong unit
    assert snapshot(d) == before
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 10))
    with pytest.raises(DossierError):
        services.transfer(d, world.reception)  # already transferred
    with pytest.raises(DossierError):
        services.assign(d, world.head, specialist=world.outsider_specialist)  # not of this unit


def test_apology_once_future_working_day(world, make_intake):
    d = _to_progress(world, make_intake)  # due Thu 05/03 09:00
    with pytest.raises(DossierError):
        services.apologise(d, world.specialist, reason="x", new_due_at=at(2026, 3, 10, 17), now=at(2026, 3, 3, 9))
    with pytest.raises(DossierError):
        services.apologise(d, world.head, reason="x", new_due_at=at(2026, 3, 1, 17), now=at(2026, 3, 3, 9))
    with pytest.raises(DossierError):
        services.apologise(d, world.head, reason="x", new_due_at=at(2026, 3, 7, 17), now=at(2026, 3, 3, 9))  # Saturday
    a = services.apologise(d, world.head, reason="Chờ xác minh", new_due_at=at(2026, 3, 10, 17), now=at(2026, 3, 3, 9))
    assert a.in_time and a.previous_due_at == at(2026, 3, 5, 9)
    d.refresh_from_db()
    assert d.due_at == at(2026, 3, 10, 17) and d.legal_due_at == at(2026, 3, 5, 9)
    assert IssuedDocument.objects.filter(dossier=d, kind="apology").count() == 1
    assert Message.objects.filter(event="dossier.apology").exists()
    with pytest.raises(DossierError, match="only once|một lần"):
        services.apologise(d, world.head, reason="again", new_due_at=at(2026, 3, 12, 17), now=at(2026, 3, 4, 9))
    assert Apology.objects.filter(dossier=d).count() == 1


def test_late_apology_is_recorded_as_late(world, make_intake):
    d = _to_progress(world, make_intake)  # due Thu 05/03 09:00
    a = services.apologise(d, world.head, reason="Quá tải", new_due_at=at(2026, 3, 10, 17), now=at(2026, 3, 4, 15))
    assert not a.in_time


def test_leader_refusal_and_stop(world, make_intake):
    d = _to_progress(world, make_intake)
    d = services.submit_for_approval(d, world.specialist, now=at(2026, 3, 3, 9))
    with pytest.raises(DossierError, match="căn cứ pháp lý|legal basis"):
        services.refuse(d, world.leader, reasons="Không đủ điều kiện", legal_basis=" ", now=at(2026, 3, 3, 10))
    d = services.refuse(d, world.leader, reasons="Không đủ điều kiện", legal_basis="Điều 16 Luật Hộ tịch 2014", now=at(2026, 3, 3, 10))
    assert d.status == Status.REFUSED and d.finished_at
    # Its own form: the refusal to resolve, issued by the People's Committee the chairman
    # signs for (not the desk's refusal to receive), with the reasons and the legal basis.
    doc = IssuedDocument.objects.get(dossier=d, kind="denial")
    assert doc.unit == world.commune and doc.data == {"reasons": "Không đủ điều kiện", "legal_basis": "Điều 16 Luật Hộ tịch 2014"}
    assert not IssuedDocument.objects.filter(dossier=d, kind="refusal").exists()
    assert Event.objects.get(dossier=d, action="refuse").unit == world.commune
    d2 = _to_progress(world, make_intake)
    d2 = services.request_supplement(d2, world.specialist, items=["a"], reason="b", now=at(2026, 3, 3, 9))
    d2 = services.stop(d2, world.reception, reasons="Công dân rút hồ sơ", now=at(2026, 3, 4, 9))
    assert d2.status == Status.STOPPED
    assert Pause.objects.get(dossier=d2).ended_at == at(2026, 3, 4, 9)
    assert IssuedDocument.objects.filter(dossier=d2, kind="stop").exists()
    with pytest.raises(DossierError):
        services.stop(d2, world.reception, reasons="again")


def test_interagency_round_trip(world, make_intake):
    d = _to_progress(world, make_intake)
    d = services.send_interagency(d, world.specialist, agency="Công an xã Ngọc Liên", now=at(2026, 3, 2, 14))
    assert d.status == Status.INTERAGENCY
    d = services.interagency_back(d, world.specialist, now=at(2026, 3, 3, 14))
    assert d.status == Status.IN_PROGRESS
    assert Step.objects.filter(dossier=d, is_interagency=True, external_agency="Công an xã Ngọc Liên").exists()


def test_bad_input(world, make_intake):
    with pytest.raises(DossierError, match="Giấy chứng sinh|missing|thiếu"):
        make_intake(components=[ComponentIn(name="Tờ khai đăng ký khai sinh")])
    with pytest.raises(DossierError):
        make_intake(components=[ComponentIn(name="Tờ khai đăng ký khai sinh", file=ContentFile(b"MZ\x90\x00", name="virus.exe")), ComponentIn(name="Giấy chứng sinh")])
    with pytest.raises(DossierError):  # a .pdf that is not a PDF
        make_intake(components=[ComponentIn(name="Tờ khai đăng ký khai sinh", file=ContentFile(b"hello", name="fake.pdf")), ComponentIn(name="Giấy chứng sinh")])
    with pytest.raises(DossierError):
        make_intake(applicant=applicant(name="  "))
    with pytest.raises(DossierError):
        make_intake(officer=world.specialist)
    assert Dossier.objects.count() == 0
    # Nothing half-written: the day's counter rolled back with the refused intakes.
    assert not CodeCounter.objects.exists()
    d = make_intake()
    assert d.code.endswith("-0001")


def test_result_needs_file_and_number(world, make_intake):
    d = _to_progress(world, make_intake)
    d = services.submit_for_approval(d, world.specialist, now=at(2026, 3, 3, 9))
    d = services.approve(d, world.leader, now=at(2026, 3, 3, 10))
    with pytest.raises(DossierError):
        services.result_ready(d, world.specialist, result_number="1", now=at(2026, 3, 3, 11))
    with pytest.raises(DossierError):
        services.result_ready(d, world.specialist, result_file=result_pdf(), now=at(2026, 3, 3, 11))


def test_denormalised_due_matches_recomputation(world, make_intake):
    d = _to_progress(world, make_intake)
    d = services.request_supplement(d, world.specialist, items=["a"], reason="b", now=at(2026, 3, 3, 9))
    d = services.supplement_received(d, world.reception, now=at(2026, 3, 9, 15))
    services.apologise(d, world.head, reason="x", new_due_at=at(2026, 3, 20, 17), now=at(2026, 3, 10, 8))
    for dossier in Dossier.objects.all():
        c = services.clock(dossier, now=at(2026, 3, 10, 9))
        assert dossier.due_at == c.effective_due and dossier.legal_due_at == c.legal_due


def test_portal_sync_outbox_with_sandbox(world, make_intake):
    from xaso.dossiers.portal_sync import SandboxReceiver, push_pending

    d = make_intake()
    sandbox = SandboxReceiver(fail_times=1)
    r1 = push_pending(sandbox)
    assert r1 == {"sent": 0, "failed": 1, "skipped": False}
    job = SyncJob.objects.get(dossier=d)
    assert job.state == "failed" and job.attempts == 1
    r2 = push_pending(sandbox, now=job.next_attempt_at + timedelta(seconds=1))
    assert r2["sent"] == 1
    p = sandbox.received[0]
    assert p["MaHoSo"] == d.code and p["KenhThucHien"] == 1 and p["NgayHenTra"] == "20260305090000"
    assert p["HoSoCoThanhPhanSoHoa"] is True and p["TaiLieuNop"][1]["DuocLayTuKhoDMQG"] is True
    assert p["TaiKhoanDuocXacThucVoiVNeID"] is False


def test_rolled_back_action_sends_nothing(world, make_intake):
    d = make_intake()
    n = Message.objects.count()
    with pytest.raises(DossierError):
        services.reception_supplement(d, world.reception, items=["x"], reason="y")  # wrong state
    assert Message.objects.count() == n


def test_daily_alerts(world, make_intake):
    from xaso.dossiers.alerts import daily_alerts

    world.specialist.email = "cv@example.vn"
    world.specialist.save()
    world.head.email = "tp@example.vn"
    world.head.save()
    d = _to_progress(world, make_intake)  # due Thu 05/03 09:00
    r = daily_alerts(now=at(2026, 3, 6, 7, 0))
    assert r["officials_alerted"] >= 2
    m = Message.objects.get(event="dossier.daily_alert", recipient="cv@example.vn")
    assert d.code in m.body
    head_msg = Message.objects.get(event="dossier.daily_alert", recipient="tp@example.vn")
    assert d.code in head_msg.body
    n = Message.objects.count()
    daily_alerts(now=at(2026, 3, 6, 9, 0))
    assert Message.objects.count() == n  # once a day
