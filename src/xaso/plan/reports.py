"""The periodic report "Báo cáo kết quả thực hiện công tác cải cách hành chính" (quarter,
six months, year) as DOCX in the layout of Decree 30/2020/NĐ-CP, and its XLSX annex listing
every task and its status.

The DOCX comes from a docxtpl template: the active uploaded ``ReportTemplate``, else the file
named by ``XASO_PLAN_REPORT_TEMPLATE``, else the bundled ``report_templates/bao-cao-cchc.docx``.
"""
from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import selectors, workflow
from .models import ProgressReport, ReportTemplate
from .report_templates.build import TEMPLATE as BUNDLED_TEMPLATE

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
STATUS_VI = {
    ProgressReport.Status.NOT_STARTED: "chưa triển khai",
    ProgressReport.Status.IN_PROGRESS: "đang thực hiện",
    ProgressReport.Status.DONE: "hoàn thành",
    ProgressReport.Status.LATE: "chậm tiến độ",
}
DEFAULT_RECIPIENTS = ["Sở Nội vụ (để b/c);", "TTr Đảng ủy, HĐND xã (để b/c);", "Chủ tịch, các PCT UBND xã;", "Các phòng, đơn vị trực thuộc xã;", "Lưu: VT, VHXH."]


def template_source():
    uploaded = ReportTemplate.objects.filter(is_active=True).order_by("-uploaded_at").first()
    if uploaded:
        return io.BytesIO(uploaded.file.open("rb").read())
    configured = getattr(settings, "XASO_PLAN_REPORT_TEMPLATE", "")
    if configured:
        return str(Path(configured))
    return str(BUNDLED_TEMPLATE)


def period_phrase(period) -> str:
    if period.kind == "quarter":
        return f"quý {ROMAN[period.number]} năm {period.year}"
    if period.kind == "half":
        return f"6 tháng đầu năm {period.year}"
    return f"năm {period.year}"


def vn_date(place: str, day) -> str:
    # Decree 30/2020 Appendix I: days below 10 and months 1, 2 take a leading zero.
    d = f"{day.day:02d}" if day.day < 10 else str(day.day)
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {d} tháng {m} năm {day.year}"


def _fmt(value, unit="%"):
    if value is None:
        return "chưa có số liệu"
    text = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _chairman(plan):
    from xaso.core.models import Membership

    m = (
        Membership.objects.filter(unit=plan.commune, role="leader", position="chairman", is_active=True).select_related("user").first()
        or Membership.objects.filter(unit__in=plan.commune.descendant_ids(), position="chairman", is_active=True).select_related("user").first()
    )
    return m.user.display_name if m else ""


