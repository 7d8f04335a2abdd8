import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xaso.plan import workflow
from xaso.plan.models import Evidence, ProgressReport
from xaso.plan.tests.factories import import_seed, official, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(commune):
    return import_seed(commune).plan


def test_unit_submits_and_office_accepts_through_pages(plan, commune, client):
    kt = official("kt_head", commune, "kt", "unit_head", "head")
    office = official("vhxh", commune, "vhxh", "standing_office", "head")
    client.force_login(kt)
    page = client.get(reverse("plan:my_reports"))
    assert page.status_code == 200
    url = reverse("plan:report_form", args=["2026-Q1", 43, unit(commune, "kt").pk])
    assert url in page.content.decode()
    bad = client.post(url, {"status": "in_progress", "progress": 50, "done": "x", "files": SimpleUploadedFile("a.exe", b"MZ"), "submit": "1"})
    assert bad.status_code == 200 and "a.exe" in bad.content.decode()
    assert not Evidence.objects.exists()
    response = client.post(url, {"status": "done", "progress": 100, "done": "Đã bố trí kinh phí.", "files": SimpleUploadedFile("qd.pdf", b"%PDF-1.4 x"), "submit": "1"})
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert report.state == workflow.SUBMITTED
    assert client.get(reverse("plan:review_queue")).status_code == 403
    client.force_login(office)
    assert "43" in client.get(reverse("plan:review_queue")).content.decode()
    client.post(reverse("plan:review", args=[report.pk]), {"accept": "1"})
    report.refresh_from_db()
    assert report.state == workflow.ACCEPTED
    assert client.get(reverse("plan:evidence", args=[Evidence.objects.get().pk])).status_code == 200
    overview = client.get(reverse("plan:overview"), {"ky": "2026-Q1"})
    assert overview.status_code == 200 and "Cải cách tài chính công" in overview.content.decode()
    docx = client.get(reverse("plan:download_report", args=["2026-Q1"]))
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_pages_refuse_outsiders(plan, commune, client, django_user_model):
    outsider = django_user_model.objects.create_user("x", password="Mat-khau-2026!")
    client.force_login(outsider)
    assert client.get(reverse("plan:overview")).status_code == 404
    kt = official("kt_head", commune, "kt", "unit_head", "head")
    client.force_login(kt)
    assert client.get(reverse("plan:overview")).status_code == 302  # to the unit's own reports
    assert client.get(reverse("plan:download_report", args=["2026-Q1"])).status_code == 403
    other = reverse("plan:report_form", args=["2026-Q1", 43, unit(commune, "vp").pk])
    assert client.get(other).status_code == 403


def test_tasks_api(plan, commune, client):
    kt = official("kt_head", commune, "kt", "unit_head", "head")
    client.force_login(kt)
    url = reverse("api-plan-tasks")
    body = client.get(url).json()
    assert body["count"] == 62 and len(body["results"]) == 50 and body["next"]
    area = client.get(url, {"area": "V"}).json()
    assert area["count"] == 8 and area["results"][4]["number"] == 43
    assert area["results"][4]["lead_units"][0]["name"] == "Phòng Kinh tế"
    by_unit = client.get(url, {"unit": unit(commune, "yte").pk}).json()
    assert by_unit["count"] > 0 and 30 in [t["number"] for t in by_unit["results"]]
    assert client.get(url, {"status": "done"}).json()["count"] == 0
    from xaso.plan import services

    from xaso.plan.models import Task

    report = services.open_report(Task.objects.get(plan=plan, number=43), plan.periods.get(kind="quarter", year=2026, number=1), unit(commune, "kt"), kt)
    services.save_report(report, kt, status="done", progress=100, done="x", difficulties="", submit=True)
    done = client.get(url, {"status": "done"}).json()
    assert done["count"] == 1 and done["results"][0]["progress"] == 100
    schema = client.get(reverse("schema")).content.decode()
    assert "/api/v1/plan/tasks/" in schema and "/api/v1/plan/targets/" in schema


def test_demo_is_idempotent(commune, capsys):
    from io import StringIO

    from xaso.indicators import demo as indicators_demo
    from xaso.plan import demo

    kt = official("kt_head", commune, "kt", "unit_head", "head")
    official("vhxh", commune, "vhxh", "standing_office", "head")
    official("hcc", commune, "hcc", "unit_head", "director")
    out = StringIO()
    demo.load(out)
    indicators_demo.load(out)
    first = ProgressReport.objects.count()
    assert first >= 3
    assert ProgressReport.objects.filter(task__number=43, state=workflow.ACCEPTED, unit__name="Phòng Kinh tế").exists()
    demo.load(out)
    indicators_demo.load(out)
    assert ProgressReport.objects.count() == first
    assert "62 tasks" in out.getvalue()


