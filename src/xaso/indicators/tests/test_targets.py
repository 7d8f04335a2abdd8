from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xaso.indicators import registry, selectors, services
from xaso.indicators.models import ReportedValue, Target, Threshold
from xaso.plan.services import PlanError
from xaso.plan.tests.factories import SEED, import_seed, official, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(commune):
    plan = import_seed(commune).plan
    services.load_targets(plan)
    return plan


def test_catalogue_quotes_the_plan():
    import json

    text = SEED.read_text(encoding="utf-8")
    for entry in json.loads(services.CATALOGUE.read_text(encoding="utf-8")):
        assert entry["quote"] in text, entry["code"]
        if entry["method"] == "measured":
            assert entry["metric"] in registry.METRICS


def test_load_targets(plan, commune):
    assert Target.objects.filter(plan=plan).count() == 16
    share = Target.objects.get(plan=plan, code="online-payment-share")
    assert {t.year: (t.value, t.origin) for t in share.thresholds.all()} == {
        2027: (Decimal("70.00"), "plan"),
        2028: (Decimal("73.33"), "interpolated"),
        2029: (Decimal("76.67"), "interpolated"),
        2030: (Decimal("80.00"), "plan"),
    }
    assert Target.objects.get(plan=plan, code="budget-revenue-growth").reporting_unit == unit(commune, "kt")
    assert services.load_targets(plan)["created"] == 0


def test_measured_target_shows_no_data_honestly(plan):
    period = plan.periods.get(kind="year", year=2026)
    status = selectors.target_status(Target.objects.get(plan=plan, code="dossiers-on-time"), period)
    assert status.value is None and status.met is None and status.threshold == Decimal("98.00")
    assert "no data yet" in status.source or "chưa có số liệu" in status.source


def test_measured_target_with_a_provider(plan):
    period = plan.periods.get(kind="year", year=2026)
    metric = registry.METRICS["dossiers_on_time"]
    old = metric.provider
    try:
        registry.provide("dossiers_on_time")(lambda commune, start, end: registry.Measurement(985, 1000))
        status = selectors.target_status(Target.objects.get(plan=plan, code="dossiers-on-time"), period)
        assert status.value == Decimal("98.50") and status.met is True
        registry.provide("dossiers_on_time")(lambda commune, start, end: registry.Measurement(0, 0))
        assert selectors.target_status(Target.objects.get(plan=plan, code="dossiers-on-time"), period).value is None
    finally:
        metric.provider = old


def test_reported_value_by_the_unit(plan, commune):
    kt = official("kt_head", commune, "kt", "unit_head", "head")
    vp = official("vp", commune, "vp", "specialist")
    target = Target.objects.get(plan=plan, code="budget-revenue-growth")
    period = plan.periods.get(kind="half", year=2026)
    with pytest.raises(PlanError):
        services.report_value(target, period, vp, "8.2")
    with pytest.raises(PlanError):
        services.report_value(target, period, kt, "tám")
    with pytest.raises(PlanError):
        services.report_value(target, period, kt, "8.2", evidence=SimpleUploadedFile("x.exe", b"MZ"))
    assert not ReportedValue.objects.exists()
    services.report_value(target, period, kt, "8,2", "Số liệu Kho bạc", SimpleUploadedFile("kb.pdf", b"%PDF-1.4 test"))
    status = selectors.target_status(target, period)
    assert status.value == Decimal("8.20") and status.met is True and "Phòng Kinh tế" in status.source


def test_reported_value_closed_period(plan, commune):
    kt = official("kt_head", commune, "kt", "unit_head", "head")
    target = Target.objects.get(plan=plan, code="budget-revenue-growth")
    period = plan.periods.get(kind="half", year=2026)
    period.closed = True
    period.save()
    with pytest.raises(PlanError):
        services.report_value(target, period, kt, "8")


def test_person_sets_threshold(plan, commune):
    office = official("vhxh", commune, "vhxh", "standing_office", "head")
    target = Target.objects.get(plan=plan, code="online-payment-share")
    services.set_threshold(target, 2026, "60", office)
    assert Threshold.objects.get(target=target, year=2026).origin == "person"
    services.load_targets(plan)
    assert Threshold.objects.get(target=target, year=2026).value == Decimal("60.00")
    with pytest.raises(PlanError):
        services.set_threshold(target, 2026, "60", official("kt", commune, "kt", "unit_head"))


