import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from xaso.catalog import services
from xaso.catalog.models import FrozenVersionError, Procedure, ProcedureVersion
from xaso.core.models import Unit

pytestmark = pytest.mark.django_db


def _procedure():
    return services.create_procedure(
        "1.000001", {"name": "Thủ tục thử", "field": "Hộ tịch", "processing_amount": 3, "processing_unit": "working_days"},
        valid_from=timezone.now() - dt.timedelta(days=30),
    )


def test_new_version_keeps_old_intact():
    procedure = _procedure()
    v1 = procedure.current_version()
    v1_docs = list(v1.documents.values_list("pk", flat=True))
    v2 = services.publish_new_version(procedure, {"processing_amount": 5, "documents": [
        {"name": "Tờ khai", "requirement": "mandatory", "submission": "submit", "originals": 1, "copies": None}]},
        reason="QĐ mới")
    v1.refresh_from_db()
    assert v2.number == 2 and v2.processing_amount == 5 and v2.documents.count() == 1
    assert v1.processing_amount == 3 and v1.valid_to == v2.valid_from
    assert list(v1.documents.values_list("pk", flat=True)) == v1_docs
    assert procedure.current_version() == v2
    with pytest.raises(FrozenVersionError):
        v1.processing_amount = 9
        v1.save()
    with pytest.raises(FrozenVersionError):
        v1.steps.first().delete()


def test_current_version_at_a_date():
    procedure = _procedure()
    v1 = procedure.current_version()
    switch = timezone.now() + dt.timedelta(days=10)
    v2 = services.publish_new_version(procedure, {"name": "Tên mới"}, valid_from=switch)
    assert procedure.current_version() == v1  # not yet in force
    assert procedure.current_version(at=switch) == v2
    assert procedure.current_version(at=switch - dt.timedelta(seconds=1)) == v1
    assert procedure.current_version(at=v1.valid_from - dt.timedelta(days=1)) is None


def test_no_change_no_version_and_validation():
    procedure = _procedure()
    v1 = procedure.current_version()
    assert services.publish_new_version(procedure, {"name": v1.name}) == v1
    with pytest.raises(ValidationError):
        services.publish_new_version(procedure, {"steps": [{"name": "A", "role": "reception", "share": 60}]})
    with pytest.raises(ValidationError):
        services.publish_new_version(procedure, {"name": "X"}, valid_from=v1.valid_from)
    assert ProcedureVersion.objects.count() == 1


def test_step_resolves_to_the_commune_unit():
    procedure = _procedure()
    province = Unit.objects.create(kind="province", code="th", name="Tỉnh Thanh Hóa")
    commune = Unit.objects.create(kind="commune", code="ngoc-lien", name="Xã Ngọc Liên", parent=province)
    centre = Unit.objects.create(kind="centre", code="nl-tt", name="Trung tâm Phục vụ hành chính công", parent=commune)
    culture = Unit.objects.create(kind="department", code="nl-vhxh", name="Phòng Văn hoá - Xã hội", parent=commune)
    Unit.objects.create(kind="department", code="nl-kt", name="Phòng Kinh tế", parent=commune)
    steps = {s.role: s for s in procedure.current_version().steps.all()}
    assert services.resolve_unit(steps["reception"], commune) == centre
    assert services.resolve_unit(steps["specialist"], commune) == culture
    assert services.resolve_unit(steps["leader"], commune) == commune


def test_blank_form_download_and_carry_over(client):
    from django.core.files.base import ContentFile

    procedure = services.create_procedure("1.000003", {"name": "Thủ tục có mẫu", "field": "Hộ tịch", "documents": [
        {"name": "Tờ khai", "requirement": "mandatory", "submission": "submit", "originals": 1, "copies": None}]})
    document = procedure.current_version().documents.get()
    services.attach_blank_form(document, ContentFile(b"%PDF-1.4 mau", name="to-khai.pdf"))
    response = client.get(f"/thu-tuc/1.000003/mau/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 mau"
    v2 = services.publish_new_version(procedure, {"name": "Thủ tục có mẫu (sửa)"})
    carried = v2.documents.get()
    assert carried.pk != document.pk and carried.blank_form.name == document.blank_form.name
    api = client.get("/api/v1/procedures/1.000003/").json()["current_version"]
    assert api["documents"][0]["blank_form_url"].endswith(f"/thu-tuc/1.000003/mau/{carried.pk}/")
    assert client.get(f"/thu-tuc/1.000003/mau/{document.pk + 999}/").status_code == 404


def test_staff_page_shows_the_units_of_their_commune(client, django_user_model):
    from xaso.core.models import Membership

    _procedure()
    province = Unit.objects.create(kind="province", code="th", name="Tỉnh Thanh Hóa")
    commune = Unit.objects.create(kind="commune", code="ngoc-lien", name="Xã Ngọc Liên", parent=province)
    Unit.objects.create(kind="centre", code="nl-tt", name="Trung tâm Phục vụ hành chính công", parent=commune)
    culture = Unit.objects.create(kind="department", code="nl-vhxh", name="Phòng Văn hóa - Xã hội", parent=commune)
    official = django_user_model.objects.create_user("chuyenvien", password="x" * 12, kind="official", is_staff=True)
    Membership.objects.create(user=official, unit=culture, position="specialist", role="specialist")
    client.force_login(official)
    page = client.get("/thu-tuc/1.000001/").content.decode()
    assert "Đơn vị tại Xã Ngọc Liên" in page and "Trung tâm Phục vụ hành chính công" in page
