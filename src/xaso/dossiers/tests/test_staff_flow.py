"""The staff journey as officials live it: the head's review step, events under the unit the
actor acted for, the control sheet and public lookup that follow the procedure's process,
classification against the legal due date, the forms' content."""
import pytest
from django.urls import reverse
from django.utils import translation

from xaso.dossiers import documents, portal_sync, selectors, services
from xaso.dossiers.deadlines import timeliness
from xaso.dossiers.models import Dossier, Event, IssuedDocument, Step
from xaso.dossiers.services import DossierError
from xaso.dossiers.states import Status

from .conftest import applicant, at, components, head_review_terms, result_pdf
from .test_documents import docx_text, pdf_text

pytestmark = pytest.mark.django_db


def _walk(world, terms, received=at(2026, 3, 2, 9)):
    """Counter → desk transfer → head assigns → specialist submits to the head → head
    forwards → chairman approves → result → returned. 3 working days from Mon 02/03/2026
    09:00: legal due Thu 05/03 09:00."""
    d = services.intake(officer=world.reception, terms=terms, applicant=applicant(), components=components(), receiving_unit=world.centre, now=received)
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 9, 30))
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 10))
    assert services.allowed_actions(d, world.specialist) == ["submit_for_review", "send_interagency", "request_supplement"]
    with pytest.raises(DossierError):
        services.submit_for_approval(d, world.specialist, now=at(2026, 3, 3, 9))
    d = services.submit_for_review(d, world.specialist, now=at(2026, 3, 3, 9))
    assert d.status == Status.HEAD_REVIEW
    assert "forward_for_approval" in services.allowed_actions(d, world.head)
    assert "approve" not in services.allowed_actions(d, world.leader)
    d = services.forward_for_approval(d, world.head, now=at(2026, 3, 3, 11))
    assert d.status == Status.AWAITING_APPROVAL
    d = services.approve(d, world.leader, now=at(2026, 3, 4, 8))
    d = services.result_ready(d, world.specialist, result_number="12/TLKS", result_file=result_pdf(), now=at(2026, 3, 4, 10))
    d = services.return_result(d, world.reception, delivery="counter", now=at(2026, 3, 4, 14))
    return Dossier.objects.get(pk=d.pk)


def test_the_head_reviews_and_the_steps_follow_the_process(world):
    d = _walk(world, head_review_terms(world))
    steps = list(Step.objects.filter(dossier=d).order_by("seq"))
    names = [s.name for s in steps]
    assert names == [
        "Tiếp nhận hồ sơ", "Phân công tại đơn vị giải quyết", "Thẩm định, đề xuất kết quả", "Trưởng phòng xem xét",
        "Lãnh đạo UBND phê duyệt, ký", "Ban hành kết quả", "Trả kết quả",
    ]
    shares = [float(s.share_percent) for s in steps]
    # Reception holds "Tiếp nhận" + "Chuyển hồ sơ" (5 + 5), assignment has no share of its own.
    assert shares == [10, 0, 50, 15, 15, 0, 10]
    head = steps[3]
    # 15% of 24 h = 3.6 h = 216 minutes from Tue 03/03 09:00: 09:00-11:30 (150), 13:30 + 66 → 14:36.
    assert head.due_at == at(2026, 3, 3, 14, 36) and head.unit == world.dept
    # Handed over at 11:00: before its time, the same day → on time; the leader's step held by
    # the commune's People's Committee.
    assert steps[4].unit == world.commune
    # The one unit-held step is signed for by who handed it on (the head, for the review).
    rows = documents.control_rows(d)
    assert rows[3]["official"] == world.head.display_name and rows[4]["official"] == world.leader.display_name


def test_events_carry_the_unit_the_actor_acted_for(world):
    d = _walk(world, head_review_terms(world))
    units = dict(Event.objects.filter(dossier=d).values_list("action", "unit__name"))
    assert units["intake"] == world.centre.name
    assert units["transfer"] == world.centre.name
    assert units["assign"] == world.dept.name
    assert units["submit_for_review"] == world.dept.name
    assert units["forward_for_approval"] == world.dept.name
    # The chairman approves for the commune's People's Committee, not the department.
    assert units["approve"] == world.commune.name
    assert units["return_result"] == world.centre.name
    # The public lookup repeats them, without names.
    history = selectors.public_history(d)
    assert [(h["action"], h["unit"]) for h in history if h["action"] == "approve"] == [("approve", world.commune.name)]


