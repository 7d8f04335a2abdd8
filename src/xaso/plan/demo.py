"""Demo data: the Ngọc Liên 2026–2030 reform plan and a few progress reports (idempotent)."""
from datetime import datetime, time
from pathlib import Path

from django.utils import timezone

from xaso.core.models import Membership, Unit

from . import services, workflow
from .models import Plan, ProgressReport, Task

# The plan document as issued, bundled with the product.
SEED = Path(__file__).resolve().parent / "fixtures" / "ke-hoach-cchc-xa-ngoc-lien-2026-2030.md"

# (task, unit name, period code, status, progress, what was done, difficulties, final state)
REPORTS = [
    (43, "Phòng Kinh tế", "2026-Q1", "done", 100, "Đã tham mưu UBND xã bố trí 120 triệu đồng cho nhiệm vụ cải cách hành chính năm 2026 trong dự toán ngân sách xã.", "", workflow.ACCEPTED),
    (34, "Phòng Văn hóa - Xã hội", "2026-Q1", "in_progress", 40, "Đã xây dựng dự thảo bộ tiêu chí KPI cho cán bộ, công chức; lấy ý kiến các phòng, đơn vị.", "Chưa có hướng dẫn thống nhất của tỉnh về khung KPI cấp xã.", workflow.ACCEPTED),
    (56, "Trung tâm Phục vụ hành chính công", "2026-Q1", "in_progress", 60, "Đã kết nối Hệ thống thông tin giải quyết TTHC của xã với Cổng Dịch vụ công quốc gia; 85 thủ tục được cung cấp trực tuyến toàn trình.", "Đường truyền tại bộ phận một cửa còn chập chờn.", workflow.SUBMITTED),
    (35, "Phòng Văn hóa - Xã hội", "2026-Q1", "in_progress", 25, "Đã ban hành Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức năm 2026; cử 6 công chức dự lớp kỹ năng số.", "", workflow.ACCEPTED),
    (29, "Phòng Văn hóa - Xã hội", "2026-Q2", "in_progress", 50, "Đã phát 300 phiếu khảo sát sự hài lòng; thu về 276 phiếu, đang tổng hợp.", "Một số thôn vùng cao tỷ lệ thu phiếu thấp.", workflow.SUBMITTED),
    (45, "Phòng Kinh tế", "2026-Q2", "in_progress", 30, "Đã rà soát định mức chi thường xuyên năm 2025, đề xuất điều chỉnh 4 nội dung chi.", "", workflow.DRAFT),
]


def demo_commune():
    """The commune of the core demo (its code, when core/demo.py defines one), else the commune
    named Ngọc Liên."""
    try:
        from xaso.core import demo as core_demo
    except ImportError:
        core_demo = None
    for name in ("COMMUNE_CODE", "COMMUNE", "NGOC_LIEN_CODE"):
        code = getattr(core_demo, name, None) if core_demo else None
        if isinstance(code, str):
            unit = Unit.objects.filter(code=code).first()
            if unit:
                return unit
    return Unit.objects.filter(kind__in=Unit.LOCAL_GOVERNMENTS, name__icontains="Ngọc Liên").order_by("pk").first()


def _member(unit, roles=("unit_head", "specialist", "reception", "standing_office")):
    """The official who reports for a unit: its head if it has one."""
    for role in roles:
        m = Membership.objects.filter(unit=unit, role=role, is_active=True).select_related("user").order_by("pk").first()
        if m:
            return m.user
    return None


def _reviewer(plan):
    m = Membership.objects.filter(unit_id__in=plan.commune.descendant_ids(), role="standing_office", is_active=True).select_related("user").first()
    return m.user if m else None


def load(stdout):
    commune = demo_commune()
    if commune is None:
        stdout.write("  no commune named Ngọc Liên: plan skipped")
        return
    summary = services.import_file(SEED.name, SEED.read_bytes(), commune)
    plan = summary.plan
    stdout.write(f"  {plan}: {summary.areas} areas, {summary.tasks} tasks, {summary.milestones} milestones ({summary.flags} to date), {summary.changes} changes")
    if summary.unmapped:
        stdout.write("  unit names not mapped: " + "; ".join(sorted(summary.unmapped)))
    from . import selectors

    reviewer = _reviewer(plan)
    today = timezone.localdate()
    made = 0
    for number, unit_name, code, status, progress, done, difficulties, final in REPORTS:
        task = Task.objects.filter(plan=plan, number=number).first()
        unit = task.lead_units.filter(name__iexact=unit_name).first() if task else None
        period = selectors.period_by_code(plan, code)
        if not (task and unit and period) or period.start > today:
            continue
        if ProgressReport.objects.filter(task=task, period=period, unit=unit).exists():
            continue
        author = _member(unit)
        if author is None:
            continue
        report = ProgressReport.objects.create(task=task, period=period, unit=unit)
        services.save_report(report, author, status=status, progress=progress, done=done, difficulties=difficulties, submit=final != workflow.DRAFT)
        if final != workflow.DRAFT:
            # submitted within the period's deadline
            ProgressReport.objects.filter(pk=report.pk).update(submitted_at=timezone.make_aware(datetime.combine(period.due_date, time(9, 0))))
        if final == workflow.ACCEPTED and reviewer is not None:
            services.review_report(report, reviewer, workflow.ACCEPT)
        made += 1
    stdout.write(f"  progress reports created: {made}")
