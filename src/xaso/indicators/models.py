"""Measurable targets of the reform plan (section II "Mục tiêu" and the numbers in section
III), their thresholds per year, the values units report, and the KPI weights.

A target is either *measured* by the system (``metric`` names a function in
``indicators.registry``) or *reported* by a unit each period with evidence.
"""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xaso.core.models import Unit
from xaso.plan.models import Plan, ReportingPeriod


class Target(models.Model):
    class Method(models.TextChoices):
        MEASURED = "measured", _("Measured by the system")
        REPORTED = "reported", _("Reported by a unit")

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", _("at least")
        MORE_THAN = "gt", _("more than")
        AT_MOST = "lte", _("at most")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("plan"))
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("target"), max_length=500)
    source = models.CharField(_("source in the plan"), max_length=255)
    source_text = models.TextField(_("text of the plan"), blank=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=20, default="%")
    comparison = models.CharField(_("comparison"), max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    metric = models.CharField(_("measurement"), max_length=64, blank=True, help_text=_("Key of a measurement function (measured targets)."))
    reporting_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("reporting unit"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="target_unique_code")]

    def __str__(self):
        return self.name


class Threshold(models.Model):
    class Origin(models.TextChoices):
        PLAN = "plan", _("Set in the plan")
        INTERPOLATED = "interpolated", _("Interpolated")
        PERSON = "person", _("Set by a person")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="thresholds", verbose_name=_("target"))
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("threshold"), max_digits=8, decimal_places=2)
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices)

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        ordering = ["target", "year"]
        constraints = [models.UniqueConstraint(fields=["target", "year"], name="threshold_unique_year")]


def evidence_path(instance, filename):
    return f"indicators/evidence/{instance.period.code}/{instance.target.code}/{filename}"


class ReportedValue(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="reported_values", verbose_name=_("target"))
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2)
    note = models.TextField(_("how it was measured"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True, max_length=300)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("reported by"))
    reported_at = models.DateTimeField(_("reported at"), auto_now=True)

    class Meta:
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")
        ordering = ["target", "period"]
        constraints = [models.UniqueConstraint(fields=["target", "period"], name="reported_value_unique")]


class KpiWeights(models.Model):
    """Weights of the officials' KPI (docs/kpi.md), one set per commune."""

    commune = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="kpi_weights", verbose_name=_("commune"))
    volume = models.DecimalField(_("weight: dossiers handled"), max_digits=5, decimal_places=2, default=Decimal("0.15"), validators=[MinValueValidator(0)])
    on_time = models.DecimalField(_("weight: dossiers on time"), max_digits=5, decimal_places=2, default=Decimal("0.30"), validators=[MinValueValidator(0)])
    rating = models.DecimalField(_("weight: citizens' ratings"), max_digits=5, decimal_places=2, default=Decimal("0.15"), validators=[MinValueValidator(0)])
    tasks_on_time = models.DecimalField(_("weight: plan reports on time"), max_digits=5, decimal_places=2, default=Decimal("0.20"), validators=[MinValueValidator(0)])
    tasks_accepted = models.DecimalField(_("weight: plan reports accepted"), max_digits=5, decimal_places=2, default=Decimal("0.20"), validators=[MinValueValidator(0)])
    volume_norm = models.PositiveIntegerField(_("dossiers per quarter for a full volume score"), default=60)

    class Meta:
        verbose_name = _("KPI weights")
        verbose_name_plural = _("KPI weights")

    def __str__(self):
        return str(self.commune)
