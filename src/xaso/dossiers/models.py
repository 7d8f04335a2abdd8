"""Dossiers of the electronic one-stop-shop (NĐ 118/2025/NĐ-CP, TT 03/2025/TT-VPCP).

Invariants kept here and in ``services.py``:
- a dossier's code is given once, at creation, and never changes (TT 01/2018 Điều 19,
  TT 03/2025 Điều 13): ``<unit identifier>-<YYMMDD>-<sequence>``, a gap-free sequence per
  receiving unit per day (``CodeCounter``);
- what the procedure said at receipt (legal time, cut-off, fee, steps, supplement policy)
  is copied onto the dossier: later catalogue edits do not change it;
- every due date is recomputed by ``deadlines.compute`` from stored facts; ``due_at`` is a
  denormalised copy for fast worklists, refreshed on every change (tested);
- every change goes through one service function, which writes an ``Event``.
"""
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .states import Action, Status


def _status_choices():
    labels = {
        Status.SUBMITTED: _("Submitted online, waiting for reception"),
        Status.RECEPTION_SUPPLEMENT: _("To be completed before reception"),
        Status.RECEPTION_REFUSED: _("Refused at reception"),
        Status.RECEIVED: _("Received"),
        Status.TRANSFERRED: _("Transferred to the competent unit"),
        Status.IN_PROGRESS: _("Being processed"),
        Status.INTERAGENCY: _("At another agency"),
        Status.SUPPLEMENT: _("Waiting for the applicant's supplement"),
        Status.HEAD_REVIEW: _("Waiting for the head of department's review"),
        Status.AWAITING_APPROVAL: _("Waiting for approval"),
        Status.APPROVED: _("Approved"),
        Status.RESULT_READY: _("Result ready"),
        Status.RETURNED: _("Result returned"),
        Status.REFUSED: _("Refused"),
        Status.STOPPED: _("Stopped at the applicant's request"),
    }
    return [(s.value, labels[s]) for s in Status]


STATUS_CHOICES = _status_choices()

# The states in which a dossier waits for its assigned official (the "my work" list).
ASSIGNEE_WORK_STATUSES = [s.value for s in (Status.IN_PROGRESS, Status.INTERAGENCY, Status.SUPPLEMENT, Status.APPROVED)]

# History (timeline, public lookup, control sheet, messages "done: …"): what happened, in the
# past tense. Buttons and forms name the action to take: ``ACTION_BUTTONS`` (imperative).
ACTION_LABELS = {
    "submit_online": _("Submitted online"),
    "intake": _("Received at the counter"),
    Action.RECEIVE: _("Received"),
    Action.RECEPTION_SUPPLEMENT: _("Asked to complete before reception"),
    Action.RESUBMIT: _("Resubmitted"),
    Action.REFUSE_RECEPTION: _("Refused at reception"),
    Action.TRANSFER: _("Transferred to the competent unit"),
    Action.ASSIGN: _("Assigned"),
    Action.SUBMIT_FOR_REVIEW: _("Submitted to the head of department"),
    Action.FORWARD_FOR_APPROVAL: _("Reviewed and submitted to the leader"),
    Action.SUBMIT_FOR_APPROVAL: _("Submitted to the leader for approval"),
    Action.SEND_BACK: _("Returned for rework"),
    Action.APPROVE: _("Approved"),
    Action.REFUSE: _("Refused to resolve"),
    Action.SEND_INTERAGENCY: _("Sent to another agency"),
    Action.INTERAGENCY_BACK: _("Back from the other agency"),
    Action.REQUEST_SUPPLEMENT: _("Supplement requested"),
    Action.SUPPLEMENT_RECEIVED: _("Supplement received"),
    Action.RESULT_READY: _("Result ready"),
    Action.RETURN_RESULT: _("Result returned"),
    Action.STOP: _("Stopped at the applicant's request"),
    Action.APOLOGISE: _("Apology and new date issued"),
    "fee_payment": _("Fees paid"),
    "payment_requested": _("Payment requested from the applicant"),
    "fee_exempted": _("Fees exempted"),
    "payment_refunded": _("Online payment refunded"),
    "rated": _("Rated by the applicant"),
    "attach_file": _("File attached"),
}


