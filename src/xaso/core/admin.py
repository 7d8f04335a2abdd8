"""Admin registrations of the core app. Calendar and audit admins live in their own
modules, imported here."""
from . import admin_audit, admin_calendar  # noqa: F401