def test_a_supplement_received_at_the_desk_is_the_desks(world):
    d = services.intake(officer=world.reception, terms=world.terms, applicant=applicant(), components=components(), receiving_unit=world.centre, now=at(2026, 3, 2, 9))
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 9, 30))
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 10))
    d = services.request_supplement(d, world.specialist, items=["Giấy chứng sinh"], reason="Mờ", now=at(2026, 3, 2, 14))
    d = services.supplement_received(d, world.reception, components=[], now=at(2026, 3, 4, 9))
    ev = Event.objects.get(dossier=d, action="supplement_received")
    assert ev.unit == world.centre and ev.actor == world.reception


def test_a_process_without_the_heads_review_goes_to_the_leader(world, make_intake):
    d = make_intake()
    assert not d.has_head_review
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 9, 30))
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 10))
    assert "submit_for_approval" in services.allowed_actions(d, world.specialist)
    assert "submit_for_review" not in services.allowed_actions(d, world.specialist)
    d = services.submit_for_approval(d, world.specialist, now=at(2026, 3, 3, 9))
    assert d.status == Status.AWAITING_APPROVAL


def test_the_head_may_send_back_from_review(world):
    terms = head_review_terms(world)
    d = services.intake(officer=world.reception, terms=terms, applicant=applicant(), components=components(), receiving_unit=world.centre, now=at(2026, 3, 2, 9))
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 9, 30))
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 10))
    d = services.submit_for_review(d, world.specialist, now=at(2026, 3, 3, 9))
    d = services.send_back(d, world.head, note="Bổ sung căn cứ", now=at(2026, 3, 3, 10))
    assert d.status == Status.IN_PROGRESS and d.assignee == world.specialist


def test_an_apology_does_not_make_a_dossier_on_time(world, make_intake, settings):
    settings.XASO_PORTAL_SYNC_ADAPTER = "xaso.dossiers.portal_sync.DisabledAdapter"
    d = make_intake()  # legal due Thu 05/03 09:00
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 9, 30))
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 10))
    # Wed 04/03 09:00: exactly one working day before → in time; new date Tue 10/03 17:00.
    apology = services.apologise(d, world.head, reason="Chờ xác minh", new_due_at=at(2026, 3, 10, 17), now=at(2026, 3, 4, 9))
    assert apology.in_time
    d = Dossier.objects.get(pk=d.pk)
    payload = portal_sync.build_payload(d)
    assert payload["NgayHenTra"] == "20260305090000" and payload["NgayHenTraLai"] == "20260310170000"
    # In the worklist on Fri 06/03: past the legal due date, before the new one: late, with
    # the working time left to the new appointment (Tue 10/03 17:00: Fri, Mon, Tue = 24 h less
    # Fri 07:00-09:00 = 22 h, i.e. 2.75 days).
    row = selectors.with_clocks([Dossier.objects.get(pk=d.pk)], services.get_calendar(), now=at(2026, 3, 6, 9))[0]
    assert row.level == "redated" and row.badge_class == "text-bg-danger"
    from xaso.dossiers import documents as docs

    book = docs.tracking_book(world.centre, at(2026, 3, 1).date(), at(2026, 3, 31).date())
    from openpyxl import load_workbook
    import io

    cells = [c.value for r in load_workbook(io.BytesIO(book)).active.iter_rows() for c in r]
    assert "09:00 05/03/2026 (hẹn lại: 17:00 10/03/2026)" in cells
    d = services.submit_for_approval(d, world.specialist, now=at(2026, 3, 6, 9))
    d = services.approve(d, world.leader, now=at(2026, 3, 6, 10))
    d = services.result_ready(d, world.specialist, result_number="1", result_file=result_pdf(), now=at(2026, 3, 9, 9))
    d = Dossier.objects.get(pk=d.pk)
    # Finished Mon 09/03, before the new date but after the legal due date: late.
    assert selectors.timeliness_of(d) == "late"
    assert not selectors.with_late_flag(Dossier.objects.filter(pk=d.pk)).filter(selectors.on_time_q()).exists()
    # The page says so, and shows the new date as recorded, not as time.
    with translation.override("vi"):
        page = _page(world, d)
    assert 'id="verdict">Quá hạn' in page and 'id="effective-due"' in page


def test_an_apology_late_by_a_minute_is_recorded_so(world, make_intake):
    d = make_intake()
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 9, 30))
    apology = services.apologise(d, world.leader, reason="Chờ xác minh", new_due_at=at(2026, 3, 10, 17), now=at(2026, 3, 4, 9, 1))
    assert not apology.in_time


