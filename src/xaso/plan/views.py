"""Staff pages of the reform plan: the unit's report form, the standing office's review
queue, the chairman's overview, downloads of the periodic report."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xaso.core.models import Unit

from . import selectors, services, workflow
from .forms import ContributionForm, ReportForm, ReviewForm
from .models import Evidence, Plan, ProgressReport, Task

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan(request):
    plans = selectors.plans_for(request.user)
    wanted = request.GET.get("ke_hoach")
    plan = plans.filter(pk=wanted).first() if wanted and wanted.isdigit() else plans.first()
    if plan is None:
        raise Http404(_("No reform plan has been imported for your commune yet."))
    return plan


def _period(request, plan, default_kind="quarter"):
    code = request.GET.get("ky", "")
    period = selectors.period_by_code(plan, code) if code else selectors.current_period(plan, kind=default_kind)
    if period is None:
        raise Http404(_("No such reporting period."))
    return period


LATE_PAGE_SIZE = 25


@login_required
def overview(request):
    plan = _plan(request)
    if not selectors.can_see_overview(request.user, plan):
        return redirect("plan:my_reports")
    period = _period(request, plan)
    total, areas = selectors.rollup(plan, period)
    from django.core.paginator import Paginator

    late = selectors.overdue_reports(plan)
    late_page = Paginator(late, LATE_PAGE_SIZE).get_page(request.GET.get("trang"))
    own = {u.pk for u in selectors.own_units(request.user, plan)}
    context = {
        "plan": plan,
        "period": period,
        "periods": plan.periods.filter(start__lte=timezone.localdate()).order_by("-end"),
        "total": total,
        "areas": areas,
        "late_reports": late,
        "late_page": late_page,
        "own_unit_ids": own,
        "late_milestones": selectors.overdue_milestones(plan),
        "flagged": selectors.flagged_milestones(plan),
        "queue_count": selectors.review_queue(plan).count(),
        "is_standing_office": selectors.is_standing_office(request.user, plan),
    }
    return render(request, "plan/overview.html", context)


@login_required
def my_reports(request):
    plan = _plan(request)
    units = selectors.own_units(request.user, plan)
    if not units and not request.user.is_superuser:
        raise PermissionDenied
    unit_ids = {u.pk for u in units}
    rows = []
    for period in selectors.open_periods(plan)[:6]:
        have = selectors.reports_by_pair(period)
        for task, unit in selectors.expected_reports(period, unit_ids):
            rows.append({"period": period, "task": task, "unit": unit, "report": have.get((task.pk, unit.pk))})
    coordinating = (
        ProgressReport.objects.filter(period__plan=plan, task__coordinating_units__in=unit_ids, period__closed=False)
        .exclude(state=workflow.ACCEPTED)
        .select_related("task", "unit", "period")
        .distinct()
    )
    return render(request, "plan/my_reports.html", {"plan": plan, "rows": rows, "coordinating": coordinating, "units": units})


@login_required
def report_form(request, code, number, unit_id):
    plan = _plan(request)
    period = selectors.period_by_code(plan, code)
    task = get_object_or_404(Task, plan=plan, number=number)
    unit = get_object_or_404(Unit, pk=unit_id)
    if period is None:
        raise Http404
    if unit not in selectors.own_units(request.user, plan) and not request.user.is_superuser:
        raise PermissionDenied
    report = ProgressReport.objects.filter(task=task, period=period, unit=unit).first()
    editable = report is None or report.state in workflow.EDITABLE
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid() and editable:
            data = form.cleaned_data
            try:
                report = report or services.open_report(task, period, unit, request.user)
                services.save_report(
                    report,
                    request.user,
                    status=data["status"],
                    progress=data["progress"],
                    done=data["done"],
                    difficulties=data["difficulties"],
                    files=data["files"],
                    submit="submit" in request.POST,
                )
            except services.PlanError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The report was submitted.") if "submit" in request.POST else _("The draft was saved."))
                return redirect("plan:my_reports")
    else:
        initial = {"status": "in_progress", "progress": 0}
        if report:
            initial = {"status": report.status, "progress": report.progress, "done": report.done, "difficulties": report.difficulties}
        form = ReportForm(initial=initial)
    return render(request, "plan/report_form.html", {"plan": plan, "period": period, "task": task, "unit": unit, "report": report, "form": form, "editable": editable})


@login_required
def report_detail(request, pk):
    report = get_object_or_404(ProgressReport.objects.select_related("task", "unit", "period__plan"), pk=pk)
    plan = report.period.plan
    if not selectors.can_view(request.user, plan):
        raise PermissionDenied
    own = selectors.own_units(request.user, plan)
    coordinating_units = [u for u in own if report.task.coordinating_units.filter(pk=u.pk).exists()]
    is_reviewer = selectors.is_standing_office(request.user, plan)
    context = {
        "report": report,
        "plan": plan,
        "review_form": ReviewForm() if is_reviewer and report.state == workflow.SUBMITTED else None,
        "contribution_form": ContributionForm(units=coordinating_units) if coordinating_units and report.state != workflow.ACCEPTED else None,
    }
    return render(request, "plan/report_detail.html", context)


@login_required
@require_POST
def review(request, pk):
    report = get_object_or_404(ProgressReport, pk=pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    action = workflow.ACCEPT if "accept" in request.POST else workflow.RETURN
    try:
        services.review_report(report, request.user, action, form.cleaned_data.get("comment", ""))
    except services.PlanError as exc:
        messages.error(request, str(exc))
        return redirect("plan:report_detail", pk=pk)
    messages.success(request, _("The report was accepted.") if action == workflow.ACCEPT else _("The report was returned to the unit."))
    return redirect("plan:review_queue")


@login_required
@require_POST
def contribute(request, pk):
    report = get_object_or_404(ProgressReport.objects.select_related("period__plan", "task"), pk=pk)
    units = selectors.own_units(request.user, report.period.plan)
    form = ContributionForm(request.POST, units=units)
    if form.is_valid():
        try:
            services.add_contribution(report, request.user, form.cleaned_data["unit"], form.cleaned_data["text"])
        except services.PlanError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your unit's contribution was added."))
    else:
        messages.error(request, _("Choose your unit and write the contribution."))
    return redirect("plan:report_detail", pk=pk)


@login_required
def review_queue(request):
    plan = _plan(request)
    if not selectors.is_standing_office(request.user, plan):
        raise PermissionDenied
    return render(request, "plan/review_queue.html", {"plan": plan, "reports": selectors.review_queue(plan)})


@login_required
@require_safe
def evidence(request, pk):
    item = get_object_or_404(Evidence.objects.select_related("report__period__plan"), pk=pk)
    if not selectors.can_view(request.user, item.report.period.plan):
        raise PermissionDenied
    from xaso.core.uploads import attachment_response, stored_content_type

    return attachment_response(item.file.open("rb"), item.original_name, stored_content_type(item.file, item.content_type))


def _can_download(user, plan):
    return selectors.can_see_overview(user, plan)


@login_required
@require_safe
def download_report(request, code):
    from . import reports

    plan = _plan(request)
    if not _can_download(request.user, plan):
        raise PermissionDenied
    period = selectors.period_by_code(plan, code)
    if period is None:
        raise Http404
    data = reports.build_docx(period)
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-cchc-{period.code}.docx"'
    return response


@login_required
@require_safe
def download_annex(request, code):
    from . import reports

    plan = _plan(request)
    if not _can_download(request.user, plan):
        raise PermissionDenied
    period = selectors.period_by_code(plan, code)
    if period is None:
        raise Http404
    response = HttpResponse(reports.build_annex(period), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="phu-luc-cchc-{period.code}.xlsx"'
    return response


@login_required
@require_safe
def export_plan(request):
    plan = _plan(request)
    if not selectors.can_see_overview(request.user, plan):
        raise PermissionDenied
    from io import BytesIO

    from openpyxl import Workbook

    from xaso.core.spreadsheets import append_row

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Nhiệm vụ"
    for row in services.export_rows(plan):
        append_row(sheet, row)  # text stays text, never a formula
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{plan.pk}.xlsx"'
    return response


def _office_post(request, action):
    """Run a standing-office action from a small form on the overview and come back."""
    try:
        action()
    except services.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    # Back to the page the form was on: a path of this site only (never another site).
    from xaso.core.two_factor_urls import safe_next

    return redirect(safe_next(request, request.POST.get("next")) or reverse("plan:overview"))


@login_required
@require_POST
def set_milestone_date(request, pk):
    from datetime import date

    from .models import Milestone

    milestone = get_object_or_404(Milestone.objects.select_related("task__plan"), pk=pk)
    try:
        due = date.fromisoformat(request.POST.get("due_date", ""))
    except ValueError:
        messages.error(request, _("Enter a date."))
        return redirect("plan:overview")
    return _office_post(request, lambda: services.set_milestone_date(milestone, due, request.user))


@login_required
@require_POST
def set_decision(request):
    """The standing office records the number and date of the plan's issuing decision."""
    from datetime import date

    plan = _plan(request)
    try:
        day = date.fromisoformat(request.POST.get("decision_date", ""))
    except ValueError:
        messages.error(request, _("Enter the date the decision was signed."))
        return redirect("plan:overview")
    return _office_post(request, lambda: services.set_decision(plan, request.POST.get("decision_number", ""), day, request.user))


@login_required
@require_POST
def set_area_weight(request, pk):
    from .models import Area

    area = get_object_or_404(Area.objects.select_related("plan"), pk=pk)
    return _office_post(request, lambda: services.set_weight(area, request.POST.get("weight", ""), request.user))


@login_required
@require_POST
def close_period(request, code):
    plan = _plan(request)
    period = selectors.period_by_code(plan, code)
    if period is None:
        raise Http404
    return _office_post(request, lambda: services.close_period(period, request.user))
