from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "xaso.indicators"
    label = "indicators"
    verbose_name = _("Targets and KPIs")

    def ready(self):
        from xaso.core import audit

        from . import models, sources

        for model in (models.Target, models.Threshold, models.ReportedValue, models.KpiWeights):
            audit.track(model)
        sources.register()
