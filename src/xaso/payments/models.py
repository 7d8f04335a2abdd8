"""Online payments of dossier fees, electronic receipts, exemptions.

Invariants kept here and in ``services``:
- a payment changes state only through ``services`` (the gateway's notification or the
  reconciliation's status query), along ``states.TRANSITIONS``;
- a completed payment counts for its dossier once: it then has exactly one fee payment row
  (``dossiers.FeePayment``, unique per gateway reference) — or it could not count (the fees
  were already paid) and is refunded;
- every fee payment, online or at the counter, has one electronic receipt whose number is
  unique in its series and year, from 1 each year, at most 7 digits (NĐ 123/2020 Điều 32
  k2 as amended by NĐ 70/2025; vn-rules 10).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .states import State

STATE_LABELS = {
    State.STARTED: _("Started"),
    State.PROCESSING: _("Processing at the gateway"),
    State.FAILED: _("Failed or abandoned"),
    State.COMPLETED: _("Completed"),
    State.REFUNDED: _("Refunded"),
}
STATE_CHOICES = [(s.value, STATE_LABELS[s]) for s in State]


class Payment(models.Model):
    """One attempt to pay a dossier's fees online through a provider (a gateway)."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="online_payments", verbose_name=_("dossier"))
    provider = models.CharField(_("provider"), max_length=20)
    txn_ref = models.CharField(_("transaction reference"), max_length=32, help_text=_("Our reference sent to the gateway (vnp_TxnRef); unique."))
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    state = models.CharField(_("state"), max_length=12, choices=STATE_CHOICES, default=State.STARTED)
    order_info = models.CharField(_("order description"), max_length=255)
    via = models.CharField(_("started from"), max_length=10, help_text=_("link (SMS payment link), owner (logged-in applicant), api"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("started by"))
    payer_ip = models.GenericIPAddressField(_("payer's IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), help_text=_("Sent to the gateway as the creation date (vnp_CreateDate)."))
    expires_at = models.DateTimeField(_("expires"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # What the gateway said (IPN or querydr).
    gateway_transaction_no = models.CharField(_("gateway transaction number"), max_length=32, blank=True)
    bank_code = models.CharField(_("bank"), max_length=20, blank=True)
    bank_tran_no = models.CharField(_("bank transaction number"), max_length=255, blank=True)
    card_type = models.CharField(_("card type"), max_length=20, blank=True)
    pay_date = models.CharField(_("paid at the gateway (yyyyMMddHHmmss)"), max_length=14, blank=True)
    response_code = models.CharField(_("response code"), max_length=4, blank=True)
    transaction_status = models.CharField(_("transaction status"), max_length=4, blank=True)
    notifications = models.PositiveSmallIntegerField(_("notifications received"), default=0)
    last_checked_at = models.DateTimeField(_("last status query"), null=True, blank=True)
    # Counted for the dossier (a fee payment row) or to be given back.
    fee_payment = models.OneToOneField(
        "dossiers.FeePayment", on_delete=models.PROTECT, null=True, blank=True, related_name="online_payment", verbose_name=_("fee payment recorded")
    )
    needs_refund = models.BooleanField(_("to be refunded"), default=False)
    refund_reason = models.TextField(_("refund reason"), blank=True)
    refund_attempts = models.PositiveSmallIntegerField(default=0)
    refund_error = models.TextField(blank=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("online payment")
        verbose_name_plural = _("online payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "txn_ref"], name="payments_payment_txn_ref_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payments_payment_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["dossier", "state"], name="payments_dossier_state_idx"),
            # The reconciliation's work: pending payments, refunds to make.
            models.Index(fields=["created_at"], condition=models.Q(state__in=["started", "processing"]), name="payments_pending_idx"),
            models.Index(fields=["id"], condition=models.Q(needs_refund=True), name="payments_refund_idx"),
        ]

    def __str__(self):
        return f"{self.provider}:{self.txn_ref}"

    @property
    def state_enum(self) -> State:
        return State(self.state)


class FeeExemption(models.Model):
    """The fees of a dossier waived by an authorised official, with the reason (e.g. the
    applicant belongs to a group the fee rules exempt): the step that needed payment may go
    ahead."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.PROTECT, related_name="fee_exemption", verbose_name=_("dossier"))
    reason = models.TextField(_("reason and legal basis"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted"))

    class Meta:
        verbose_name = _("fee exemption")
        verbose_name_plural = _("fee exemptions")


class ReceiptSeries(models.Model):
    """A series of electronic receipts (biên lai điện tử) of a collecting body: the form
    symbol and the receipt symbol it registered (TT 32/2025/TT-BTC), numbered from 1 each
    year. The printed receipt symbol is the letters plus the last two digits of the year
    (NĐ 123/2020 Điều 32 k2)."""

    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("collecting body"))
    name = models.CharField(_("receipt name"), max_length=255, default="Biên lai thu phí, lệ phí")
    form_symbol = models.CharField(_("form symbol"), max_length=20, help_text=_("Ký hiệu mẫu biên lai, as registered with the tax authority."))
    letters = models.CharField(_("receipt symbol letters"), max_length=8, help_text=_("Printed with the year's last two digits, e.g. NL → NL-26E."))
    tax_code = models.CharField(_("tax code of the collecting body"), max_length=14, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("receipt series")
        verbose_name_plural = _("receipt series")
        constraints = [models.UniqueConstraint(fields=["unit"], condition=models.Q(active=True), name="payments_one_active_series_per_unit")]

    def __str__(self):
        return f"{self.form_symbol} {self.letters} ({self.unit})"

    def symbol(self, year: int) -> str:
        return f"{self.letters}-{year % 100:02d}E"


class ReceiptCounter(models.Model):
    """The last receipt number of a series in a year (incremented under the row lock of
    one upsert in the payment's transaction: no gap, no duplicate)."""

    series = models.ForeignKey(ReceiptSeries, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="payments_receipt_counter_unique")]


MAX_RECEIPT_NUMBER = 9_999_999  # at most 7 digits (NĐ 123/2020 Điều 32 k2)


class Receipt(models.Model):
    """The electronic receipt of one fee payment (Mẫu 06 TT 32/2025/TT-BTC). What it says is
    fixed when it is issued (``content``); the signed PDF is made once and kept."""

    series = models.ForeignKey(ReceiptSeries, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("series"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="receipts", verbose_name=_("dossier"))
    fee_payment = models.OneToOneField("dossiers.FeePayment", on_delete=models.PROTECT, related_name="receipt", verbose_name=_("fee payment"))
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    issued_at = models.DateTimeField(_("issued"))
    content = models.JSONField(_("content"), default=dict)
    pdf = models.FileField(_("signed PDF"), upload_to="receipts/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("electronic receipt")
        verbose_name_plural = _("electronic receipts")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "year", "number"], name="payments_receipt_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=MAX_RECEIPT_NUMBER), name="payments_receipt_number_7_digits"),
        ]

    def __str__(self):
        return self.reference

    @property
    def number_text(self) -> str:
        return f"{self.number:07d}"

    @property
    def reference(self) -> str:
        return f"{self.content.get('symbol', '')} {self.number_text}".strip()


class DailyReconciliation(models.Model):
    """The reconciliation list of one provider and one day (payments, amounts, refunds, and
    where the gateway's querydr disagrees), made by ``xaso payments daily``."""

    provider = models.CharField(_("provider"), max_length=20)
    day = models.DateField(_("day"))
    made_at = models.DateTimeField(_("made"))
    rows = models.JSONField(_("rows"), default=list)
    totals = models.JSONField(_("totals"), default=dict)

    class Meta:
        verbose_name = _("daily reconciliation")
        verbose_name_plural = _("daily reconciliations")
        ordering = ["-day", "provider"]
        constraints = [models.UniqueConstraint(fields=["provider", "day"], name="payments_reconciliation_unique")]

    def __str__(self):
        return f"{self.provider} {self.day:%d/%m/%Y}"


# --- the local sandbox gateway (payments.sandbox): its own tables, as a gateway keeps them.


class SandboxTransaction(models.Model):
    """A transaction the local sandbox gateway took (development, demo and tests only)."""

    tmn_code = models.CharField(max_length=8)
    txn_ref = models.CharField(max_length=100)
    day = models.CharField(max_length=8, help_text="yyyyMMdd of vnp_CreateDate: a reference is unique per merchant and day")
    amount = models.PositiveBigIntegerField()  # VND
    create_date = models.CharField(max_length=14)
    expire_date = models.CharField(max_length=14)
    order_info = models.CharField(max_length=255)
    return_url = models.CharField(max_length=255)
    transaction_no = models.CharField(max_length=15, blank=True)
    response_code = models.CharField(max_length=2, blank=True)
    transaction_status = models.CharField(max_length=2, blank=True)
    bank_code = models.CharField(max_length=20, blank=True)
    pay_date = models.CharField(max_length=14, blank=True)
    refunded = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "sandbox transaction"
        constraints = [models.UniqueConstraint(fields=["tmn_code", "txn_ref", "day"], name="payments_sandbox_txn_unique")]


class SandboxNotification(models.Model):
    """An IPN the sandbox owes the merchant: retried until answered 00 or 02 (10 tries)."""

    transaction = models.ForeignKey(SandboxTransaction, on_delete=models.CASCADE, related_name="notifications")
    url = models.CharField(max_length=500)
    query = models.TextField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_at = models.DateTimeField()
    answered = models.CharField(max_length=4, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        verbose_name = "sandbox notification"


class SandboxRequestId(models.Model):
    """querydr/refund request ids seen (a repeated one is answered 94)."""

    tmn_code = models.CharField(max_length=8)
    request_id = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "sandbox request id"
        constraints = [models.UniqueConstraint(fields=["tmn_code", "request_id"], name="payments_sandbox_request_unique")]
