import pytest

from xaso.plan.tests.factories import make_commune


@pytest.fixture
def commune(db):
    return make_commune()
