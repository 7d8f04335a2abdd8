"""A dossier is transferred only to a unit its procedure's process allows (the competent unit
found at intake, or a unit of the same commune the process names), which has officials to
handle it.

The attack: the transfer accepted any unit code: a Ngọc Liên dossier was moved to another
commune's department, or to a school with no staff whose administrator then read the
applicant's data."""
import pytest

from xaso.core.models import Membership, Role, Unit
from xaso.dossiers import services
from xaso.dossiers.services import DossierError

from .conftest import api_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_2fa(settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []


def test_another_communes_department_is_refused(world, make_intake):
    d = make_intake()
    with pytest.raises(DossierError):
        services.transfer(d, world.reception, to_unit=world.other_dept)
    r = api_as(world.reception).post(f"/api/v1/dossiers/{d.code}/transfer/", {"to_unit": world.other_dept.code}, format="json")
    assert r.status_code == 400, r.json()
    d.refresh_from_db()
    assert d.current_unit == world.centre and d.competent_unit == world.dept


def test_a_unit_without_staff_is_refused(world, make_intake):
    school = Unit.objects.create(parent=world.commune, kind=Unit.Kind.SCHOOL, code="nl-thcs", name="Trường THCS Ngọc Liên")
    school_admin = world.official("hieutruong", school, Role.RECEPTION)
    d = make_intake()
    with pytest.raises(DossierError):
        services.transfer(d, world.reception, to_unit=school)
    # Nobody there could read the applicant's data through the transfer.
    assert api_as(school_admin).get(f"/api/v1/dossiers/{d.code}/").status_code == 404


def test_a_unit_of_the_commune_the_process_does_not_name_is_refused(world, make_intake):
    economy = Unit.objects.create(parent=world.commune, kind=Unit.Kind.DEPARTMENT, code="nl-kt", name="Phòng Kinh tế")
    world.official("kinhte", economy, Role.UNIT_HEAD)
    d = make_intake()
    with pytest.raises(DossierError):
        services.transfer(d, world.reception, to_unit=economy)


def test_the_competent_unit_is_accepted(world, make_intake):
    d = make_intake()
    d = services.transfer(d, world.reception, to_unit=world.dept)
    assert d.current_unit == world.dept
    d2 = services.transfer(make_intake(), world.reception)  # default: the competent unit
    assert d2.current_unit == world.dept


def test_units_the_procedure_version_names_in_the_commune_are_allowed(world, make_intake, catalogue):
    from xaso.catalog.models import Procedure

    from xaso.dossiers.models import Dossier

    version = next(p.current_version() for p in Procedure.objects.all() if p.current_version() and p.current_version().department())
    d = make_intake()
    Dossier.objects.filter(pk=d.pk).update(procedure_version=version)
    allowed = services.transfer_targets(Dossier.objects.get(pk=d.pk))
    assert world.dept in allowed
    assert all(u.local_government == world.commune or u == world.commune for u in allowed)
    assert all(Membership.objects.filter(unit=u, role__in=[Role.UNIT_HEAD, Role.SPECIALIST], is_active=True).exists() for u in allowed)
