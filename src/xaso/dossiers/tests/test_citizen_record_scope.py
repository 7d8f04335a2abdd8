"""An official opens a citizen's record only for citizens who have dossiers in the official's
scope (administrators: every account), through a reference that cannot be guessed.

The attack: any official of any commune read any citizen's full record at
``/lam-viec/cong-dan/<id>/`` with sequential ids."""
import pytest
from django.test import Client
from django.urls import reverse

from xaso.core.models import Role, Unit, User
from xaso.dossiers import services

from .conftest import applicant, components

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_2fa(settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []


@pytest.fixture
def citizen_with_dossier(world):
    services.submit_online(user=world.citizen, terms=world.terms, applicant=applicant(), components=components(), receiving_unit=world.centre)
    return world.citizen


def citizen_ref(user):
    from xaso.core.selectors import citizen_ref as ref

    return ref(user)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_sequential_ids_no_longer_open_records(world, citizen_with_dossier):
    # The old address with the account's number is gone; the reference is signed.
    assert _client(world.reception).get(f"/lam-viec/cong-dan/{world.citizen.pk}/").status_code == 404
    ref = citizen_ref(world.citizen)
    assert ref != str(world.citizen.pk) and len(ref) > 12
    forged = f"{world.citizen.pk}.{'A' * (len(ref) - len(str(world.citizen.pk)) - 1)}"
    assert _client(world.reception).get(reverse("core:citizen_detail", args=[forged])).status_code == 404


def test_the_desk_that_has_his_dossier_opens_the_record(world, citizen_with_dossier):
    r = _client(world.reception).get(reverse("core:citizen_detail", args=[citizen_ref(world.citizen)]))
    assert r.status_code == 200 and world.citizen.phone in r.content.decode()


@pytest.mark.parametrize("who", ["outsider_reception", "outsider_head", "other_unit"])
def test_officials_without_his_dossiers_get_404(world, citizen_with_dossier, who):
    if who == "other_unit":
        economy = Unit.objects.create(parent=world.commune, kind=Unit.Kind.DEPARTMENT, code="nl-kt", name="Phòng Kinh tế")
        official = world.official("kinhte", economy, Role.UNIT_HEAD)
    else:
        official = getattr(world, who)
    assert _client(official).get(reverse("core:citizen_detail", args=[citizen_ref(world.citizen)])).status_code in (403, 404)


def test_the_search_lists_only_citizens_in_scope(world, citizen_with_dossier):
    stranger = User.objects.create_user(username="0987654321", password="x" * 12, kind=User.Kind.CITIZEN, full_name="Trần Thị Lạ", phone="0987654321")
    html = _client(world.reception).get(reverse("core:citizen_search")).content.decode()
    assert world.citizen.full_name in html and stranger.full_name not in html
    assert world.citizen.full_name not in _client(world.outsider_reception).get(reverse("core:citizen_search")).content.decode()
    # The commune administrator manages accounts: every account, each opening audited.
    html = _client(world.admin).get(reverse("core:citizen_search")).content.decode()
    assert stranger.full_name in html
    assert _client(world.admin).get(reverse("core:citizen_detail", args=[citizen_ref(stranger)])).status_code == 200
