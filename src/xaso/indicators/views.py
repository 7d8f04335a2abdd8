"""Staff pages: targets with their thresholds, values and sources; officials' KPIs."""
from django.contrib import messages
from django.db.models import BooleanField, ExpressionWrapper
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from xaso.core.models import Membership, User
from xaso.plan import selectors as plan_selectors
from xaso.plan.services import PlanError
from xaso.plan.views import _period, _plan

from . import kpi, kpi_sources, registry, selectors, services
from .sources import dossiers as sources
from .sources import kpi as kpi_dossiers
from .forms import ReportValueForm, ThresholdForm
from .models import KpiWeights, ReportedValue, Target


@login_required
def targets(request):
    plan = _plan(request)
    if not plan_selectors.can_view(request.user, plan):
        raise PermissionDenied
    period = _period(request, plan)
    own = {u.pk for u in plan_selectors.own_units(request.user, plan)}
    is_office = plan_selectors.is_standing_office(request.user, plan)
    rows = []
    for status in selectors.targets_for(plan, period):
        t = status.target
        can_report = t.method == Target.Method.REPORTED and (is_office or (t.reporting_unit_id in own))
        rows.append({"s": status, "sign": selectors.comparison_sign(t), "can_report": can_report})
    lateness = None
    if plan_selectors.can_see_overview(request.user, plan):
        lateness = [(key, LATENESS_LABELS[key], qs.count()) for key, qs in sources.lateness(plan.commune, period.start, period.end).items()]
    return render(
        request,
        "indicators/targets.html",
        {
            "plan": plan,
            "period": period,
            "rows": rows,
            "periods": plan.periods.order_by("-end"),
            "is_office": is_office,
            "form": ReportValueForm(),
            "threshold_form": ThresholdForm(),
            "lateness": lateness,
        },
    )


LATENESS_LABELS = sources.LATENESS_LABELS
RECORD_PAGE_SIZE = 50


def _records_page(request, plan, period, title, counted, base, subtitle="", extra=None):
    from django.core.paginator import Paginator

    which = request.GET.get("tap", "tu")
    qs = counted if which == "tu" or base is None else base
    page = Paginator(qs.select_related("competent_unit").order_by("received_at", "pk"), RECORD_PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "indicators/records.html",
        {"plan": plan, "period": period, "title": title, "subtitle": subtitle, "page": page, "which": which, "has_base": base is not None, **(extra or {})},
    )


@login_required
def target_records(request, pk):
    """The dossiers behind a measured target's number (numerator, or the whole)."""
    plan = _plan(request)
    if not plan_selectors.can_view(request.user, plan):
        raise PermissionDenied
    target = get_object_or_404(Target, pk=pk, plan=plan, method=Target.Method.MEASURED)
    period = _period(request, plan)
    m = registry.evaluate(target.metric, plan.commune, period.start, period.end)
    if m is None or m.records is None:
        raise Http404(_("No records stand behind this number."))
    return _records_page(request, plan, period, target.name, m.records, m.base, _("%(num)s / %(den)s") % {"num": m.numerator, "den": m.denominator})


@login_required
def lateness_records(request, kind):
    plan = _plan(request)
    if not plan_selectors.can_see_overview(request.user, plan):
        raise PermissionDenied
    period = _period(request, plan)
    lists = sources.lateness(plan.commune, period.start, period.end)
    if kind not in lists:
        raise Http404
    by_unit, by_official = sources.lateness_by_unit_and_official(kind, lists[kind])
    breakdown = [
        (_("By unit"), _("Unit"), by_unit, _("(unit not recorded)")),
        (_("By official"), _("Official"), by_official, _("(official not named)")),
    ]
    return _records_page(request, plan, period, LATENESS_LABELS[kind], lists[kind], None, extra={"breakdown": breakdown})


@login_required
@require_POST
def report_value(request, pk):
    target = get_object_or_404(Target.objects.select_related("plan"), pk=pk)
    period = plan_selectors.period_by_code(target.plan, request.POST.get("ky", ""))
    if period is None:
        raise Http404
    form = ReportValueForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Enter the value as a number."))
    else:
        try:
            services.report_value(target, period, request.user, form.cleaned_data["value"], form.cleaned_data["note"], form.cleaned_data["evidence"])
        except PlanError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The value was recorded."))
    return redirect(f"{reverse('indicators:targets')}?ky={period.code}")