ACTION_BUTTONS = {
    Action.RECEIVE: _("Receive the dossier"),
    Action.RECEPTION_SUPPLEMENT: _("Ask to complete the dossier"),
    Action.RESUBMIT: _("Resubmit the dossier"),
    Action.REFUSE_RECEPTION: _("Refuse to receive"),
    Action.TRANSFER: _("Transfer to the competent unit"),
    Action.ASSIGN: _("Assign"),
    Action.SUBMIT_FOR_REVIEW: _("Submit to the head of department"),
    Action.FORWARD_FOR_APPROVAL: _("Submit to the leader for approval"),
    Action.SUBMIT_FOR_APPROVAL: _("Submit to the leader for approval"),
    Action.SEND_BACK: _("Return for rework"),
    Action.APPROVE: _("Approve"),
    Action.REFUSE: _("Refuse to resolve"),
    Action.SEND_INTERAGENCY: _("Send to another agency"),
    Action.INTERAGENCY_BACK: _("Record the other agency's reply"),
    Action.REQUEST_SUPPLEMENT: _("Request a supplement"),
    Action.SUPPLEMENT_RECEIVED: _("Record the supplement received"),
    Action.RESULT_READY: _("Send the result to the desk"),
    Action.RETURN_RESULT: _("Return the result"),
    Action.STOP: _("Stop at the applicant's request"),
    Action.APOLOGISE: _("Issue an apology and new date"),
}


def action_label(action) -> str:
    """What happened, in the past tense (timeline, messages, public history)."""
    return str(ACTION_LABELS.get(action, action))


def action_button(action) -> str:
    """The action to take, in the imperative (buttons, forms, refusal messages)."""
    return str(ACTION_BUTTONS.get(action) or ACTION_LABELS.get(action, action))
ACTION_CHOICES = [(str(k), v) for k, v in ACTION_LABELS.items()]


class Channel(models.IntegerChoices):
    # National codes (KenhThucHien: 1 direct, 2 online, 3 postal; vn-rules 3.5).
    COUNTER = 1, _("At the counter")
    ONLINE = 2, _("Online")
    POST = 3, _("By post")


class Delivery(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    ORGANISATION = "organisation", _("Organisation")


class PaidOnline(models.IntegerChoices):
    # DuocThanhToanTrucTuyen (vn-rules 3.5): 1 on the national portal, 2 local gateway.
    NO = 0, _("Not paid online")
    NATIONAL = 1, _("Paid on the national portal")
    LOCAL = 2, _("Paid through the local payment gateway")


class PaymentMethod(models.TextChoices):
    # Counter methods are recorded by the reception desk; online methods only by the
    # payment platform's callback (a system actor), never by hand (vn-rules 10).
    CASH = "cash", _("Cash at the counter")
    TRANSFER = "transfer", _("Bank transfer")
    NATIONAL_PORTAL = "national_portal", _("Online, national public service portal")
    LOCAL_GATEWAY = "local_gateway", _("Online, local payment gateway")


ONLINE_PAYMENT_METHODS = {PaymentMethod.NATIONAL_PORTAL: PaidOnline.NATIONAL, PaymentMethod.LOCAL_GATEWAY: PaidOnline.LOCAL}


class TrackingBookCounter(models.Model):
    """The last sequence number written in a tracking book (Sổ theo dõi hồ sơ, BM.06: "kept
    per field or group of fields"): one book per receiving unit, year and field (``field``
    empty when the books are kept per unit, ``XASO_TRACKING_BOOK_PER``). Incremented in the
    receipt transaction by one upsert, like ``CodeCounter``: no gap, no duplicate."""

    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    field = models.CharField(max_length=255, blank=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year", "field"], name="dossier_book_counter_unique")]


class CodeCounter(models.Model):
    """The last sequence number given by a receiving unit on a day. Incremented under a row
    lock in the intake transaction: no gap, no duplicate, on any number of servers."""

    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="dossier_code_counter_unique")]


