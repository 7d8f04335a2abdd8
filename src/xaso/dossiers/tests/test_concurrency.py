"""Concurrent intake and concurrent actions (PostgreSQL: real parallel transactions)."""
import pytest
from django.db import connection

from xaso.core.tests.parallel import run_parallel
from xaso.dossiers import services
from xaso.dossiers.models import Dossier
from xaso.dossiers.services import DossierError

from .conftest import at

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions need PostgreSQL")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_intake_codes_have_no_gap_or_duplicate(world, make_intake):
    n = 16

    def one(i):
        return make_intake(now=at(2026, 3, 2, 9, i)).code

    codes, errors = run_parallel(n, one)
    assert not errors, errors
    seqs = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
    assert seqs == list(range(1, n + 1))


@pg_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_actions_cannot_both_win(world, make_intake):
    d = make_intake()

    def one(i):
        return services.transfer(Dossier.objects.get(pk=d.pk), world.reception, now=at(2026, 3, 2, 10, i)).status

    results, errors = run_parallel(4, one)
    assert len(results) == 1 and len(errors) == 3
    assert all(isinstance(e, DossierError) for e in errors), [e.tb for e in errors][0]
    assert Dossier.objects.get(pk=d.pk).events.filter(action="transfer").count() == 1


@pytest.mark.django_db
def test_sequential_codes_per_unit_per_day(world, make_intake):
    codes = [make_intake(now=at(2026, 3, 2, 9, i)).code for i in range(3)]
    other = make_intake(now=at(2026, 3, 2, 10, 0), receiving_unit=world.other_commune, officer=world.outsider_reception)
    assert [c[-4:] for c in codes] == ["0001", "0002", "0003"]
    assert other.code == "000.00.23.H56-260302-0001"
