"""Forms of the citizen's pages. They render the fields (labels, help, errors tied to each
field); the checks that matter are the services' (the API applies the same), whose
messages are attached to the fields they name."""
from django import forms
from django.utils.translation import gettext_lazy as _

from xaso.core.forms import AccessibleFormMixin
from xaso.dossiers.models import Delivery
from xaso.vault.files import ACCEPT_ATTRIBUTE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files (or phone photos) in one input, kept in the order the phone sends them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE, "class": "form-control"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ApplicantForm(AccessibleFormMixin, forms.Form):
    role = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Full name"), max_length=255, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label=_("Personal identification number"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    address = forms.CharField(label=_("Address"), max_length=255, required=False, widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    phone = forms.CharField(label=_("Mobile phone (for notifications)"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email = forms.CharField(label=_("E-mail (optional)"), max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    agent_name = forms.CharField(label=_("Your full name (authorised person)"), max_length=255, required=False)
    agent_id_number = forms.CharField(label=_("Your personal identification number"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    agent_address = forms.CharField(label=_("Your address"), max_length=255, required=False)
    agent_phone = forms.CharField(label=_("Your mobile phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    agent_email = forms.CharField(label=_("Your e-mail (optional)"), max_length=254, required=False, widget=forms.EmailInput())
    authorisation_document = forms.CharField(
        label=_("Authorisation document"), max_length=255, required=False,
        help_text=_("Its number, date and who certified it; upload it with the documents if the procedure asks for it."),
    )

    PERSON = ("name", "id_number", "address", "phone", "email")
    AGENT = ("agent_name", "agent_id_number", "agent_address", "agent_phone", "agent_email", "authorisation_document")

    def __init__(self, *args, role="self", **kwargs):
        super().__init__(*args, **kwargs)
        self.role = role
        if role == "agent":
            self.fields["name"].label = _("Full name of the person you submit for")
            self.fields["id_number"].label = _("Their personal identification number")
            self.fields["address"].label = _("Their address")
            self.fields["phone"].label = _("Their mobile phone (for notifications)")
            self.fields["email"].label = _("Their e-mail (optional)")
        elif role == "business":
            self.fields["name"].label = _("Name of the organisation")
            self.fields["id_number"].label = _("Tax code")
            self.fields["address"].label = _("Address of the head office")
        for name in ("name", "id_number", "address", "phone"):
            self.fields[name].widget.attrs["required"] = "required"
        if role == "agent":
            for name in ("agent_name", "agent_id_number", "authorisation_document"):
                self.fields[name].widget.attrs["required"] = "required"

    def person_fields(self):
        return [self[n] for n in self.PERSON]

    def agent_fields(self):
        return [self[n] for n in self.AGENT] if self.role == "agent" else []


class DocumentFilesForm(forms.Form):
    files = MultipleFileField(label=_("Files or photos"))


class DeliveryForm(AccessibleFormMixin, forms.Form):
    commune = forms.TypedChoiceField(label=_("Commune that handles the dossier"), coerce=int)
    delivery = forms.ChoiceField(label=_("How you receive the result"), choices=Delivery.choices, widget=forms.RadioSelect)
    pickup = forms.TypedChoiceField(
        label=_("Collect the result at"), coerce=int, required=False,
        help_text=_("Any commune of the province: the dossier is received and the result returned there."),
    )
    post_address = forms.CharField(label=_("Address to post the result to"), max_length=255, required=False)
    request_summary = forms.CharField(label=_("What you ask for (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, desks=(), per_unit_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(d.commune.pk, d.commune.name) for d in desks]
        self.fields["commune"].choices = choices
        self.fields["pickup"].choices = [("", _("— choose —"))] + [(d.commune.pk, d.label) for d in desks]
        self.fields["delivery"].widget.attrs["class"] = "form-check-input"
        for name in ("commune", "pickup"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.quantity_names = []
        for line in per_unit_lines:
            name = f"qty_{line['line']}"
            unit = line.get("unit") or _("unit")
            self.fields[name] = forms.IntegerField(
                label=_("How many (%(unit)s): %(fee)s") % {"unit": unit, "fee": line.get("name") or unit}, min_value=0, max_value=10000, initial=1,
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )
            self.quantity_names.append(name)

    def quantity_fields(self):
        return [self[n] for n in self.quantity_names]


class StopForm(AccessibleFormMixin, forms.Form):
    reasons = forms.CharField(label=_("Why you ask to stop"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_("I understand that the handling stops and the dossier is closed; to go on later I must submit a new dossier."))


class ChecklistForm(forms.Form):
    procedure = forms.CharField(widget=forms.HiddenInput)
    event = forms.CharField(widget=forms.HiddenInput, required=False)