def new_lookup_secret():
    # Printed on the slip for applicants without a phone; no ambiguous characters.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Dossier(models.Model):
    # Unique, and looked up by equality only: the constraint below (a plain unique index; a
    # unique field would add a second, LIKE-pattern index that no query uses).
    code = models.CharField(_("dossier code"), max_length=64)
    lookup_secret = models.CharField(_("lookup secret"), max_length=16, default=new_lookup_secret)
    # The submitting form's or API client's key for this submission (Idempotency-Key): a
    # double click, a retried request or a replay with the same key gives back this dossier
    # instead of receiving a second one (services.intake / submit_online).
    # Unique among the dossiers that have one (a partial index: most counter dossiers of the
    # past have none, and no LIKE index is needed).
    request_key = models.CharField(_("submission key"), max_length=64, null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=24, choices=STATUS_CHOICES)
    channel = models.PositiveSmallIntegerField(_("channel"), choices=Channel.choices)

    # The procedure and what its version said at receipt (copied; later edits do not apply).
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("procedure version"),
    )
    procedure_code = models.CharField(_("procedure code"), max_length=64)
    procedure_name = models.CharField(_("procedure"), max_length=500)
    field_name = models.CharField(_("field"), max_length=255, blank=True)
    legal_days = models.DecimalField(_("processing time (working days)"), max_digits=6, decimal_places=1, default=0)
    legal_hours = models.DecimalField(_("processing time (working hours)"), max_digits=6, decimal_places=1, default=0)
    legal_calendar_days = models.BooleanField(_("time counted in calendar days"), default=False)
    cutoff = models.TimeField(_("cut-off hour"), null=True, blank=True)
    # The fee lines of the procedure priced at receipt (``services.price_fee_lines``): each
    # {"line", "kind", "name", "unit_price", "unit", "quantity", "amount"}; ``amount`` is
    # None for a line the catalogue does not price ("chưa xác định"). ``fee_amount`` is the
    # sum of the lines whose amount is known: what the desk can collect.
    fee_amount = models.PositiveBigIntegerField(_("fees and charges (VND)"), default=0)
    fee_lines = models.JSONField(_("fee lines"), default=list, blank=True)
    steps_plan = models.JSONField(_("internal process"), default=list, blank=True)
    max_supplements = models.PositiveSmallIntegerField(_("supplement requests allowed"), default=1)
    supplement_restarts_clock = models.BooleanField(_("time restarts after a supplement"), default=False)
    green_lane = models.BooleanField(_("priority procedure (làn xanh)"), default=False)
    has_written_result = models.BooleanField(_("written result"), default=True)

    # Applicant, and the authorised person acting for them (both kept).
    applicant_kind = models.CharField(_("applicant kind"), max_length=12, choices=ApplicantKind.choices, default=ApplicantKind.CITIZEN)
    applicant_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="dossiers", verbose_name=_("applicant account")
    )
    applicant_name = models.CharField(_("applicant"), max_length=255)
    applicant_id_number = models.CharField(_("personal or organisation identification number"), max_length=20, blank=True)
    applicant_address = models.CharField(_("address"), max_length=255, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=15, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    agent_name = models.CharField(_("authorised person"), max_length=255, blank=True)
    agent_id_number = models.CharField(_("authorised person's identification number"), max_length=20, blank=True)
    agent_address = models.CharField(_("authorised person's address"), max_length=255, blank=True)
    agent_phone = models.CharField(_("authorised person's phone"), max_length=15, blank=True)
    agent_email = models.EmailField(_("authorised person's e-mail"), blank=True)
    authorisation_document = models.CharField(_("authorisation document"), max_length=255, blank=True)
    vneid_verified = models.BooleanField(_("account verified with VNeID"), default=False)
    request_summary = models.TextField(_("request"), blank=True)
    copies = models.PositiveSmallIntegerField(_("number of sets"), default=1)

    # Units: any centre of the province receives any commune's dossier and routes it.
    # receiving_unit, current_unit and assignee: no single-column index of their own; the
    # worklist indexes (Meta.indexes) start with them and serve their lookups and joins.
    receiving_unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="received_dossiers", verbose_name=_("receiving unit"), db_index=False)
    competent_unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="competent_dossiers", verbose_name=_("competent unit"))
    current_unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="current_dossiers", verbose_name=_("current unit"), db_index=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_dossiers", verbose_name=_("assigned to"), db_index=False
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("received by")
    )
    # Entry in the tracking book at receipt (BM.01 "Vào Sổ theo dõi hồ sơ, Quyển số …; Số thứ tự …").
    book_volume = models.CharField(_("tracking book volume"), max_length=32, blank=True)
    book_seq = models.PositiveIntegerField(_("number in the tracking book"), null=True, blank=True)
    # Inter-agency: the unit that owns the original dossier, so statistics count it once.
    is_original = models.BooleanField(_("original dossier (counted in statistics)"), default=True)

    # Clock facts.
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(_("due (effective)"), null=True, blank=True, db_index=True)
    legal_due_at = models.DateTimeField(_("due (legal)"), null=True, blank=True)
    finished_at = models.DateTimeField(_("processing finished"), null=True, blank=True)
    returned_at = models.DateTimeField(_("result returned"), null=True, blank=True)
    supplement_count = models.PositiveSmallIntegerField(_("supplement requests"), default=0)

    # Result.
    delivery = models.CharField(_("result delivery"), max_length=10, choices=Delivery.choices, default=Delivery.COUNTER)
    result_number = models.CharField(_("result number"), max_length=100, blank=True)
    result_code = models.CharField(_("result code"), max_length=100, blank=True)
    result_file = models.FileField(_("electronic result"), upload_to="dossiers/results/%Y/%m/", blank=True)
    result_summary = models.TextField(_("result"), blank=True)
    reasons = models.TextField(_("reasons (refusal or stop)"), blank=True)

    fee_paid = models.BooleanField(_("fees paid"), default=False)
    paid_online = models.PositiveSmallIntegerField(_("paid online"), choices=PaidOnline.choices, default=PaidOnline.NO)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="dossier_worklist_idx"),
            models.Index(fields=["current_unit", "status", "due_at"], name="dossier_unit_worklist_idx"),
            models.Index(fields=["receiving_unit", "status"], name="dossier_desk_idx"),
            # Equality filters only: Meta indexes, so PostgreSQL gets no LIKE-pattern twins.
            models.Index(fields=["status"], name="dossier_status_idx"),
            models.Index(fields=["procedure_code"], name="dossier_procedure_idx"),
            # "Assigned to me" in worklist order: read in index order, stop after a page.
            models.Index(
                fields=["assignee", "-green_lane", "due_at", "id"],
                condition=models.Q(status__in=ASSIGNEE_WORK_STATUSES),
                name="dossier_my_open_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="dossier_code_unique"),
            models.UniqueConstraint(fields=["request_key"], condition=models.Q(request_key__isnull=False), name="dossier_request_key_unique"),
        ]

    def __str__(self):
        return self.code

    @property
    def status_enum(self):
        return Status(self.status)

    @property
    def fee_undetermined(self) -> bool:
        """A fee line has no known amount (not priced in the catalogue): ``fee_amount`` does
        not include it."""
        return any(line.get("amount") is None for line in self.fee_lines or [])

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("dossiers:detail", args=[self.code])

    @property
    def has_head_review(self) -> bool:
        """The internal process copied at receipt has the head of department's review step
        (catalogue role "head"): the specialist submits to the head, who forwards to the
        leader (``states.HEAD_REVIEW``)."""
        return any(step.get("role") == "unit_head" for step in self.steps_plan or [])


