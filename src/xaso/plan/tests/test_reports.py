from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xaso.core.models import AuditRecord
from xaso.notifications.models import Message
from xaso.plan import reminders, selectors, services, workflow
from xaso.plan.models import Evidence, ProgressReport, Task
from xaso.plan.tests.factories import import_seed, official, unit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def plan(commune):
    return import_seed(commune).plan


@pytest.fixture
def people(commune):
    return {
        "kt_head": official("kt_head", commune, "kt", "unit_head", "head", phone="0912000001", email="kt@example.vn"),
        "vhxh": official("vhxh", commune, "vhxh", "standing_office", "head", email="vhxh@example.vn"),
        "chair": official("chair", commune, None, "leader", "chairman", email="chair@example.vn"),
        "vp": official("vp_staff", commune, "vp", "specialist"),
    }


def q1(plan):
    return plan.periods.get(kind="quarter", year=2026, number=1)


def submit(report, user, **kw):
    values = {"status": "in_progress", "progress": 40, "done": "Đã tham mưu dự toán.", "difficulties": "", "submit": True}
    values.update(kw)
    return services.save_report(report, user, **values)


def test_submit_accept_with_evidence(plan, people, commune):
    task = Task.objects.get(plan=plan, number=43)
    report = services.open_report(task, q1(plan), unit(commune, "kt"), people["kt_head"])
    assert report.state == workflow.DRAFT
    upload = SimpleUploadedFile("du-toan.pdf", PDF, content_type="application/pdf")
    report = submit(report, people["kt_head"], files=[upload])
    assert report.state == workflow.SUBMITTED and report.submitted_by == people["kt_head"]
    assert Evidence.objects.get(report=report).original_name == "du-toan.pdf"
    assert list(selectors.review_queue(plan)) == [report]
    services.review_report(report, people["vhxh"], workflow.ACCEPT)
    report.refresh_from_db()
    assert report.state == workflow.ACCEPTED
    assert AuditRecord.objects.filter(verb="plan.report.accept", object_id=str(report.pk)).exists()
    assert Message.objects.filter(event="plan.review.accepted", recipient="kt@example.vn").exists()
    # accepted is final
    with pytest.raises(services.PlanError):
        submit(report, people["kt_head"])


def test_return_needs_comment_then_resubmit(plan, people, commune):
    task = Task.objects.get(plan=plan, number=43)
    report = submit(services.open_report(task, q1(plan), unit(commune, "kt"), people["kt_head"]), people["kt_head"])
    with pytest.raises(services.PlanError):
        services.review_report(report, people["vhxh"], workflow.RETURN, "")
    services.review_report(report, people["vhxh"], workflow.RETURN, "Bổ sung số liệu kinh phí.")
    report.refresh_from_db()
    assert report.state == workflow.RETURNED and report.review_comment == "Bổ sung số liệu kinh phí."
    report = submit(report, people["kt_head"], status="done", progress=100)
    assert report.state == workflow.SUBMITTED


def test_only_the_standing_office_reviews(plan, people, commune):
    task = Task.objects.get(plan=plan, number=43)
    report = submit(services.open_report(task, q1(plan), unit(commune, "kt"), people["kt_head"]), people["kt_head"])
    for who in ("kt_head", "chair", "vp"):
        with pytest.raises(services.PlanError):
            services.review_report(report, people[who], workflow.ACCEPT)


def test_state_machine_table():
    assert workflow.next_state(workflow.DRAFT, workflow.SUBMIT)[0] == workflow.SUBMITTED
    assert workflow.next_state(workflow.SUBMITTED, workflow.RETURN)[0] == workflow.RETURNED
    assert workflow.next_state(workflow.RETURNED, workflow.SUBMIT)[0] == workflow.SUBMITTED
    for state, action in [(workflow.DRAFT, workflow.ACCEPT), (workflow.ACCEPTED, workflow.SUBMIT), (workflow.ACCEPTED, workflow.RETURN), (workflow.RETURNED, workflow.ACCEPT)]:
        with pytest.raises(workflow.TransitionError):
            workflow.next_state(state, action)
    assert workflow.allowed_actions(workflow.SUBMITTED, "reviewer") == [workflow.RETURN, workflow.ACCEPT]


def test_not_a_lead_unit_or_not_a_member(plan, people, commune):
    task = Task.objects.get(plan=plan, number=43)  # lead: Phòng Kinh tế
    with pytest.raises(services.PlanError):
        services.open_report(task, q1(plan), unit(commune, "vp"), people["vp"])
    with pytest.raises(services.PlanError):
        services.open_report(task, q1(plan), unit(commune, "kt"), people["vp"])


