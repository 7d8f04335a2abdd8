import pytest
from django.core.management import call_command

from xaso.core.models import AuditRecord
from xaso.plan import services
from xaso.plan.models import Area, Milestone, Plan, Task
from xaso.plan.tests.factories import SEED, import_seed, unit

pytestmark = pytest.mark.django_db


def names(units):
    return sorted(u.name for u in units)


def test_seed_import(commune):
    summary = import_seed(commune)
    plan = summary.plan
    assert Area.objects.filter(plan=plan).count() == 6
    assert Task.objects.filter(plan=plan).count() == 62
    assert plan.period_start == 2026 and plan.period_end == 2030
    all_units = sorted(u.name for u in commune.children.all())
    t = {n: Task.objects.get(plan=plan, number=n) for n in (1, 15, 18, 30, 31, 34, 43, 56, 62)}
    assert names(t[1].lead_units.all()) == all_units
    assert names(t[1].coordinating_units.all()) == ["Văn phòng HĐND và UBND xã"]
    assert names(t[15].lead_units.all()) == all_units
    assert names(t[34].lead_units.all()) == ["Phòng Văn hóa - Xã hội"]
    assert names(t[43].lead_units.all()) == ["Phòng Kinh tế"]
    assert names(t[56].lead_units.all()) == ["Trung tâm Phục vụ hành chính công"]
    assert names(t[62].lead_units.all()) == ["Phòng Văn hóa - Xã hội"]
    assert names(t[18].lead_units.all()) == ["Công an xã"]
    assert t[18].unmapped_units == ["Tổ công tác Đề án 06"]
    assert t[18].lead_text == "Tổ công tác Đề án 06; Công an xã."
    assert names(t[30].coordinating_units.all()) == ["Trạm Y tế xã Ngọc Liên"]
    assert names(t[31].coordinating_units.all()) == ["Trường Tiểu học Ngọc Liên"]
    assert summary.unmapped == {"Tổ công tác Đề án 06": [18], "Các cơ quan liên quan": [31]}
    assert summary.milestones == Milestone.objects.filter(task__plan=plan).count() == 71
    assert summary.flags == 9
    assert AuditRecord.objects.filter(verb="plan.import").count() == 1


def test_reimport_changes_nothing(commune):
    import_seed(commune)
    before = AuditRecord.objects.count()
    again = import_seed(commune)
    assert again.changes == 0 and not again.created
    assert AuditRecord.objects.count() == before
    assert Plan.objects.count() == 1 and Task.objects.count() == 62


def test_person_set_date_survives_reimport(commune):
    from datetime import date

    from xaso.plan.tests.factories import official

    summary = import_seed(commune)
    m = Milestone.objects.filter(task__plan=summary.plan, needs_date=True).first()
    with pytest.raises(services.PlanError):
        services.set_milestone_date(m, date(2026, 9, 30), official("kt", commune, "kt", "unit_head"))
    user = official("vhxh", commune, "vhxh", "standing_office")

    services.set_milestone_date(m, date(2026, 9, 30), user)
    assert import_seed(commune).changes == 0
    m.refresh_from_db()
    assert m.due_date == date(2026, 9, 30)


def test_malformed_file_saves_nothing(commune):
    with pytest.raises(services.PlanError) as info:
        services.import_file("bad.md", "## Phụ lục\nTT\tNội dung\nI\tThể chế\n1.\tViệc\tA\tB\tC\n1.\tLặp\tA\tB\tC\n".encode(), commune)
    assert "Dòng 5" in str(info.value) or "Line 5" in str(info.value)
    assert Plan.objects.count() == 0


def test_missing_period_saves_nothing(commune):
    with pytest.raises(services.PlanError):
        services.import_file("p.md", "## Phụ lục\nTT\tNội dung\nI\tThể chế\n1.\tViệc\tA\tB\tC\n".encode(), commune)
    assert Plan.objects.count() == 0 and Task.objects.count() == 0


def test_command_import_and_export(commune, tmp_path, capsys):
    call_command("plan", "import", str(SEED), "--commune", commune.code)
    out = capsys.readouterr().out
    # Vietnamese when the catalogue is compiled, English source otherwise
    assert "6 lĩnh vực, 62 nhiệm vụ, 71 mốc thời gian, 9 mốc cần người đặt ngày" in out or "6 areas, 62 tasks, 71 milestones, 9 milestones" in out
    assert "Tổ công tác Đề án 06: nhiệm vụ 18" in out or "Tổ công tác Đề án 06: tasks 18" in out
    plan = Plan.objects.get()
    path = tmp_path / "plan.xlsx"
    call_command("plan", "export", str(plan.pk), str(path))
    summary = services.import_file("plan.xlsx", path.read_bytes(), commune)
    assert summary.plan == plan and summary.changes == 0
    csv_path = tmp_path / "plan.csv"
    call_command("plan", "export", str(plan.pk), str(csv_path))
    assert services.import_file("plan.csv", csv_path.read_bytes(), commune).changes == 0


def test_units_of_another_commune_are_not_used(commune):
    from xaso.plan.tests.factories import make_commune

    other = make_commune("xa-khac")
    summary = import_seed(commune)
    task = Task.objects.get(plan=summary.plan, number=43)
    assert list(task.lead_units.all()) == [unit(commune, "kt")]
    assert other.pk not in task.lead_units.values_list("parent_id", flat=True)