def component_upload_to(instance, filename):
    return f"dossiers/components/{instance.dossier.received_at or instance.dossier.submitted_at:%Y/%m}/{instance.dossier.code}/{filename}"


class Component(models.Model):
    """A submitted document: whether it was scanned (digitised, TT 01/2023 Điều 8) and
    whether it was reused from the applicant's data store (DuocLayTuKhoDMQG)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(_("document"), max_length=500)
    document_code = models.CharField(_("document type code"), max_length=64, blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    copies = models.CharField(_("originals/copies"), max_length=100, blank=True)
    submitted = models.BooleanField(_("submitted"), default=True)
    digitised = models.BooleanField(_("digitised"), default=False)
    reused = models.BooleanField(_("reused from stored data"), default=False)
    file = models.FileField(_("file"), upload_to=component_upload_to, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    supplement_round = models.PositiveSmallIntegerField(_("supplement round"), default=0)

    class Meta:
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Step(models.Model):
    """One hand-over: who handed the dossier to which unit/official when, its own due time
    (its share of the legal time), and when the step ended. Rows of the process-control
    sheet (Phiếu kiểm soát quá trình giải quyết hồ sơ, Mẫu 05)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveSmallIntegerField()
    name = models.CharField(_("step"), max_length=255)
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit"))
    external_agency = models.CharField(_("other agency"), max_length=255, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="dossier_steps", verbose_name=_("official")
    )
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    started_at = models.DateTimeField(_("received"))
    due_at = models.DateTimeField(_("step due"), null=True, blank=True)
    finished_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    share_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    is_interagency = models.BooleanField(default=False)

    class Meta:
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_step_seq_unique")]
        indexes = [models.Index(fields=["assignee", "finished_at"], name="dossier_step_assignee_idx")]