@login_required
@require_POST
def set_threshold(request, pk):
    target = get_object_or_404(Target.objects.select_related("plan"), pk=pk)
    form = ThresholdForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the year and the threshold as numbers."))
    else:
        try:
            services.set_threshold(target, form.cleaned_data["year"], form.cleaned_data["value"], request.user)
        except PlanError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The threshold was set."))
    return redirect("indicators:targets")


COMPONENT_LABELS = {
    "volume": _lazy("Dossiers handled (volume)"),
    "on_time": _lazy("Dossiers on time"),
    "rating": _lazy("Citizens' ratings"),
    "tasks_on_time": _lazy("Plan reports on time"),
    "tasks_accepted": _lazy("Plan reports accepted"),
}


def _weights(commune) -> kpi.Weights:
    row = KpiWeights.objects.filter(commune=commune).first()
    if row is None:
        return kpi.Weights()
    return kpi.Weights(row.volume, row.on_time, row.rating, row.tasks_on_time, row.tasks_accepted, row.volume_norm)


def kpi_of(user, period, weights):
    dossiers = kpi_sources.dossier_stats(user, period.start, period.end)
    tasks = kpi_sources.task_stats(user, period)
    result = kpi.compute(dossiers, tasks, weights)
    return {
        "official": user,
        "result": result,
        "parts": [(COMPONENT_LABELS[name], result.components[name]) for name in kpi.COMPONENTS],
        "dossiers": dossiers,
        "tasks": tasks,
        "reports": kpi_sources.task_reports(user, period),
        "steps": kpi_dossiers.handled_steps(user, period.start, period.end)
        .select_related("dossier")
        .annotate(in_time=ExpressionWrapper(kpi_dossiers.on_time_q(), output_field=BooleanField()))
        .order_by("finished_at"),
    }


@login_required
def my_kpi(request):
    plan = _plan(request)
    if not plan_selectors.can_view(request.user, plan):
        raise PermissionDenied
    period = _period(request, plan)
    weights = _weights(plan.commune)
    return render(
        request,
        "indicators/kpi.html",
        {"plan": plan, "period": period, "periods": plan.periods.order_by("-end"), "mine": kpi_of(request.user, period, weights), "weights": weights, "is_office": plan_selectors.is_standing_office(request.user, plan)},
    )


@login_required
def unit_kpi(request):
    """A head sees the KPI of every official of the units they head."""
    plan = _plan(request)
    period = _period(request, plan)
    headed = [m.unit_id for m in plan_selectors.memberships_in(request.user, plan) if m.role == "unit_head"]
    if not headed and not plan_selectors.can_see_overview(request.user, plan):
        raise PermissionDenied
    if not headed:  # leaders and the standing office: the whole commune
        headed = list(plan.commune.descendant_ids())
    weights = _weights(plan.commune)
    officials = User.objects.filter(memberships__unit_id__in=headed, memberships__is_active=True, kind=User.Kind.OFFICIAL).distinct().order_by("full_name", "username")
    rows = [kpi_of(u, period, weights) for u in officials]
    units = Membership.objects.filter(unit_id__in=headed).select_related("unit").values_list("unit__name", flat=True).distinct()
    return render(request, "indicators/unit_kpi.html", {"plan": plan, "period": period, "periods": plan.periods.order_by("-end"), "rows": rows, "units": sorted(set(units))})


@login_required
def kpi_weights(request):
    """The standing office sets the KPI weights of the commune (docs/kpi.md)."""
    from .forms import KpiWeightsForm

    plan = _plan(request)
    if not plan_selectors.is_standing_office(request.user, plan):
        raise PermissionDenied
    current = _weights(plan.commune)
    if request.method == "POST":
        form = KpiWeightsForm(request.POST)
        if form.is_valid():
            try:
                services.set_kpi_weights(plan.commune, request.user, **form.cleaned_data)
            except PlanError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The KPI weights were saved."))
                return redirect("indicators:my_kpi")
    else:
        form = KpiWeightsForm(initial={name: getattr(current, name) for name in (*kpi.COMPONENTS, "volume_norm")})
    return render(request, "indicators/kpi_weights.html", {"plan": plan, "form": form})


@login_required
@require_safe
def evidence(request, pk):
    """A reported value's evidence file, for those who may see the plan (media files are
    never served publicly)."""
    item = get_object_or_404(ReportedValue.objects.select_related("period__plan"), pk=pk)
    if not item.evidence:
        raise Http404
    if not plan_selectors.can_view(request.user, item.period.plan):
        raise PermissionDenied
    from xaso.core.uploads import attachment_response, stored_content_type

    name = item.evidence.name.rsplit("/", 1)[-1]
    return attachment_response(item.evidence.open("rb"), name, stored_content_type(item.evidence))
