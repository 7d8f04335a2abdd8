import pytest
from django.urls import reverse

from xaso.catalog import services
from xaso.catalog.models import Procedure, ProcedureVersion
from xaso.core.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model, settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    user = django_user_model.objects.create_superuser("quantri", "qt@example.org", "Mat-khau-dai-2026")
    client.force_login(user)
    return client


def _post_data(response):
    """The admin change form's current values, as the browser would post them back."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            if isinstance(value, bool) or value is None:
                continue
        data[name] = value.pk if hasattr(value, "pk") else value
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-{k}": v for k, v in fs.management_form.initial.items()})
        for i, child in enumerate(fs.forms):
            for name, field in child.fields.items():
                value = child.initial.get(name, field.initial)
                if value is None or value is False:
                    continue
                data[f"{fs.prefix}-{i}-{name}"] = value.pk if hasattr(value, "pk") else value
    return {k: v for k, v in data.items() if v != ""}


def test_saving_the_current_version_publishes_a_new_one(admin_client):
    procedure = services.create_procedure("1.000001", {"name": "Thủ tục thử", "field": "Hộ tịch"})
    v1 = procedure.current_version()
    url = reverse("admin:catalog_procedureversion_change", args=[v1.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    data = _post_data(response)
    data["result"] = "Giấy xác nhận"
    data["change_reason"] = "Bổ sung kết quả"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert ProcedureVersion.objects.filter(procedure=procedure).count() == 2
    v1.refresh_from_db()
    v2 = procedure.current_version()
    assert v1.result == "" and v1.valid_to is not None
    assert v2.result == "Giấy xác nhận" and v2.steps.count() == 6 and v2.change_reason == "Bổ sung kết quả"
    assert AuditRecord.objects.filter(verb="catalog.publish_version", object_id=str(procedure.pk)).exists()
    # the superseded version is read-only
    assert admin_client.post(reverse("admin:catalog_procedureversion_change", args=[v1.pk]), data).status_code == 403


def test_step_shares_must_sum_to_100_in_the_admin(admin_client):
    procedure = services.create_procedure("1.000002", {"name": "Thủ tục thử", "field": "Hộ tịch"})
    v1 = procedure.current_version()
    url = reverse("admin:catalog_procedureversion_change", args=[v1.pk])
    data = _post_data(admin_client.get(url))
    data["steps-0-share"] = 50
    response = admin_client.post(url, data)
    assert response.status_code == 200  # form redisplayed with the error
    assert "100%" in response.content.decode()
    assert procedure.versions.count() == 1


def test_admin_lists_render(admin_client, catalogue):
    for name in ("procedure", "procedureversion", "field", "departmenttype"):
        assert admin_client.get(reverse(f"admin:catalog_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:catalog_procedure_changelist"), {"q": "khai sinh"}).status_code == 200
    procedure = Procedure.objects.get(code="1.001193")
    assert admin_client.get(reverse("admin:catalog_procedure_change", args=[procedure.pk])).status_code == 200
