from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "xaso.vault"
    label = "vault"
    verbose_name = _("Personal document vault")

    def ready(self):
        from xaso.core import audit

        from . import receivers  # noqa: F401 - connects to the dossiers' file signals
        from .models import Document, DocumentType

        audit.track(DocumentType)
        audit.track(Document, exclude=("sha256",))
