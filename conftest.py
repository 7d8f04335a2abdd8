"""Test-wide set-up shared by every app's tests."""
import os

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the
# tests themselves are still synchronous. (Test-only setting.)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings as hypothesis_settings  # noqa: E402

# Property tests run in CI on a busy machine, several pytest-xdist processes at once: timing
# health checks would fail tests for the machine's load, not for the code. The number of
# examples stays hypothesis' default. HYPOTHESIS_PROFILE=dev restores the timing checks.
hypothesis_settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile("dev")
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's chromium; Playwright's own browser download is not used.
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Tests must not depend on a previous `collectstatic`: static URLs without the manifest's
    # hashes, served from the apps' and node_modules' folders (the live server's static
    # handler uses the finders). `xaso serve` is tested with the production storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = True


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    # Production shares rate-limit counters through the database cache; each test gets a
    # fresh in-memory cache so counters never leak from one test into another.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"},
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests-ratelimit"},
    }
    from django.core.cache import caches

    for alias in ("default", "ratelimit"):
        caches[alias].clear()
    yield
    for alias in ("default", "ratelimit"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _fresh_worker_wakeups():
    # The outbox coalesces worker wake-ups per process; each test starts a fresh window.
    from xaso.notifications import services

    services._wake_state.update(immediate=None, delayed=None)


@pytest.fixture(autouse=True)
def _fresh_reference_lists():
    from xaso.core import refcache

    refcache.clear()
    yield
    refcache.clear()