def test_query_and_pure_classification_agree(world, make_intake):
    """``selectors.on_time_q`` (database) and ``deadlines.timeliness`` (pure) classify a set
    of finished dossiers the same way, apology or not."""
    finished_at = [at(2026, 3, 4, 16), at(2026, 3, 5, 9), at(2026, 3, 5, 9, 1), at(2026, 3, 9, 8)]
    for i, end in enumerate(finished_at):
        d = make_intake(now=at(2026, 3, 2, 9))
        if i % 2:
            services.apologise(d, world.leader, reason="x", new_due_at=at(2026, 3, 12, 9), now=at(2026, 3, 3, 9))
        Dossier.objects.filter(pk=d.pk).update(finished_at=end, status=Status.RESULT_READY)
    qs = selectors.with_late_flag(Dossier.objects.all())
    in_db = set(qs.filter(selectors.on_time_q()).values_list("pk", flat=True))
    pure = {d.pk for d in Dossier.objects.all() if timeliness(d.finished_at, d.legal_due_at) != "late"}
    assert in_db == pure and len(pure) == 2


def _page(world, d, user=None):
    from django.test import Client

    c = Client()
    c.force_login(user or world.head)
    return c.get(reverse("dossiers:detail", args=[d.code])).content.decode()


def test_buttons_are_imperative_and_history_is_past(world, make_intake, vietnamese_pages):
    d = make_intake()
    page = _page(world, d, world.reception)
    assert 'data-action="transfer">Chuyển đơn vị giải quyết' in page
    assert "Đã tiếp nhận" in page or "Tiếp nhận trực tiếp" in page  # the history
    assert 'data-action="transfer">Đã chuyển' not in page


def test_overdue_reads_in_working_days(world, make_intake, vietnamese_pages):
    d = make_intake(now=at(2026, 3, 2, 9))
    c = selectors.with_clocks([Dossier.objects.get(pk=d.pk)], services.get_calendar(), now=at(2026, 7, 17, 9))[0]
    # Due Thu 05/03 09:00; by Fri 17/07 09:00: 93 working days later (6-31/03: 18; April: 22
    # weekdays less 27/04 and 30/04: 20; May: 21 less 01/05: 20; June: 22; 1-17/07: 13).
    assert c.level == "overdue" and c.hours_text == "93 ngày làm việc"
    c = selectors.with_clocks([Dossier.objects.get(pk=d.pk)], services.get_calendar(), now=at(2026, 3, 5, 11, 30))[0]
    assert c.hours_text == "2,5 giờ làm việc"
    c = selectors.with_clocks([Dossier.objects.get(pk=d.pk)], services.get_calendar(), now=at(2026, 3, 4, 9))[0]
    assert c.hours_text == "còn 1 ngày làm việc"


def test_intake_pre_ticks_only_mandatory_documents(client, world, catalogue, vietnamese_pages):
    client.force_login(world.reception)
    html = client.get(reverse("dossiers:intake"), {"procedure": "1.001193"}).content.decode()
    import re

    boxes = re.findall(r'<input type="checkbox" name="doc_(\d+)_submitted"([^>]*)>', html)
    checked = {int(i) for i, attrs in boxes if "checked" in attrs}
    assert checked == {0}  # the declaration form only; the conditional ones are left to tick
    assert "Biên bản về việc trẻ bị bỏ rơi" in html and 'class="form-check-input"' in html


# ------------------------------------------------------------------ forms


def test_receipt_supplement_apology_and_denial_content(world, make_intake):
    d = make_intake(applicant=applicant(agent_name="Lê Văn Bình", agent_phone="0987654321", agent_email="binh@example.vn", agent_address="Thôn 2"))
    receipt = IssuedDocument.objects.get(dossier=d, kind="receipt")
    text = pdf_text(documents.render_pdf(receipt))
    assert "thư điện tử: binh@example.vn" in text
    assert "thư điện tử: binh@example.vn" in docx_text(documents.render_docx(receipt))
    world.dept.phone = "0237 3 456 789"
    world.dept.save()
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 9, 30))
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 10))
    d = services.request_supplement(d, world.specialist, items=["Giấy chứng sinh"], reason="Mờ", now=at(2026, 3, 2, 14))
    sup = IssuedDocument.objects.get(dossier=d, kind="supplement")
    text = pdf_text(documents.render_pdf(sup))
    assert f"liên hệ {world.specialist.display_name} (Phòng Văn hóa - Xã hội), số điện thoại 0237 3 456 789" in text
    assert "0237 3 456 789" in docx_text(documents.render_docx(sup))
    d = services.supplement_received(d, world.reception, now=at(2026, 3, 3, 9))
    services.apologise(d, world.head, reason="Chờ xác minh", new_due_at=at(2026, 3, 12, 9), now=at(2026, 3, 4, 9))
    apology = IssuedDocument.objects.get(dossier=d, kind="apology")
    text = pdf_text(documents.render_pdf(apology))
    assert "Ngày 02 tháng 03 năm 2026, Trung tâm Phục vụ hành chính công xã Ngọc Liên tiếp nhận" in text
    assert "Ngày 09 giờ" not in text and "Ngày 02 tháng 03 năm 2026" in docx_text(documents.render_docx(apology))