def context(period, progress=None) -> dict:
    from xaso.indicators import selectors as indicator_selectors

    plan = period.plan
    tick = progress or (lambda n=1: None)
    commune = plan.commune
    place = commune.short_name or commune.name.replace("Xã ", "").replace("Phường ", "")
    in_text = commune.name[:1].lower() + commune.name[1:]  # "xã Ngọc Liên"
    total, areas = selectors.rollup(plan, period)
    tick(20)
    reports = {}
    for report in ProgressReport.objects.filter(period=period).select_related("unit"):
        reports.setdefault(report.task_id, []).append(report)
    area_rows, difficulties = [], []
    for index, area_progress in enumerate(areas, start=1):
        counts = {"accepted": 0, "missing": 0, "done": 0, "in_progress": 0, "late": 0, "not_started": 0}
        task_rows = []
        for task in area_progress.tasks:
            accepted = [r for r in reports.get(task.pk, []) if r.state == workflow.ACCEPTED]
            if not accepted:
                counts["missing"] += 1
                continue
            counts["accepted"] += 1
            for r in accepted:
                counts[r.status] += 1
                if r.difficulties:
                    difficulties.append(f"Nhiệm vụ {task.number} ({r.unit}): {r.difficulties}")
            task_rows.append(
                {
                    "number": task.number,
                    "units": ", ".join(str(r.unit) for r in accepted),
                    "status": "; ".join(STATUS_VI[r.status] for r in accepted),
                    "progress": f"{round(sum(r.progress for r in accepted) / len(accepted))}%",
                    "done": " ".join(r.done.strip().rstrip(".") + "." for r in accepted if r.done.strip()),
                }
            )
        summary = (
            f"Lĩnh vực có {len(area_progress.tasks)} nhiệm vụ; {counts['accepted']} nhiệm vụ có báo cáo được duyệt "
            f"(hoàn thành: {counts['done']}, đang thực hiện: {counts['in_progress']}, chậm tiến độ: {counts['late']}, "
            f"chưa triển khai: {counts['not_started']}); {counts['missing']} nhiệm vụ chưa có báo cáo được duyệt. "
            f"Tiến độ bình quân: {_fmt(area_progress.progress)}."
        )
        area_rows.append({"index": index, "title": area_progress.area.title.upper(), "summary": summary, "tasks": task_rows})
    tick(30)
    targets = []
    for status in indicator_selectors.targets_for(plan, period):
        t = status.target
        sign = indicator_selectors.comparison_sign(t)
        targets.append(
            {
                "name": t.name,
                "source": t.source,
                "threshold": f"{sign} {_fmt(status.threshold, t.unit_of_measure)}" if status.threshold is not None else "chưa đặt",
                "value": _fmt(status.value, t.unit_of_measure),
                "met": {True: "Đạt", False: "Chưa đạt", None: "Chưa đánh giá"}[status.met],
            }
        )
    tick(30)
    today = timezone.localdate()
    figures = indicator_selectors.dossier_figures(plan, period)
    dossier_lines = _dossier_lines(figures)
    late_reports = [m for m in selectors.overdue_reports(plan, today) if m.period.end <= period.end]
    late_milestones = [m for m in selectors.overdue_milestones(plan, today) if m.due <= period.end]
    # What the records show, first; then what the units wrote; a person completes the rest.
    recorded = []
    if late_reports:
        units = sorted({str(m.unit) for m in late_reports})
        recorded.append(
            f"{len(late_reports)} báo cáo nhiệm vụ đến hạn chưa được nộp hoặc chưa được duyệt"
            f" (đơn vị: {', '.join(units[:8])}{', …' if len(units) > 8 else ''})."
        )
    if late_milestones:
        recorded.append(f"{len(late_milestones)} mốc thời gian của nhiệm vụ đã quá hạn mà chưa có báo cáo hoàn thành.")
    if figures["late"]:
        recorded.append(f"{figures['late']}/{figures['finished']} hồ sơ thủ tục hành chính giải quyết quá hạn trong kỳ.")
    if figures["overdue_now"]:
        recorded.append(f"{figures['overdue_now']} hồ sơ đang quá hạn mà chưa có phiếu xin lỗi và hẹn lại.")
    unmet = [t["name"] for t in targets if t["met"] == "Chưa đạt"]
    if unmet:
        recorded.append(f"{len(unmet)} chỉ tiêu chưa đạt: {'; '.join(unmet[:5])}{'; …' if len(unmet) > 5 else ''}.")
    symbol = getattr(settings, "XASO_PLAN_REPORT_SYMBOL", "BC-UBND")
    return {
        "issuer_parent": "ỦY BAN NHÂN DÂN",
        "issuer": commune.name.upper(),
        "number_symbol": f"        /{symbol}",
        "place_date": vn_date(place, today),
        "subject": f"Kết quả thực hiện công tác cải cách hành chính {period_phrase(period)}",
        "intro": (
            f"Thực hiện {plan.title} ({plan.decision_text()}), Ủy ban nhân dân {in_text} báo cáo kết quả thực hiện "
            f"công tác cải cách hành chính {period_phrase(period)} (từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y}) như sau:"
        ),
        "overall": f"Tiến độ chung của Kế hoạch (bình quân có trọng số các lĩnh vực): {_fmt(total)}.",
        "areas": area_rows,
        "year": period.year,
        "targets": targets,
        "decision": plan.decision_text(),
        "dossiers": dossier_lines,
        "figures": figures,
        "difficulties": recorded + difficulties + [PERSON_BLANK],
        "next_steps": _next_steps(late_reports, late_milestones, unmet, figures),
        "closing": f"Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính {period_phrase(period)} của Ủy ban nhân dân {in_text}./.",
        "recipients": list(getattr(settings, "XASO_PLAN_REPORT_RECIPIENTS", DEFAULT_RECIPIENTS)),
        "signer_capacity": "TM. ỦY BAN NHÂN DÂN",
        "signer_title": "CHỦ TỊCH",
        "signer_name": _chairman(plan),
    }


