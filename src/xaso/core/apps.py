from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xaso.core"
    label = "core"
    verbose_name = _("Organisation, people and audit")

    def ready(self):
        from . import audit

        audit.register_core_models()

        from . import workdays  # noqa: F401  (clears the cached calendar when a decision changes)
        from . import signing  # noqa: F401  (deployment check of the signing certificate)
        from . import site  # noqa: F401  (deployment check of the public address)
        from .admin_vi import localise_models

        localise_models()  # third-party model and app names in Vietnamese
        from . import audit_anchor  # noqa: F401  (deployment check of the audit key)