def test_refusal_to_resolve_has_its_own_form(world, make_intake):
    d = make_intake()
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 9, 30))
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 10))
    d = services.submit_for_approval(d, world.specialist, now=at(2026, 3, 3, 9))
    services.refuse(d, world.leader, reasons="Người yêu cầu không thuộc trường hợp được đăng ký.", legal_basis="Điều 16 Luật Hộ tịch 2014", now=at(2026, 3, 3, 10))
    doc = IssuedDocument.objects.get(dossier=d, kind="denial")
    assert doc.reference == "1/TCGQ-2026"
    for text in (pdf_text(documents.render_pdf(doc)), docx_text(documents.render_docx(doc))):
        assert "từ chối giải quyết hồ sơ" in text
        assert "PHIẾU TỪ CHỐI TIẾP NHẬN" not in text and "NGƯỜI TIẾP NHẬN" not in text
        assert "Căn cứ pháp lý: Điều 16 Luật Hộ tịch 2014" in text and "Ủy ban nhân dân xã Ngọc Liên không giải quyết" in text
        assert "TM. ỦY BAN NHÂN DÂN" in text and "CHỦ TỊCH" in text and world.leader.display_name in text
        assert "ỦY BAN NHÂN DÂN XÃ NGỌC LIÊN" in text or ("ỦY BAN NHÂN DÂN" in text and "XÃ NGỌC LIÊN" in text)
        assert "TỈNH THANH HÓA" not in text
        assert "{{" not in text


def test_free_birth_registration_receipt(world, catalogue):
    from xaso.catalog.models import Procedure

    version = Procedure.objects.get(code="1.001193").current_version()
    terms = services.terms_from_version(version, world.commune)
    comps = [services.ComponentIn(name=doc["name"]) for doc in terms.documents if doc["mandatory"]]
    d = services.intake(officer=world.reception, terms=terms, applicant=applicant(), components=comps, receiving_unit=world.centre, now=at(2026, 3, 2, 9))
    total, lines = documents.fee_texts(d)
    assert total == "Miễn phí"
    assert lines == ["Một số trường hợp: mức thu do HĐND tỉnh quy định; xin hỏi bộ phận tiếp nhận hồ sơ"]
    text = pdf_text(documents.render_pdf(IssuedDocument.objects.get(dossier=d, kind="receipt")))
    assert "Phí, lệ phí: Miễn phí" in text and "chưa xác định" not in text


def test_the_api_walks_the_heads_review_and_refuses_with_a_legal_basis(world):
    from .conftest import api_as

    terms = head_review_terms(world)
    d = services.intake(officer=world.reception, terms=terms, applicant=applicant(), components=components(), receiving_unit=world.centre, now=at(2026, 3, 2, 9))
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 9, 30))
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 10))
    specialist = api_as(world.specialist)
    # Straight to the leader is not this process's way: a state conflict, nothing changed.
    assert specialist.post(f"/api/v1/dossiers/{d.code}/submit-for-approval/", {}, format="json").status_code == 409
    assert specialist.post(f"/api/v1/dossiers/{d.code}/submit-for-review/", {}, format="json").status_code == 200
    assert api_as(world.head).post(f"/api/v1/dossiers/{d.code}/forward-for-approval/", {}, format="json").status_code == 200
    leader = api_as(world.leader)
    response = leader.post(f"/api/v1/dossiers/{d.code}/refuse/", {"reasons": "Không đủ điều kiện"}, format="json")
    assert response.status_code == 400
    response = leader.post(f"/api/v1/dossiers/{d.code}/refuse/", {"reasons": "Không đủ điều kiện", "legal_basis": "Điều 16 Luật Hộ tịch"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "refused"
    events = response.json()
    assert IssuedDocument.objects.filter(dossier__code=d.code, kind="denial").count() == 1
    assert events["allowed_actions"] == []
