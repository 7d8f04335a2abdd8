from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "xaso.plan"
    label = "plan"
    verbose_name = _("Reform plan")

    def ready(self):
        from xaso.core import audit

        from . import models

        for model in (models.Plan, models.Area, models.Task, models.Milestone, models.ReportingPeriod, models.Contribution, models.Evidence, models.ReportTemplate):
            audit.track(model)
        audit.track(models.ProgressReport, exclude=("updated_at",))
