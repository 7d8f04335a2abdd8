"""The commune's reform plan: areas, tasks, milestones, reporting periods and the units'
progress reports (with evidence files and coordinating units' contributions).

Invariants kept here:
- a plan belongs to one commune/ward; area numbers and task numbers are unique in it;
- a task keeps the plan's own text (lead, coordinating, deadline) even when a unit name maps
  to nothing, and the unmapped names are listed on it;
- a progress report is one per (task, period, lead unit); its review state changes only
  through ``services`` following ``workflow.TRANSITIONS``.
"""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xaso.core.models import Unit

from . import schedules, workflow


class Plan(models.Model):
    commune = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reform_plans", verbose_name=_("commune"))
    title = models.CharField(_("title"), max_length=500)
    decision = models.CharField(_("issuing decision"), max_length=500, blank=True, help_text=_("As the plan document writes it."))
    # The decision that issued the plan, as signed (the document imported may be a draft with
    # the number and day left blank): recorded by the reform standing office.
    decision_number = models.CharField(
        _("decision number"), max_length=100, blank=True, help_text=_("The number and symbol of the issuing decision, e.g. 125/QĐ-UBND.")
    )
    decision_date = models.DateField(_("decision date"), null=True, blank=True, help_text=_("The date the issuing decision was signed."))
    period_start = models.PositiveSmallIntegerField(_("first year"))
    period_end = models.PositiveSmallIntegerField(_("last year"))
    source_name = models.CharField(_("source file"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("reform plan")
        verbose_name_plural = _("reform plans")
        ordering = ["-period_start", "title"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "title", "period_start", "period_end"], name="plan_unique_per_commune"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="plan_period_ordered"),
        ]

    def __str__(self):
        return self.title

    @property
    def decision_recorded(self) -> bool:
        return bool(self.decision_number and self.decision_date)

    def decision_text(self) -> str:
        """"Quyết định số 125/QĐ-UBND ngày 16/03/2026 của Ủy ban nhân dân xã Ngọc Liên"; while
        the number or date is not recorded, a marked blank where a person must write it."""
        number = self.decision_number or "…/QĐ-UBND"
        day = f"{self.decision_date:%d/%m/%Y}" if self.decision_date else "…/…/…"
        committee = "Ủy ban nhân dân " + self.commune.name[:1].lower() + self.commune.name[1:]
        text = f"Quyết định số {number} ngày {day} của {committee}"
        if not self.decision_recorded:
            text += " [số, ngày ban hành chưa ghi nhận]"
        return text


class Area(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas", verbose_name=_("plan"))
    number = models.CharField(_("number"), max_length=8)
    title = models.CharField(_("title"), max_length=255)
    order = models.PositiveSmallIntegerField(_("order"))
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("reform area")
        verbose_name_plural = _("reform areas")
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="area_unique_number")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("plan"))
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("area"))
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("task"))
    lead_text = models.CharField(_("lead unit (as written)"), max_length=500, blank=True)
    coordinating_text = models.CharField(_("coordinating units (as written)"), max_length=500, blank=True)
    deadline_text = models.CharField(_("deadline (as written)"), max_length=500, blank=True)
    lead_units = models.ManyToManyField(Unit, related_name="led_plan_tasks", blank=True, verbose_name=_("lead units"))
    coordinating_units = models.ManyToManyField(Unit, related_name="coordinated_plan_tasks", blank=True, verbose_name=_("coordinating units"))
    unmapped_units = models.JSONField(_("unit names not found"), default=list, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="task_unique_number")]

    def __str__(self):
        return f"{self.number}. {self.text[:80]}"


class Milestone(models.Model):
    class Kind(models.TextChoices):
        CONTINUOUS = schedules.CONTINUOUS, _("Continuous (every period)")
        YEARLY = schedules.YEARLY, _("Yearly")
        ONCE = schedules.ONCE, _("Once")
        FROM = schedules.FROM, _("From a date on")
        EXTERNAL = schedules.EXTERNAL, _("Set by another authority")
        UNPARSED = schedules.UNPARSED, _("Not understood")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("task"))
    order = models.PositiveSmallIntegerField(_("order"))
    label = models.CharField(_("label"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    source_text = models.CharField(_("text in the plan"), max_length=500)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("month (yearly)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)])
    needs_date = models.BooleanField(_("date to be set by a person"), default=False)
    date_set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("date set by"))

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["task", "order"]
        constraints = [models.UniqueConstraint(fields=["task", "order"], name="milestone_unique_order")]

    def __str__(self):
        return f"{self.task.number}: {self.source_text}"

    @property
    def flagged(self):
        return self.needs_date and self.due_date is None

    def occurrences(self):
        return schedules.occurrences(
            self.kind, due=self.due_date, month=self.month, first_year=self.task.plan.period_start, last_year=self.task.plan.period_end
        )


class ReportingPeriod(models.Model):
    class Kind(models.TextChoices):
        QUARTER = "quarter", _("Quarter")
        HALF = "half", _("Six months")
        YEAR = "year", _("Year")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods", verbose_name=_("plan"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    due_date = models.DateField(_("report due"))
    closed = models.BooleanField(_("closed"), default=False, help_text=_("A closed period accepts no more reports."))

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["plan", "end", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "year", "number"], name="period_unique"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="period_ordered"),
        ]

    def __str__(self):
        return self.label

    @property
    def code(self):
        return {"quarter": f"{self.year}-Q{self.number}", "half": f"{self.year}-H1", "year": f"{self.year}"}[self.kind]

    @property
    def label(self):
        roman = {1: "I", 2: "II", 3: "III", 4: "IV"}
        if self.kind == self.Kind.QUARTER:
            return _("Quarter %(q)s/%(y)s") % {"q": roman[self.number], "y": self.year}
        if self.kind == self.Kind.HALF:
            return _("First six months of %(y)s") % {"y": self.year}
        return _("Year %(y)s") % {"y": self.year}


class ProgressReport(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Completed")
        LATE = "late", _("Behind schedule")

    class State(models.TextChoices):
        DRAFT = workflow.DRAFT, _("Draft")
        SUBMITTED = workflow.SUBMITTED, _("Submitted")
        RETURNED = workflow.RETURNED, _("Returned for correction")
        ACCEPTED = workflow.ACCEPTED, _("Accepted")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports", verbose_name=_("task"))
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="reports", verbose_name=_("period"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="plan_reports", verbose_name=_("lead unit"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    done = models.TextField(_("what was done"), blank=True)
    difficulties = models.TextField(_("difficulties and proposals"), blank=True)
    state = models.CharField(_("review state"), max_length=10, choices=State.choices, default=workflow.DRAFT)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comments"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["period", "task__number", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["task", "period", "unit"], name="report_unique"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_max_100"),
        ]

    def __str__(self):
        return f"{self.period} — {self.task.number} — {self.unit}"

    @property
    def submitted_on_time(self):
        if not self.submitted_at:
            return None
        from django.utils import timezone

        return timezone.localdate(self.submitted_at) <= self.period.due_date


class Contribution(models.Model):
    """A coordinating unit's part of a lead unit's report."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="contributions", verbose_name=_("report"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("coordinating unit"))
    text = models.TextField(_("contribution"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("author"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["created_at"]


def evidence_path(instance, filename):
    return f"plan/evidence/{instance.report.period.code}/{instance.report.task.number}/{filename}"


class Evidence(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("report"))
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class ReportTemplate(models.Model):
    """A DOCX template uploaded by an administrator to replace the bundled one."""

    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(_("DOCX template"), upload_to="plan/templates/")
    is_active = models.BooleanField(_("in use"), default=False)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.name
