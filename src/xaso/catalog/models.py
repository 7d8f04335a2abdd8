"""The procedure catalogue (thủ tục hành chính, TTHC).

Invariants kept here:
- a ``Procedure`` is the stable identity (its code); its content lives in
  ``ProcedureVersion`` rows with [valid_from, valid_to) periods that do not overlap and at
  most one open version (valid_to is null);
- a version that has a newer version is frozen: only closing it (valid_to) is allowed, and
  its documents, fees and steps cannot change (dossiers keep a foreign key to the version
  they were received under);
- an empty source value stays UNKNOWN (``unknown`` choices, null numbers), it is never read
  as "none" or "free";
- the shares of a version's internal steps sum to 100 (checked by the services).
Every change goes through ``xaso.catalog.services``.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xaso.core.models import Unit


class FrozenVersionError(ValidationError):
    """Raised when code tries to change a version that has been superseded."""


class DepartmentType(models.Model):
    """A kind of commune department (e.g. "Phòng Văn hóa - Xã hội"). Each commune has its
    own unit of that type; steps are routed to it (see services.resolve_unit)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit_kind = models.CharField(_("unit kind"), max_length=20, choices=Unit.Kind.choices)
    other_names = models.TextField(
        _("other names"), blank=True, help_text=_("Other names the commune's unit may carry, one per line.")
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("department type")
        verbose_name_plural = _("department types")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def names(self):
        return [self.name, *[line.strip() for line in self.other_names.splitlines() if line.strip()]]


class Field(models.Model):
    """A field of procedures (lĩnh vực), e.g. "Hộ tịch"."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    default_department = models.ForeignKey(
        DepartmentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fields",
        verbose_name=_("default competent department"),
        help_text=_("The commune department that handles this field's procedures unless a procedure says otherwise."),
    )
    green_lane_default = models.BooleanField(
        _("green lane by default"),
        default=False,
        help_text=_("New procedures of this field get the green-lane priority (reform plan 2026–2030, section 2.3)."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:field", args=[self.slug])


class Procedure(models.Model):
    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=_("National procedure code, e.g. 1.001193, or a local code.")
    )
    code_is_local = models.BooleanField(
        _("local code"), default=False, help_text=_("The source gives no national code; this code was generated here.")
    )
    is_frequent = models.BooleanField(_("frequently used"), default=False)
    # Copies of the current version, kept by the services, for listing and search.
    name = models.TextField(_("name"), blank=True)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, null=True, blank=True, related_name="procedures", verbose_name=_("field")
    )
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def get_absolute_url(self):
        return reverse("catalog:detail", args=[self.code])

    def current_version(self, at=None):
        """The version in force at ``at`` (default: now), or None."""
        at = at or timezone.now()
        return (
            self.versions.filter(valid_from__lte=at)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at))
            .order_by("-valid_from")
            .first()
        )

    def latest_version(self):
        return self.versions.order_by("-number").first()


class ProcedureVersion(models.Model):
    class Level(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        PROVINCE = "province", _("Province")
        OTHER = "other", _("Other level")

    class ProcessingUnit(models.TextChoices):
        SAME_DAY = "same_day", _("Same day")
        WORKING_DAYS = "working_days", _("Working days")
        CALENDAR_DAYS = "calendar_days", _("Calendar days")
        HOURS = "hours", _("Working hours")
        UNKNOWN = "unknown", _("Not determined")

    class OnlineLevel(models.TextChoices):
        # NĐ 42/2022/NĐ-CP art. 11 (two levels), NĐ 224/2026/NĐ-CP art. 14 (from 01/07/2026).
        FULL = "full", _("Fully online")
        PARTIAL = "partial", _("Partly online")
        NONE = "none", _("Not online")
        UNKNOWN = "unknown", _("Not determined")

    class SupplementMode(models.TextChoices):
        PAUSE = "pause", _("Pause the clock")
        RESTART = "restart", _("Restart from zero")

    class FeeTiming(models.TextChoices):
        # When the fees must be paid (NĐ 118/2025 Điều 24, content UNCONFIRMED: vn-rules 10);
        # "not stated" blocks no step.
        UNKNOWN = "unknown", _("Not stated")
        BEFORE_RECEPTION = "before_reception", _("Before the dossier is received")
        BEFORE_RESULT = "before_result", _("Before the result is returned")

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions", verbose_name=_("procedure"))
    number = models.PositiveIntegerField(_("version"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    change_reason = models.TextField(_("reason for the change"), blank=True)

    name = models.TextField(_("name"))
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="versions", verbose_name=_("field"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.COMMUNE)
    authority = models.CharField(_("competent authority"), max_length=255, blank=True)
    competent_department = models.ForeignKey(
        DepartmentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("competent department"),
        help_text=_("Empty: the field's default department."),
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    processing_amount = models.PositiveIntegerField(_("processing time"), null=True, blank=True)
    processing_unit = models.CharField(
        _("processing time unit"), max_length=15, choices=ProcessingUnit.choices, default=ProcessingUnit.UNKNOWN
    )
    processing_note = models.TextField(_("processing time note"), blank=True)
    cutoff = models.TimeField(
        _("cut-off hour"), null=True, blank=True, help_text=_("Dossiers received after this hour count from the next working day.")
    )
    fee_note = models.TextField(_("fee note"), blank=True)
    fee_timing = models.CharField(
        _("fees due"), max_length=16, choices=FeeTiming.choices, default=FeeTiming.UNKNOWN,
        help_text=_("The dossier cannot go past this step until its fees are paid or exempted."),
    )
    online_payment = models.BooleanField(
        _("online payment offered"), default=False,
        help_text=_("The fees can be paid online (Decision 766 item 3.5: procedures with fees integrated with online payment)."),
    )
    online_level = models.CharField(_("online level"), max_length=10, choices=OnlineLevel.choices, default=OnlineLevel.UNKNOWN)
    channels_known = models.BooleanField(_("channels known"), default=False)
    channel_online = models.BooleanField(_("online"), default=False)
    channel_post = models.BooleanField(_("by post"), default=False)
    channel_counter = models.BooleanField(_("at the counter"), default=False)
    result = models.CharField(_("result document"), max_length=255, blank=True)
    green_lane = models.BooleanField(_("green lane"), default=False)
    supplement_mode = models.CharField(
        _("supplement requests"), max_length=10, choices=SupplementMode.choices, default=SupplementMode.PAUSE
    )
    supplement_max = models.PositiveSmallIntegerField(_("maximum supplement requests"), default=1)
    process_is_default = models.BooleanField(
        _("default process"), default=True, help_text=_("The internal steps come from the default template and need review.")
    )
    needs_verification = models.BooleanField(
        _("needs verification"), default=False, help_text=_("The source marks some values as unverified or inferred.")
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="catalog_version_number_unique"),
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(valid_to__isnull=True), name="catalog_one_open_version"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="catalog_version_period_valid",
            ),
        ]

    def __str__(self):
        return f"{self.procedure.code} v{self.number}"

    def is_superseded(self):
        return self.pk is not None and ProcedureVersion.objects.filter(procedure_id=self.procedure_id, number__gt=self.number).exists()

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk and self.is_superseded() and (update_fields is None or set(update_fields) - {"valid_to"}):
            raise FrozenVersionError(_("A superseded procedure version cannot be changed; publish a new version."))
        super().save(*args, **kwargs)

    @property
    def is_same_day(self):
        return self.processing_unit == self.ProcessingUnit.SAME_DAY

    def channels(self):
        return [label for flag, label in (
            (self.channel_online, _("online")), (self.channel_post, _("by post")), (self.channel_counter, _("at the counter"))
        ) if flag]

    def department(self):
        return self.competent_department or self.field.default_department

    def legal_basis_items(self):
        return [item.strip() for item in self.legal_basis.split(";") if item.strip()]


class _VersionChild(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.version_id and self.version.is_superseded():
            raise FrozenVersionError(_("A superseded procedure version cannot be changed; publish a new version."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.version.is_superseded():
            raise FrozenVersionError(_("A superseded procedure version cannot be changed; publish a new version."))
        return super().delete(*args, **kwargs)


class RequiredDocument(_VersionChild):
    class Requirement(models.TextChoices):
        MANDATORY = "mandatory", _("Mandatory")
        CONDITIONAL = "conditional", _("Conditional")
        NOTE = "note", _("Explanatory note")

    class Submission(models.TextChoices):
        SUBMIT = "submit", _("Submit")
        PRESENT = "present", _("Present only")

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="documents", verbose_name=_("version"))
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.TextField(_("document"))
    requirement = models.CharField(_("requirement"), max_length=12, choices=Requirement.choices, default=Requirement.MANDATORY)
    submission = models.CharField(_("submission"), max_length=10, choices=Submission.choices, default=Submission.SUBMIT)
    originals = models.PositiveSmallIntegerField(_("originals"), null=True, blank=True)
    copies = models.PositiveSmallIntegerField(_("copies"), null=True, blank=True)
    blank_form = models.FileField(_("blank form"), upload_to="catalog/forms/%Y/", blank=True, max_length=255)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["version", "order", "pk"]

    def __str__(self):
        return self.name


class Fee(_VersionChild):
    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed amount")
        PER_UNIT = "per_unit", _("Per unit")
        COUNCIL = "council", _("Set by the provincial People's Council")
        FREE = "free", _("Free")
        UNKNOWN = "unknown", _("Not determined")

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees", verbose_name=_("version"))
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.PositiveBigIntegerField(_("amount (VND)"), null=True, blank=True)
    unit = models.CharField(_("per"), max_length=60, blank=True, help_text=_("e.g. trang, bản sao, giao dịch"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    # Some fees are lower when the procedure is done online (e.g. permanent residence
    # registration, TT 75/2022/TT-BTC as amended by TT 71/2025/TT-BTC: 20 000 đồng at the
    # counter, 10 000 đồng online). Empty: the same price online as at the counter.
    online_amount = models.PositiveBigIntegerField(
        _("online amount (VND)"), null=True, blank=True,
        help_text=_("Only when the price differs for online dossiers (per the same unit); empty = the same price."),
    )

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["version", "order", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount or ''}{'/' + self.unit if self.unit else ''}"

    @property
    def amount_not_set(self):
        """For council-decided fees: the amount is not yet known."""
        return self.kind == self.Kind.COUNCIL and self.amount is None

    @property
    def online_price_differs(self):
        return self.online_amount is not None and self.online_amount != self.amount

    def clean(self):
        super().clean()
        error = online_amount_error(self.kind, self.amount, self.online_amount)
        if error:
            raise ValidationError({"online_amount": error})


PRICED_FEE_KINDS = (Fee.Kind.FIXED, Fee.Kind.PER_UNIT, Fee.Kind.COUNCIL)


def online_amount_error(kind, amount, online_amount):
    """Why an online price cannot go with this fee line, or None. Only a line with a price
    (fixed, per unit, or council-decided with an amount) can have an online price."""
    if online_amount is None:
        return None
    if isinstance(online_amount, bool) or not isinstance(online_amount, int) or online_amount < 0:
        return _("The online amount must be a whole number of đồng, 0 or more.")
    if kind not in PRICED_FEE_KINDS or amount is None:
        return _("Only a fee line with an amount can have a different online amount.")
    return None


class ProcessStep(_VersionChild):
    class Role(models.TextChoices):
        RECEPTION = "reception", _("One-stop reception")
        SPECIALIST = "specialist", _("Specialist of the competent department")
        HEAD = "head", _("Head of the competent department")
        LEADER = "leader", _("Commune leader (approval, signature)")
        OTHER_AGENCY = "other_agency", _("Another agency (inter-agency)")

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps", verbose_name=_("version"))
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("step"), max_length=255)
    role = models.CharField(_("responsible"), max_length=15, choices=Role.choices)
    share = models.PositiveSmallIntegerField(_("share of the time (%)"))
    inter_agency = models.BooleanField(_("inter-agency"), default=False)
    agency_name = models.CharField(_("other agency"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["version", "order", "pk"]

    def __str__(self):
        return self.name
