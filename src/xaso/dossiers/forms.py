"""Forms of the staff pages: counter intake and one small form per action."""
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xaso.core.models import Membership, Role, User

from .models import ApplicantKind, Channel, Delivery, PaymentMethod
from .states import Action


class LinesField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        value = super().to_python(value) or ""
        return [line.strip() for line in value.splitlines() if line.strip()]


def file_input():
    # A Bootstrap file control: it fits the column on a 360 px screen (a bare file input
    # keeps its own width and overflows).
    return forms.ClearableFileInput(attrs={"class": "form-control"})


# What a person records at the counter; the online methods come from the payment platform.
COUNTER_PAYMENT_CHOICES = [(PaymentMethod.CASH.value, PaymentMethod.CASH.label), (PaymentMethod.TRANSFER.value, PaymentMethod.TRANSFER.label)]


class IntakeForm(forms.Form):
    account_phone = forms.CharField(
        label=_("Phone of the applicant's registered account (if any)"),
        max_length=15,
        required=False,
        help_text=_("Links the dossier to the citizen's or business's account: they follow it online, and a VNeID-verified account counts for the index."),
    )
    applicant_kind = forms.ChoiceField(label=_("Applicant kind"), choices=ApplicantKind.choices, initial=ApplicantKind.CITIZEN)
    applicant_name = forms.CharField(label=_("Full name or organisation name"), max_length=255)
    applicant_id_number = forms.CharField(label=_("Personal or organisation identification number"), max_length=20, required=False)
    applicant_address = forms.CharField(label=_("Address"), max_length=255, required=False)
    applicant_phone = forms.CharField(label=_("Phone"), max_length=15, required=False)
    applicant_email = forms.EmailField(label=_("E-mail"), required=False)
    agent_name = forms.CharField(label=_("Authorised person (if any)"), max_length=255, required=False)
    agent_id_number = forms.CharField(label=_("Authorised person's identification number"), max_length=20, required=False)
    agent_address = forms.CharField(label=_("Authorised person's address"), max_length=255, required=False)
    agent_phone = forms.CharField(label=_("Authorised person's phone"), max_length=15, required=False)
    agent_email = forms.EmailField(label=_("Authorised person's e-mail"), required=False)
    authorisation_document = forms.CharField(label=_("Authorisation document"), max_length=255, required=False)
    request_summary = forms.CharField(label=_("Request"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    channel = forms.TypedChoiceField(label=_("Channel"), choices=[(Channel.COUNTER, Channel.COUNTER.label), (Channel.POST, Channel.POST.label)], coerce=int, initial=Channel.COUNTER)
    delivery = forms.ChoiceField(label=_("Result delivered"), choices=Delivery.choices, initial=Delivery.COUNTER)
    copies = forms.IntegerField(label=_("Number of sets"), min_value=1, max_value=20, initial=1)
    # One key per filled-in form: a double click or a resent POST receives the dossier once.
    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64, initial=lambda: uuid.uuid4().hex)

    def __init__(self, *args, documents=(), receiving_units=(), fee=0, fee_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.documents = list(documents)
        self.fee_lines = list(fee_lines)
        self.fields["receiving_unit"] = forms.ModelChoiceField(label=_("Receiving unit"), queryset=receiving_units, empty_label=None)
        add_fee_quantity_fields(self, self.fee_lines)
        per_unit = any(line["kind"] == "per_unit" for line in self.fee_lines)
        known = sum(line["unit_price"] or 0 for line in self.fee_lines if line["kind"] != "per_unit") if self.fee_lines else fee
        if known or any(line["kind"] == "per_unit" and line["unit_price"] for line in self.fee_lines):
            # Optional: the fees collected at the counter with the dossier (recorded with it).
            # With per-unit lines the total is known only from the quantities: the service
            # refuses more than the total.
            self.fields["fee_collected"] = forms.IntegerField(
                label=_("Fees collected at the counter (VND)"), min_value=1, max_value=None if per_unit else known, required=False,
                help_text=_("Leave empty if the applicant pays later or online."),
            )
            self.fields["fee_method"] = forms.ChoiceField(label=_("Payment method"), choices=COUNTER_PAYMENT_CHOICES, initial=PaymentMethod.CASH, required=False)
            self.fields["fee_reference"] = forms.CharField(label=_("Receipt number or transaction reference"), max_length=64, required=False)
        for i, doc in enumerate(self.documents):
            # Only the mandatory documents are ticked in advance: a conditional one ("in the
            # case of…") is ticked by the officer when the applicant brings it.
            self.fields[f"doc_{i}_submitted"] = forms.BooleanField(label=doc["name"], required=False, initial=bool(doc.get("mandatory", True)))
            self.fields[f"doc_{i}_reused"] = forms.BooleanField(label=_("Reused from stored data"), required=False)
            self.fields[f"doc_{i}_file"] = forms.FileField(label=_("Scanned file"), required=False, widget=file_input())

    def fee_rows(self):
        """The fee lines with the quantity field of each line priced per unit."""
        return fee_rows(self, self.fee_lines)

    def fee_quantities(self) -> dict[int, int]:
        return fee_quantities_of(self)

    def document_rows(self):
        return [
            {"doc": doc, "submitted": self[f"doc_{i}_submitted"], "reused": self[f"doc_{i}_reused"], "file": self[f"doc_{i}_file"]}
            for i, doc in enumerate(self.documents)
        ]

    def clean_account_phone(self):
        phone = self.cleaned_data["account_phone"].replace(" ", "")
        if not phone:
            return None
        account = User.objects.filter(phone=phone).exclude(kind=User.Kind.OFFICIAL).first()
        if account is None:
            raise forms.ValidationError(_("No citizen or business account has this phone number."))
        return account

    def clean_applicant_phone(self):
        phone = self.cleaned_data["applicant_phone"].replace(" ", "")
        if phone and not (phone.isdigit() and len(phone) in (10, 11) and phone.startswith("0")):
            raise forms.ValidationError(_("Enter a Vietnamese phone number of 10 digits starting with 0."))
        return phone


def fee_quantity_field_name(line) -> str:
    return f"fee_qty_{line['line']}"


def add_fee_quantity_fields(form, lines):
    """One quantity field per fee line priced per unit (pages, copies, cases…): a whole number
    from 0 to ``services.MAX_FEE_QUANTITY``, 1 unless the line already has a quantity."""
    from .services import MAX_FEE_QUANTITY, fee_line_label, vnd

    form.fee_quantity_lines = {}
    for line in lines:
        if line["kind"] != "per_unit":
            continue
        label = fee_line_label(line)
        unit = line.get("unit") or _("unit")
        price = vnd(line["unit_price"]) if line.get("unit_price") is not None else _("price not determined")
        name = fee_quantity_field_name(line)
        if line.get("name"):
            field_label = _("Quantity for the fee “%(fee)s” (%(price)s per %(unit)s)") % {"fee": label, "price": price, "unit": unit}
        else:
            field_label = _("Quantity (%(unit)s), at %(price)s per %(unit)s") % {"price": price, "unit": unit}
        form.fields[name] = forms.IntegerField(
            label=field_label,
            min_value=0,
            max_value=MAX_FEE_QUANTITY,
            initial=line.get("quantity", 1),
            error_messages={
                "required": _("Give the quantity for the fee “%(fee)s” (0 if none).") % {"fee": label},
                "invalid": _("The quantity for the fee “%(fee)s” must be a whole number.") % {"fee": label},
                "min_value": _("The quantity for the fee “%(fee)s” cannot be negative.") % {"fee": label},
                "max_value": _("The quantity for the fee “%(fee)s” is too large (at most %(max)s).") % {"fee": label, "max": f"{MAX_FEE_QUANTITY:,}".replace(",", ".")},
            },
            widget=forms.NumberInput(attrs={"min": 0, "max": MAX_FEE_QUANTITY, "step": 1}),
        )
        form.fee_quantity_lines[name] = line


def fee_rows(form, lines):
    """The lines as shown (``documents.fee_line_rows``), each with its quantity field (per-unit
    lines)."""
    from .documents import fee_line_rows

    return [
        {**row, "field": form[fee_quantity_field_name(line)] if fee_quantity_field_name(line) in form.fields else None}
        for row, line in zip(fee_line_rows(lines), lines)
    ]


def fee_quantities_of(form) -> dict[int, int]:
    """{line number: quantity} from a valid form's quantity fields."""
    return {line["line"]: form.cleaned_data[name] for name, line in form.fee_quantity_lines.items() if form.cleaned_data.get(name) is not None}


class FeePaymentForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount (VND)"), min_value=1)
    method = forms.ChoiceField(label=_("Payment method"), choices=COUNTER_PAYMENT_CHOICES, initial=PaymentMethod.CASH)
    reference = forms.CharField(
        label=_("Receipt number or transaction reference"), max_length=64, required=False,
        help_text=_("A payment with the same number is recorded once."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReceiveForm(NoteForm):
    """The reception check of an online dossier; the quantities of its per-unit fee lines
    (as stated by the applicant, 1 by default) can be corrected."""

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fee_lines = list(getattr(dossier, "fee_lines", None) or [])
        add_fee_quantity_fields(self, self.fee_lines)

    def clean(self):
        data = super().clean()
        if self.fee_quantity_lines and not self.errors:
            quantities = fee_quantities_of(self)
            changed = {n: q for n, q in quantities.items() if q != next(line.get("quantity") for line in self.fee_lines if line["line"] == n)}
            data["fee_quantities"] = changed
        return data


class RequiredNoteForm(forms.Form):
    note = forms.CharField(label=_("What must be reworked"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonsForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class RefuseForm(forms.Form):
    """Refusal to resolve after processing: the written answer states the reasons and the
    legal basis."""

    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(
        label=_("Legal basis"), widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The provisions (law, decree, article) the request does not meet."),
    )


class SupplementForm(forms.Form):
    items = LinesField(label=_("What the applicant must add or correct (one item per line)"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False)


class AssignForm(forms.Form):
    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        ids = Membership.objects.filter(unit_id=dossier.current_unit_id, role__in=[Role.SPECIALIST, Role.UNIT_HEAD], is_active=True).values("user_id") if dossier else []
        self.fields["specialist"] = forms.ModelChoiceField(label=_("Specialist"), queryset=User.objects.filter(pk__in=ids).order_by("full_name"))
        self.fields["note"] = forms.CharField(label=_("Note"), required=False)


class InteragencyForm(forms.Form):
    agency = forms.CharField(label=_("Unit or agency"), max_length=255)
    note = forms.CharField(label=_("Note"), required=False)


class SupplementReceivedForm(forms.Form):
    name = forms.CharField(label=_("Document received"), max_length=500, required=False)
    file = forms.FileField(label=_("Scanned file"), required=False, widget=file_input())
    note = forms.CharField(label=_("Note"), required=False)


class ResultForm(forms.Form):
    result_number = forms.CharField(label=_("Number of the result document"), max_length=100, required=False)
    result_file = forms.FileField(label=_("Electronic result (signed, digitised)"), required=False, widget=file_input())
    summary = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReturnForm(forms.Form):
    delivery = forms.ChoiceField(label=_("Returned"), choices=Delivery.choices)
    note = forms.CharField(label=_("Note"), required=False)


class ApologyForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the delay"), widget=forms.Textarea(attrs={"rows": 2}))
    new_due_at = forms.DateTimeField(label=_("New appointment"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"), input_formats=["%Y-%m-%dT%H:%M"])


ACTION_FORMS = {
    Action.RECEIVE: ReceiveForm,
    Action.RECEPTION_SUPPLEMENT: SupplementForm,
    Action.RESUBMIT: NoteForm,
    Action.REFUSE_RECEPTION: ReasonsForm,
    Action.TRANSFER: TransferForm,
    Action.ASSIGN: AssignForm,
    Action.SUBMIT_FOR_REVIEW: NoteForm,
    Action.FORWARD_FOR_APPROVAL: NoteForm,
    Action.SUBMIT_FOR_APPROVAL: NoteForm,
    Action.SEND_BACK: RequiredNoteForm,
    Action.APPROVE: NoteForm,
    Action.REFUSE: RefuseForm,
    Action.SEND_INTERAGENCY: InteragencyForm,
    Action.INTERAGENCY_BACK: NoteForm,
    Action.REQUEST_SUPPLEMENT: SupplementForm,
    Action.SUPPLEMENT_RECEIVED: SupplementReceivedForm,
    Action.RESULT_READY: ResultForm,
    Action.RETURN_RESULT: ReturnForm,
    Action.STOP: ReasonsForm,
    Action.APOLOGISE: ApologyForm,
}


def form_for(action, dossier, data=None, files=None):
    cls = ACTION_FORMS[Action(action)]
    kwargs = {"prefix": str(action)}
    if cls in (AssignForm, ReceiveForm):
        kwargs["dossier"] = dossier
    if cls is ReturnForm and data is None:
        kwargs["initial"] = {"delivery": dossier.delivery}
    return cls(data, files, **kwargs)