def test_targets_api(plan, commune, client):
    user = official("kt_head", commune, "kt", "unit_head", "head")
    client.force_login(user)
    response = client.get(reverse("api-plan-targets"), {"year": 2027})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 16
    share = next(r for r in body["results"] if r["code"] == "online-payment-share")
    assert share["threshold"] == "70.00" and share["value"] is None and share["met"] is None and share["method"] == "measured"
    assert client.get(reverse("api-plan-targets"), {"period": "2099-Q9"}).status_code == 404
    # Odd periods and years are a Vietnamese 404 (documented), never a server error.
    for params in ({"year": "99999999999999999999999"}, {"year": "-1"}):
        odd = client.get(reverse("api-plan-targets"), params)
        assert odd.status_code == 404 and odd.json() == {"detail": "Không có kỳ báo cáo này."}
    # A NUL byte is refused before any view (core.input_guard): a Vietnamese 400.
    assert client.get(reverse("api-plan-targets"), {"period": "\x00"}).status_code == 400
    from drf_spectacular.generators import SchemaGenerator

    operation = SchemaGenerator().get_schema(request=None, public=True)["paths"]["/api/v1/plan/targets/"]["get"]
    assert "404" in operation["responses"]
    client.logout()
    assert client.get(reverse("api-plan-targets")).status_code in (401, 403)


def test_kpi_pages(plan, commune, client):
    from xaso.plan import services as plan_services
    from xaso.plan.models import Task

    head = official("kt_head", commune, "kt", "unit_head", "head")
    staff = official("kt_staff", commune, "kt", "specialist")
    period = plan.periods.get(kind="quarter", year=2026, number=1)
    report = plan_services.open_report(Task.objects.get(plan=plan, number=43), period, unit(commune, "kt"), staff)
    plan_services.save_report(report, staff, status="done", progress=100, done="Xong", difficulties="", submit=True)
    client.force_login(staff)
    page = client.get(reverse("indicators:my_kpi"), {"ky": "2026-Q1"}).content.decode()
    assert "Xong" not in page and "43" in page
    client.force_login(head)
    page = client.get(reverse("indicators:unit_kpi"), {"ky": "2026-Q1"}).content.decode()
    assert "Kt_Staff" in page and "Kt_Head" in page
    client.force_login(staff)
    assert client.get(reverse("indicators:unit_kpi"), {"ky": "2026-Q1"}).status_code == 403


def test_report_value_page(plan, commune, client):
    kt = official("kt_head", commune, "kt", "unit_head", "head")
    client.force_login(kt)
    target = Target.objects.get(plan=plan, code="budget-revenue-growth")
    page = client.get(reverse("indicators:targets"), {"ky": "2026-H1"}).content.decode()
    assert f'action="/chi-tieu/{target.pk}/bao-cao/"' in page
    response = client.post(reverse("indicators:report_value", args=[target.pk]), {"ky": "2026-H1", "value": "8.2", "note": "Kho bạc"})
    assert response.status_code == 302 and response["Location"] == "/chi-tieu/?ky=2026-H1"
    assert ReportedValue.objects.get(target=target).value == Decimal("8.20")


def test_reported_evidence_is_downloaded_through_a_checked_view(plan, commune, client):
    kt = official("kt_head", commune, "kt", "unit_head", "head")
    target = Target.objects.get(plan=plan, code="budget-revenue-growth")
    period = plan.periods.get(kind="half", year=2026)
    services.report_value(target, period, kt, "8,2", "Kho bạc", SimpleUploadedFile("kb.pdf", b"%PDF-1.4 test"))
    value = ReportedValue.objects.get(target=target)
    client.force_login(kt)
    page = client.get(reverse("indicators:targets"), {"ky": "2026-H1"}).content.decode()
    url = reverse("indicators:evidence", args=[value.pk])
    assert f'href="{url}"' in page and value.evidence.url not in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
