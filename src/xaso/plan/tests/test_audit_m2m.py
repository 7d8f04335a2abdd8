"""Many-to-many changes of tracked models are in the audit trail (lead and coordinating
units of a plan task), from either side, with add, remove, clear and set."""
import pytest

from xaso.core import audit
from xaso.core.models import AuditRecord, Unit
from xaso.plan.models import Area, Plan, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def task_and_units():
    commune = Unit.objects.create(kind="commune", code="c", name="Xã C")
    a = Unit.objects.create(kind="department", code="a", name="Phòng A", parent=commune)
    b = Unit.objects.create(kind="department", code="b", name="Phòng B", parent=commune)
    plan = Plan.objects.create(commune=commune, title="Kế hoạch", period_start=2026, period_end=2030)
    area = Area.objects.create(plan=plan, number="1", title="Cải cách thể chế", order=1)
    task = Task.objects.create(plan=plan, area=area, number=1, text="Rà soát thủ tục")
    return task, a, b


def m2m_records(task):
    return [r.changes for r in AuditRecord.objects.filter(object_type="plan.task", object_id=str(task.pk), action="update").order_by("id")]


def test_add_remove_clear_are_recorded(task_and_units):
    task, a, b = task_and_units
    task.lead_units.add(a, b)
    task.lead_units.remove(b)
    task.lead_units.clear()
    task.coordinating_units.set([b])
    assert m2m_records(task) == [
        {"lead_units": {"added": sorted([a.pk, b.pk])}},
        {"lead_units": {"removed": [b.pk]}},
        {"lead_units": {"removed": [a.pk]}},
        {"coordinating_units": {"added": [b.pk]}},
    ]
    task.lead_units.clear()  # nothing to clear: no record
    assert len(m2m_records(task)) == 4
    assert audit.verify_chain().ok


def test_changes_from_the_other_side_are_recorded_on_the_task(task_and_units):
    task, a, _b = task_and_units
    a.led_plan_tasks.add(task)
    a.led_plan_tasks.clear()
    assert m2m_records(task) == [{"lead_units": {"added": [a.pk]}}, {"lead_units": {"removed": [a.pk]}}]