def test_closed_period_refused(plan, people, commune):
    period = q1(plan)
    services.close_period(period, people["vhxh"])
    task = Task.objects.get(plan=plan, number=43)
    with pytest.raises(services.PlanError) as info:
        services.open_report(task, period, unit(commune, "kt"), people["kt_head"])
    assert "Quý I/2026" in str(info.value) or "Quarter I/2026" in str(info.value)
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    "name,content",
    [("virus.exe", b"MZ\x90\x00"), ("bao-cao.pdf", b"MZ\x90\x00 not a pdf"), ("empty.pdf", b"")],
)
def test_bad_evidence_saves_nothing(plan, people, commune, name, content):
    task = Task.objects.get(plan=plan, number=43)
    report = services.open_report(task, q1(plan), unit(commune, "kt"), people["kt_head"])
    with pytest.raises(services.PlanError) as info:
        submit(report, people["kt_head"], files=[SimpleUploadedFile(name, content)])
    assert name in str(info.value)
    report.refresh_from_db()
    assert report.state == workflow.DRAFT and report.done == "" and not Evidence.objects.exists()


def test_too_large_evidence(plan, people, commune, settings):
    settings.XASO_PLAN_EVIDENCE_MAX_BYTES = 100
    task = Task.objects.get(plan=plan, number=43)
    report = services.open_report(task, q1(plan), unit(commune, "kt"), people["kt_head"])
    with pytest.raises(services.PlanError):
        submit(report, people["kt_head"], files=[SimpleUploadedFile("a.pdf", PDF * 10)])
    assert not Evidence.objects.exists()


def test_done_requires_100(plan, people, commune):
    task = Task.objects.get(plan=plan, number=43)
    report = services.open_report(task, q1(plan), unit(commune, "kt"), people["kt_head"])
    with pytest.raises(services.PlanError):
        submit(report, people["kt_head"], status="done", progress=90)
    with pytest.raises(services.PlanError):
        submit(report, people["kt_head"], progress=101)


def test_contribution_by_coordinating_unit(plan, people, commune):
    task = Task.objects.get(plan=plan, number=21)  # lead VP; coordinating Công an xã, Phòng VH-XH
    vp_head = official("vp_head", commune, "vp", "unit_head", "head")
    report = services.open_report(task, q1(plan), unit(commune, "vp"), vp_head)
    services.add_contribution(report, people["vhxh"], unit(commune, "vhxh"), "Đã phối hợp kiểm tra 2 bộ phận.")
    with pytest.raises(services.PlanError):
        services.add_contribution(report, people["kt_head"], unit(commune, "kt"), "Không phải đơn vị phối hợp.")
    assert report.contributions.count() == 1


def test_rollup_weighted(plan, people, commune):
    period = q1(plan)
    t43 = Task.objects.get(plan=plan, number=43)
    report = submit(services.open_report(t43, period, unit(commune, "kt"), people["kt_head"]), people["kt_head"], status="done", progress=100)
    services.review_report(report, people["vhxh"], workflow.ACCEPT)
    total, areas = selectors.rollup(plan, period)
    area_v = next(a for a in areas if a.area.number == "V")
    assert float(area_v.progress) == pytest.approx(100 / 8, abs=0.1)  # 8 tasks in area V, equal weights
    with pytest.raises(services.PlanError):
        services.set_weight(t43, 7, people["kt_head"])
    services.set_weight(t43, 7, people["vhxh"])
    total, areas = selectors.rollup(plan, period)
    area_v = next(a for a in areas if a.area.number == "V")
    assert float(area_v.progress) == pytest.approx(700 / 14, abs=0.1)
    assert float(total) == pytest.approx(float(area_v.progress) / 6, abs=0.1)


def test_overdue_lists_and_reminders(plan, people, commune):
    period = q1(plan)
    due = period.due_date
    # three days before: reminder to the head of Phòng Kinh tế
    counts = reminders.run_daily(due - timedelta(days=3))
    assert counts["before"] >= 2  # e-mail + SMS to kt_head
    assert Message.objects.filter(recipient="0912000001", event="plan.remind.before").count() == 1
    again = reminders.run_daily(due - timedelta(days=3))
    assert Message.objects.filter(recipient="0912000001", event="plan.remind.before").count() == 1  # dedup
    assert again["before"] >= 2
    counts = reminders.run_daily(due + timedelta(days=1))
    assert counts["after"] >= 2 and counts["digest"] == 2  # standing office + chairman
    late = selectors.overdue_reports(plan, due + timedelta(days=1))
    assert any(m.task.number == 43 and m.unit == unit(commune, "kt") for m in late)
    milestones = selectors.overdue_milestones(plan, date(2026, 4, 1))
    assert any(m.milestone.task.number == 43 and m.due == date(2026, 3, 31) for m in milestones)
    assert any(m.milestone.task.number == 37 and m.due == date(2026, 1, 31) for m in milestones)


def test_report_not_before_period_starts(plan, people, commune):
    future = plan.periods.get(kind="year", year=2030)
    task = Task.objects.get(plan=plan, number=43)
    if future.start > timezone.localdate():
        with pytest.raises(services.PlanError):
            services.open_report(task, future, unit(commune, "kt"), people["kt_head"])


def test_remind_command(plan, people, capsys):
    from django.core.management import call_command

    due = q1(plan).due_date
    call_command("plan", "remind", "--date", (due + timedelta(days=1)).isoformat())
    out = capsys.readouterr().out
    assert Message.objects.filter(event="plan.overdue", recipient="chair@example.vn").exists()
    assert "2" in out
