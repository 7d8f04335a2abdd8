import pytest

from xaso.core.models import Position, Role
from xaso.core.rules import can_act_on_unit, has_role, is_official
from xaso.core.selectors import unit_ids_in_scope

from .factories import CitizenFactory, CommuneFactory, OfficialFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    commune = CommuneFactory()
    dept_a = UnitFactory(parent=commune)
    dept_b = UnitFactory(parent=commune)
    team_a1 = UnitFactory(parent=dept_a, kind="other")
    other_commune = CommuneFactory(parent=commune.parent)
    other_dept = UnitFactory(parent=other_commune)
    return commune, dept_a, dept_b, team_a1, other_commune, other_dept


def test_department_official_acts_on_own_unit_and_below_only(org):
    commune, dept_a, dept_b, team_a1, other_commune, other_dept = org
    official = OfficialFactory(unit=dept_a, role=Role.SPECIALIST)
    assert unit_ids_in_scope(official) == {dept_a.pk, team_a1.pk}
    assert official.has_perm("core.view_unit", dept_a)
    assert official.has_perm("core.view_unit", team_a1)
    assert not official.has_perm("core.view_unit", dept_b)
    assert not official.has_perm("core.view_unit", commune)
    assert not official.has_perm("core.view_unit", other_dept)
    assert can_act_on_unit(official, dept_a) and not can_act_on_unit(official, dept_b)


def test_leader_sees_the_whole_commune_but_not_another(org):
    commune, dept_a, dept_b, team_a1, other_commune, other_dept = org
    leader = OfficialFactory(unit=commune, role=Role.LEADER, position=Position.CHAIRMAN)
    assert unit_ids_in_scope(leader) == {commune.pk, dept_a.pk, dept_b.pk, team_a1.pk}
    for unit in (commune, dept_a, dept_b, team_a1):
        assert leader.has_perm("core.view_unit", unit)
    assert not leader.has_perm("core.view_unit", other_commune)
    assert not leader.has_perm("core.view_unit", other_dept)


def test_commune_wide_role_held_in_a_department_covers_the_commune(org):
    commune, dept_a, dept_b, *_ = org
    standing = OfficialFactory(unit=dept_a, role=Role.STANDING_OFFICE)
    assert standing.has_perm("core.view_unit", dept_b)
    assert standing.has_perm("core.view_unit", commune)


def test_scope_by_role(org):
    commune, dept_a, dept_b, team_a1, *_ = org
    official = OfficialFactory(unit=dept_a, role=Role.SPECIALIST)
    from xaso.core.models import Membership

    Membership.objects.create(user=official, unit=dept_b, role=Role.RECEPTION, position=Position.RECEPTION_OFFICER)
    assert unit_ids_in_scope(official, Role.RECEPTION) == {dept_b.pk}
    assert unit_ids_in_scope(official, Role.SPECIALIST) == {dept_a.pk, team_a1.pk}
    assert unit_ids_in_scope(official, Role.LEADER) == set()


def test_inactive_membership_gives_nothing(org):
    _commune, dept_a, *_ = org
    official = OfficialFactory(unit=dept_a, role=Role.SPECIALIST)
    official.memberships.update(is_active=False)
    assert unit_ids_in_scope(official) == set()
    assert not official.has_perm("core.view_unit", dept_a)


def test_object_with_unit_attribute(org):
    _commune, dept_a, dept_b, *_ = org
    official = OfficialFactory(unit=dept_a)

    class Dossier:
        def __init__(self, unit):
            self.unit = unit

    assert official.has_perm("core.view_unit", Dossier(dept_a))
    assert not official.has_perm("core.view_unit", Dossier(dept_b))


def test_role_permissions():
    admin = OfficialFactory(role=Role.ADMIN)
    leader = OfficialFactory(role=Role.LEADER)
    reception = OfficialFactory(role=Role.RECEPTION)
    specialist = OfficialFactory(role=Role.SPECIALIST)
    head = OfficialFactory(role=Role.UNIT_HEAD)
    citizen = CitizenFactory()
    assert admin.has_perm("core.manage_people") and not leader.has_perm("core.manage_people")
    assert leader.has_perm("core.view_people_directory") and head.has_perm("core.view_people_directory")
    assert not specialist.has_perm("core.view_people_directory")
    assert reception.has_perm("core.search_citizens") and not specialist.has_perm("core.search_citizens")
    assert specialist.has_perm("core.view_citizen_personal_data")
    for perm in ("core.manage_people", "core.view_people_directory", "core.search_citizens", "core.view_citizen_personal_data", "core.view_unit"):
        assert not citizen.has_perm(perm)
    assert has_role(Role.LEADER)(leader) and not has_role(Role.LEADER)(reception)
    assert is_official(reception) and not is_official(citizen)


def test_superuser_is_admin():
    su = OfficialFactory(unit=None, role=None, is_superuser=True)
    assert has_role(Role.ADMIN)(su)
    assert su.has_perm("core.manage_people")


def test_inactive_official_has_no_permission():
    official = OfficialFactory(role=Role.LEADER, is_active=False)
    assert not official.has_perm("core.view_people_directory")
