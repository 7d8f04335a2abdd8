"""The plan page and the periodic report state what the records say: the issuing decision's
number and date (or a marked blank), every overdue report (paged, with the task and a link),
the period's dossier figures, and the difficulties the records show; only what a person must
write is left as a marked blank."""
from datetime import date

import pytest
from django.urls import reverse

from xaso.core.models import AuditRecord
from xaso.plan import reports, selectors, services
from xaso.plan.tests.factories import import_seed, official, unit
from xaso.plan.tests.test_documents import docx_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(commune, settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    plan = import_seed(commune).plan
    office = official("vhxh", commune, "vhxh", "standing_office", "head")
    chair = official("chair", commune, None, "leader", "chairman")
    kt = official("kt_head", commune, "kt", "unit_head", "head")
    return plan, office, chair, kt


def test_the_draft_decision_prints_a_marked_blank_until_recorded(setup, client):
    plan, office, chair, kt = setup
    assert plan.decision_number == "" and plan.decision_date is None  # the seed is an unsigned draft
    assert plan.decision_text() == "Quyết định số …/QĐ-UBND ngày …/…/… của Ủy ban nhân dân xã Ngọc Liên [số, ngày ban hành chưa ghi nhận]"
    client.force_login(chair)
    html = client.get(reverse("plan:overview")).content.decode()
    assert "số, ngày ban hành chưa ghi nhận" in html
    assert 'action="/ke-hoach/quyet-dinh/"' not in html  # the chairman reads; the office records
    with pytest.raises(services.PlanError):
        services.set_decision(plan, "125/QĐ-UBND", date(2026, 3, 16), chair)
    client.force_login(office)
    response = client.post(reverse("plan:set_decision"), {"decision_number": "125/QĐ-UBND", "decision_date": "2026-03-16"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.decision_text() == "Quyết định số 125/QĐ-UBND ngày 16/03/2026 của Ủy ban nhân dân xã Ngọc Liên"
    assert AuditRecord.objects.filter(object_type="plan.plan", object_id=str(plan.pk)).exists()
    # Bad input: a clear message, nothing changed.
    client.post(reverse("plan:set_decision"), {"decision_number": "abc", "decision_date": "2026-03-16"})
    client.post(reverse("plan:set_decision"), {"decision_number": "1/QĐ-UBND", "decision_date": "hôm nay"})
    plan.refresh_from_db()
    assert plan.decision_number == "125/QĐ-UBND"
    q1 = plan.periods.get(kind="quarter", year=2026, number=1)
    _, text = docx_text(reports.build_docx(q1))
    assert "(Quyết định số 125/QĐ-UBND ngày 16/03/2026 của Ủy ban nhân dân xã Ngọc Liên)" in text


@pytest.fixture
def mid_2027(monkeypatch):
    """Today is 1 June 2027: every 2026 report not submitted is overdue."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2027, 6, 1))


def test_overdue_reports_are_paged_with_their_task_and_links(setup, client, mid_2027):
    plan, office, chair, kt = setup
    late = selectors.overdue_reports(plan)
    assert len(late) > 25
    client.force_login(chair)
    html = client.get(reverse("plan:overview")).content.decode()
    assert f"Báo cáo quá hạn ({len(late)})" in html
    table = html.split('id="late-reports"')[1].split("</tbody>")[0]
    assert table.count("<tr><td>") == 25
    pages = -(-len(late) // 25)
    assert f"Trang 1/{pages}" in html and "trang=2#late-reports" in html
    second = client.get(reverse("plan:overview"), {"trang": 2}).content.decode()
    assert f"Trang 2/{pages}" in second
    # A task is named by its number and its text; the chairman gets no link to a form of a
    # unit that is not theirs.
    first = late[0]
    assert f"Nhiệm vụ {first.task.number}: {first.task.text[:30]}" in table
    assert "/ky/" not in table
    # A report that exists (a draft, or one returned) is linked to its page.
    mine = next(m for m in late if m.unit == unit(plan.commune, "kt"))
    report = services.open_report(mine.task, mine.period, mine.unit, kt)
    late = selectors.overdue_reports(plan)
    page = next(i // 25 + 1 for i, m in enumerate(late) if m.report and m.report.pk == report.pk)
    html = client.get(reverse("plan:overview"), {"trang": page}).content.decode()
    assert reverse("plan:report_detail", args=[report.pk]) in html


def test_report_states_the_records(setup, world_dossiers, mid_2027):
    plan, office, chair, kt = setup
    q1 = plan.periods.get(kind="quarter", year=2026, number=1)
    context = reports.context(q1)
    figures = context["figures"]
    assert figures["received"] == 3 and figures["finished"] == 2 and figures["on_time"] == 1 and figures["late"] == 1
    assert context["dossiers"][0] == "Tiếp nhận 3 hồ sơ, trong đó 0 hồ sơ trực tuyến."
    assert context["dossiers"][1].startswith("Giải quyết xong 2 hồ sơ: 1 hồ sơ trước và đúng hạn (50%), 1 hồ sơ quá hạn")
    assert any("hồ sơ thủ tục hành chính giải quyết quá hạn trong kỳ" in d for d in context["difficulties"])
    # Never "no difficulty" while records show some; the person's part is a marked blank.
    assert not any(d.startswith("Không có khó khăn") for d in context["difficulties"])
    assert context["difficulties"][-1] == reports.PERSON_BLANK
    assert context["next_steps"].endswith("[Nhiệm vụ khác do cán bộ tổng hợp bổ sung.]")
    _, text = docx_text(reports.build_docx(q1))
    assert "III. GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TRONG KỲ" in text and "Tiếp nhận 3 hồ sơ" in text
    assert "[Phần do cán bộ tổng hợp bổ sung" in text


@pytest.fixture
def world_dossiers(setup, commune):
    """Three dossiers of the commune received in Q1 2026 (3 working days each): A finished on
    time, B finished after its legal due date although an apology re-dated it, C running."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.core.files.base import ContentFile

    from xaso.dossiers import services as dossiers
    from xaso.dossiers.services import Applicant, ProcedureTerms

    tz = ZoneInfo("Asia/Ho_Chi_Minh")

    def at(m, d, h=9, mi=0):
        return datetime(2026, m, d, h, mi, tzinfo=tz)

    plan, office, chair, kt = setup
    centre, dept = unit(commune, "hcc"), unit(commune, "vhxh")
    centre.identifier, dept.identifier = "004.01.99.H56", "002.01.99.H56"
    centre.save()
    dept.save()
    reception = official("motcua", commune, "hcc", "reception", "reception_officer")
    specialist = official("cv", commune, "vhxh", "specialist", "specialist")
    head = official("tp", commune, "vhxh", "unit_head", "head")
    terms = ProcedureTerms(
        code="1.001193", name="Đăng ký khai sinh", field_name="Hộ tịch", days=3, competent_unit=dept,
        steps=[{"name": "Thẩm định", "role": "specialist", "share": 60}], documents=[],
    )
    pdf = ContentFile(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", name="kq.pdf")

    def run(received, apology_at=None, submit=None, ready=None):
        d = dossiers.intake(officer=reception, terms=terms, applicant=Applicant(name="Nguyễn Văn An"), components=[], receiving_unit=centre, now=received)
        if submit is None:
            return d
        d = dossiers.transfer(d, reception, now=received)
        d = dossiers.assign(d, head, specialist=specialist, now=received)
        if apology_at:
            dossiers.apologise(d, chair, reason="Chờ xác minh", new_due_at=at(3, 12, 9), now=apology_at)
        d = dossiers.submit_for_approval(d, specialist, now=submit)
        d = dossiers.approve(d, chair, now=submit)
        return dossiers.result_ready(d, specialist, result_number="1", result_file=pdf, now=ready)

    run(at(3, 2, 9), submit=at(3, 3, 9), ready=at(3, 4, 9))  # due Thu 05/03 09:00: on time
    run(at(3, 2, 10), apology_at=at(3, 3, 9), submit=at(3, 9, 9), ready=at(3, 10, 9))  # due 05/03 10:00: late
    run(at(3, 20, 9))