# Where a person completes the report: marked, so it is never printed as if the records said it.
PERSON_BLANK = "[Phần do cán bộ tổng hợp bổ sung: nguyên nhân, khó khăn, vướng mắc khác — nếu không có, xóa dòng này.]"


def _dossier_lines(f) -> list[str]:
    """The dossier figures of the period as the report states them (counted against the legal
    due date; an apology's new date does not make a dossier on time)."""
    lines = [f"Tiếp nhận {f['received']} hồ sơ, trong đó {f['online']} hồ sơ trực tuyến."]
    if f["finished"]:
        share = f" ({_fmt(Decimal(f['on_time'] * 100) / f['finished'])})"
        lines.append(
            f"Giải quyết xong {f['finished']} hồ sơ: {f['on_time']} hồ sơ trước và đúng hạn{share}, {f['late']} hồ sơ quá hạn"
            f" (tính theo thời hạn theo quy định); trong đó {f['refused']} hồ sơ từ chối giải quyết, {f['stopped']} hồ sơ dừng giải quyết theo đề nghị."
        )
    else:
        lines.append("Không có hồ sơ giải quyết xong trong kỳ.")
    lines.append(f"{f['apologies']} phiếu xin lỗi và hẹn lại ngày trả kết quả được ban hành trong kỳ.")
    return lines


def _next_steps(late_reports, late_milestones, unmet, figures) -> str:
    parts = []
    if late_reports:
        parts.append(f"hoàn thành {len(late_reports)} báo cáo nhiệm vụ còn thiếu")
    if late_milestones:
        parts.append(f"{len(late_milestones)} mốc nhiệm vụ quá hạn")
    if unmet:
        parts.append(f"{len(unmet)} chỉ tiêu chưa đạt")
    if figures["overdue_now"]:
        parts.append(f"giải quyết dứt điểm {figures['overdue_now']} hồ sơ đang quá hạn")
    focus = ("Tập trung " + "; ".join(parts) + ". ") if parts else ""
    return focus + "[Nhiệm vụ khác do cán bộ tổng hợp bổ sung.]"


def build_docx(period, progress=None) -> bytes:
    from docxtpl import DocxTemplate

    tick = progress or (lambda n=1: None)
    data = context(period, progress=tick)
    from jinja2.sandbox import SandboxedEnvironment

    document = DocxTemplate(template_source())
    # The template is replaceable: Jinja's sandbox keeps a template from Python internals.
    document.render(data, jinja_env=SandboxedEnvironment(autoescape=True))
    buffer = io.BytesIO()
    document.save(buffer)
    tick(20)
    return buffer.getvalue()


def build_annex(period) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from xaso.core.spreadsheets import append_row  # reports' text stays text, never a formula

    plan = period.plan
    by_task = {}
    for report in ProgressReport.objects.filter(period=period).select_related("unit"):
        by_task.setdefault(report.task_id, []).append(report)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Phụ lục"
    append_row(sheet, [f"PHỤ LỤC: TÌNH HÌNH THỰC HIỆN NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH {period_phrase(period).upper()}"])
    append_row(sheet, [])
    header = ["TT", "Nội dung thực hiện", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Đơn vị báo cáo", "Tình trạng", "Tiến độ (%)", "Kết quả", "Khó khăn, vướng mắc", "Trạng thái duyệt"]
    append_row(sheet, header)
    for cell in sheet[3]:
        cell.font = Font(name="Times New Roman", bold=True)
    for area in plan.areas.prefetch_related("tasks"):
        append_row(sheet, [area.number, area.title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(name="Times New Roman", bold=True)
        sheet.cell(row=sheet.max_row, column=2).font = Font(name="Times New Roman", bold=True)
        for task in area.tasks.order_by("number"):
            base = [task.number, task.text, task.lead_text, task.coordinating_text, task.deadline_text]
            reports = by_task.get(task.pk, [])
            if not reports:
                append_row(sheet, base + ["", "chưa báo cáo", None, "", "", ""])
            for r in reports:
                append_row(sheet, base + [str(r.unit), STATUS_VI[r.status], r.progress, r.done, r.difficulties, r.get_state_display()])
    for column, width in zip("ABCDEFGHIJK", (6, 60, 25, 25, 20, 25, 15, 10, 40, 30, 15)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if not cell.font.bold:
                cell.font = Font(name="Times New Roman")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