class Pause(models.Model):
    """Time the applicant takes to supplement: not counted (vn-rules 1.5)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField(_("paused"))
    ended_at = models.DateTimeField(_("resumed"), null=True, blank=True)
    restart_clock = models.BooleanField(_("time restarts from zero"), default=False)
    reason = models.TextField(_("reason"))
    items = models.JSONField(_("items to supplement"), default=list)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["dossier", "started_at"]


class Apology(models.Model):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (vn-rules 1.6): once per dossier."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="apology")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit at fault"))
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("official at fault")
    )
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by"))
    reason = models.TextField(_("reason"))
    previous_due_at = models.DateTimeField(_("original appointment"))
    new_due_at = models.DateTimeField(_("new appointment"))
    issued_at = models.DateTimeField(_("issued"))
    in_time = models.BooleanField(_("issued at least one working day before the due date"), default=True)

    class Meta:
        verbose_name = _("apology")
        verbose_name_plural = _("apologies")


class DocumentKind(models.TextChoices):
    # Keyed by type, not number (vn-rules 1.8: the TT 03/2025 numbering is unconfirmed).
    RECEIPT = "receipt", _("Receipt and appointment slip")
    SUPPLEMENT = "supplement", _("Request to complete the dossier")
    REFUSAL = "refusal", _("Refusal notice")
    # Refusal to resolve after processing: a written answer of the competent authority with
    # the reasons and the legal basis (not the reception desk's refusal to receive).
    DENIAL = "denial", _("Notice of refusal to resolve")
    APOLOGY = "apology", _("Apology and new appointment")
    STOP = "stop", _("Notice of stopping the handling")
    CONTROL = "control", _("Process-control sheet")


class FormTemplate(models.Model):
    """A replacement template for an issued form, uploaded by an administrator in the admin.
    The active one for the issuing unit's commune is used, else the active one for every
    commune, else a template in ``XASO_DOSSIER_FORMS_DIR``, else the built-in one
    (``documents.template_for``). Earlier versions are kept, inactive, to go back to."""

    class Format(models.TextChoices):
        HTML = "html", _("PDF (HTML template)")
        DOCX = "docx", _("Word (DOCX template)")

    kind = models.CharField(_("form"), max_length=12, choices=DocumentKind.choices)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    local_government = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("commune"), help_text=_("Empty: the template of every commune that has none of its own."),
    )
    file = models.FileField(_("template file"), upload_to="form-templates/%Y/")
    note = models.CharField(_("note"), max_length=255, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("form template")
        verbose_name_plural = _("form templates")
        ordering = ["kind", "format", "-uploaded_at"]
        constraints = [
            # At most one template in use per form, format and commune (and one for all).
            models.UniqueConstraint(
                fields=["kind", "format", "local_government"], condition=models.Q(active=True, local_government__isnull=False),
                name="dossier_form_template_active_commune",
            ),
            models.UniqueConstraint(
                fields=["kind", "format"], condition=models.Q(active=True, local_government__isnull=True),
                name="dossier_form_template_active_all",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_format_display()})"


class DocumentCounter(models.Model):
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "year"], name="dossier_doc_counter_unique")]


class IssuedDocument(models.Model):
    """A form issued for a dossier, with its own number per kind, unit and year."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=12, choices=DocumentKind.choices)
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["dossier", "issued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "year", "number"], name="dossier_doc_number_unique")]

    SUFFIX = {
        "receipt": "TNHS",
        "supplement": "PBS",
        "refusal": "PTC",
        "denial": "TCGQ",
        "apology": "PXL",
        "stop": "TBD",
        "control": "PKS",
    }

    @property
    def reference(self):
        return f"{self.number}/{self.SUFFIX[self.kind]}-{self.year}"


class Event(models.Model):
    """The dossier's history: one row per action (the timeline and the public lookup)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    action = models.CharField(_("action"), max_length=32, choices=ACTION_CHOICES)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_name = models.CharField(max_length=255, blank=True)
    unit = models.ForeignKey("core.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["dossier", "at", "id"]

    @property
    def label(self):
        return ACTION_LABELS.get(self.action, self.action)


class FeePayment(models.Model):
    """A payment of the dossier's fees and charges (phí, lệ phí; NĐ 118/2025 Điều 8, 24;
    vn-rules 10). ``reference`` is the receipt number (biên lai, NĐ 123/2020 Điều 32) or the
    bank or gateway transaction reference: a payment with the same reference is recorded
    once (a replayed gateway callback, a double click)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="fee_payments")
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices)
    reference = models.CharField(_("receipt number or transaction reference"), max_length=64, blank=True)
    paid_at = models.DateTimeField(_("paid"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fee payment")
        verbose_name_plural = _("fee payments")
        ordering = ["dossier", "paid_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "reference"], condition=~models.Q(reference=""), name="dossier_fee_payment_reference_unique"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="dossier_fee_payment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.dossier_id}: {self.amount} ({self.method})"

    @property
    def is_online(self) -> bool:
        return self.method in ONLINE_PAYMENT_METHODS


class SyncJob(models.Model):
    """Outbox of dossier updates for the national public service portal (Cổng DVCQG)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Gave up")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="sync_jobs")
    event = models.CharField(max_length=32)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
