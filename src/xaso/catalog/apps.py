from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "xaso.catalog"
    label = "catalog"
    verbose_name = _("Procedure catalogue")

    def ready(self):
        from xaso.core import audit

        from .models import DepartmentType, Field

        # Reference data edited in the admin; procedure changes are audited by the services.
        audit.track(DepartmentType)
        audit.track(Field)
