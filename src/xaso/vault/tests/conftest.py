from xaso.portal.tests.conftest import birth, commune, partial  # noqa: F401 - shared fixtures
