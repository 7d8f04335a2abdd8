from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "xaso.dossiers"
    label = "dossiers"
    verbose_name = _("Dossiers (one-stop-shop)")
    # Every dossier change goes through ``services.py``, which writes an explicit audit
    # record per business action (no automatic model tracking, so nothing is recorded twice).

    def ready(self):
        from . import signals  # noqa: F401  (stored due dates follow calendar decisions)
        from xaso.core.selectors import register_citizen_scope

        register_citizen_scope(_applicants_in_scope)


def _applicants_in_scope(user):
    """The accounts that submitted the dossiers an official may see."""
    from .selectors import visible_dossiers

    return visible_dossiers(user).exclude(applicant_account=None).values("applicant_account")
