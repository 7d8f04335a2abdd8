from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "xaso.payments"
    label = "payments"
    verbose_name = _("Fees and online payments")

    def ready(self):
        from xaso.core import audit
        from xaso.dossiers import extensions

        from . import checks, models, panels, services  # noqa: F401  (checks register themselves)

        extensions.guard(services.guard)
        extensions.on_fee_payment(services.issue_receipt)
        extensions.panel(panels.dossier_panel)
        audit.track(models.ReceiptSeries)