def test_office_sets_dates_weights_and_closes_periods(plan, commune, client):
    from xaso.plan.models import Area, Milestone

    office = official("vhxh", commune, "vhxh", "standing_office", "head")
    kt = official("kt_head", commune, "kt", "unit_head", "head")
    milestone = Milestone.objects.filter(task__plan=plan, needs_date=True).first()
    area = Area.objects.get(plan=plan, number="II")
    client.force_login(kt)
    client.post(reverse("plan:set_milestone_date", args=[milestone.pk]), {"due_date": "2026-09-30"})
    milestone.refresh_from_db()
    assert milestone.due_date is None
    client.force_login(office)
    page = client.get(reverse("plan:overview"), {"ky": "2026-Q1"}).content.decode()
    assert reverse("plan:set_milestone_date", args=[milestone.pk]) in page
    client.post(reverse("plan:set_milestone_date", args=[milestone.pk]), {"due_date": "2026-09-30"})
    client.post(reverse("plan:set_area_weight", args=[area.pk]), {"weight": "2,5"})
    client.post(reverse("plan:close_period", args=["2026-Q1"]))
    milestone.refresh_from_db()
    area.refresh_from_db()
    assert str(milestone.due_date) == "2026-09-30" and milestone.date_set_by == office
    assert str(area.weight) == "2.50"
    assert plan.periods.get(kind="quarter", year=2026, number=1).closed
    response = client.post(reverse("plan:set_area_weight", args=[area.pk]), {"weight": "-1"}, follow=True)
    assert response.status_code == 200
    area.refresh_from_db()
    assert str(area.weight) == "2.50"


def test_kpi_weights_page(plan, commune, client):
    from xaso.indicators.models import KpiWeights

    office = official("vhxh", commune, "vhxh", "standing_office", "head")
    kt = official("kt_head", commune, "kt", "unit_head", "head")
    url = reverse("indicators:kpi_weights")
    data = {"volume": "0", "on_time": "0.5", "rating": "0.1", "tasks_on_time": "0.2", "tasks_accepted": "0.2", "volume_norm": "40"}
    client.force_login(kt)
    assert client.post(url, data).status_code == 403
    client.force_login(office)
    assert client.post(url, data).status_code == 302
    row = KpiWeights.objects.get(commune=commune)
    assert str(row.on_time) == "0.50" and row.volume_norm == 40


UNIT_ID = "'unit' phải là mã số (id) của một đơn vị: số nguyên từ 1 trở lên."
PLAN_ID = "'plan' phải là mã số (id) của một kế hoạch: số nguyên từ 1 trở lên."


@pytest.mark.parametrize(
    "params, errors",
    [
        ({"unit": "-1.2345736408585607e+305"}, {"unit": [UNIT_ID]}),
        ({"unit": "99999999999999999999"}, {"unit": [UNIT_ID]}),
        ({"unit": "null"}, {"unit": [UNIT_ID]}),
        ({"unit": "1.5"}, {"unit": [UNIT_ID]}),
        ({"unit": "0"}, {"unit": [UNIT_ID]}),
        ({"plan": "4.321072863182284e+33"}, {"plan": [PLAN_ID]}),
        ({"plan": "1.5"}, {"plan": [PLAN_ID]}),
    ],
)
def test_tasks_api_refuses_bad_ids_in_vietnamese(plan, commune, client, params, errors):
    client.force_login(official("kt_head", commune, "kt", "unit_head", "head"))
    r = client.get(reverse("api-plan-tasks"), params)
    assert r.status_code == 400 and r.json() == errors


@pytest.mark.parametrize("area", ["²", "99999999999999999999999", "１"])
def test_tasks_api_odd_area_is_no_server_error(plan, commune, client, area):
    client.force_login(official("kt_head", commune, "kt", "unit_head", "head"))
    r = client.get(reverse("api-plan-tasks"), {"area": area})
    assert r.status_code == 200 and r.json()["count"] == 0
    assert client.get(reverse("api-plan-tasks"), {"plan": str(plan.pk), "area": "V"}).json()["count"] == 8


def test_tasks_api_schema_ids_are_integers_and_400_documented(client):
    from drf_spectacular.generators import SchemaGenerator

    op = SchemaGenerator().get_schema(request=None, public=True)["paths"]["/api/v1/plan/tasks/"]["get"]
    params = {p["name"]: p["schema"] for p in op["parameters"]}
    assert params["unit"]["type"] == params["plan"]["type"] == "integer"
    assert params["unit"]["minimum"] == 1
    assert "400" in op["responses"]
