import pytest

from xaso.portal.tests.conftest import birth, commune, partial  # noqa: F401 - shared fixtures


@pytest.fixture(autouse=True)
def _document_types(db):
    # The shipped types come with a data migration; a browser test's flush removes them.
    from xaso.vault.defaults import ensure_document_types

    ensure_document_types()
