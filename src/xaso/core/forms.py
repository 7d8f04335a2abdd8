"""Forms about people: citizen/business login by phone, profile, citizen lookup."""
from django import forms
from django.utils.translation import gettext_lazy as _

from . import identifiers
from .models import User
from .validators import identifier_error


class AccessibleFormMixin:
    """Bootstrap classes and ``aria-describedby``/``aria-invalid`` linking each field to its
    help text and errors (rendered by ``core/_field.html``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"
            widget.attrs.setdefault("class", css)
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}_help"
        # Never touch ``self.errors`` here: it would validate the form before a subclass's
        # ``__init__`` has finished adding or changing fields (their values would be lost).

    def full_clean(self):
        super().full_clean()
        # Link each field to its help text (fields added after __init__ included) and errors.
        for name, field in self.fields.items():
            widget = field.widget
            ids = [i for i in widget.attrs.get("aria-describedby", "").split() if i]
            if field.help_text and f"id_{name}_help" not in ids:
                ids.insert(0, f"id_{name}_help")
            if name in self.errors:
                widget.attrs["aria-invalid"] = "true"
                if f"id_{name}_error" not in ids:
                    ids.append(f"id_{name}_error")
            if ids:
                widget.attrs["aria-describedby"] = " ".join(ids)


def clean_phone_value(value: str) -> str:
    try:
        return identifiers.normalize_phone(value)
    except identifiers.IdentifierError as exc:
        raise identifier_error(exc) from None


class PhoneLoginForm(AccessibleFormMixin, forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=20,
        help_text=_("We send a one-time code to this number by SMS."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    business = forms.BooleanField(label=_("I represent a business or organisation"), required=False)
    tax_code = forms.CharField(
        label=_("Tax code"),
        max_length=20,
        required=False,
        help_text=_("Only for a new business account: 10 digits, 10-3 digits for a branch, or a 12-digit personal ID for a household business."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    organisation_name = forms.CharField(label=_("Name of the business or organisation"), max_length=255, required=False)

    def clean_phone(self):
        return clean_phone_value(self.cleaned_data["phone"])

    def clean_tax_code(self):
        value = self.cleaned_data.get("tax_code", "").strip()
        if not value:
            return ""
        try:
            return identifiers.normalize_tax_code(value)
        except identifiers.IdentifierError as exc:
            raise identifier_error(exc) from None

    def clean(self):
        data = super().clean()
        if data.get("business"):
            if not data.get("tax_code") and "tax_code" not in self.errors:
                self.add_error("tax_code", _("Enter the tax code of the business."))
            if not (data.get("organisation_name") or "").strip():
                self.add_error("organisation_name", _("Enter the name of the business or organisation."))
        return data


class LoginCodeForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code received by SMS"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."))
        return code


class ProfileForm(AccessibleFormMixin, forms.ModelForm):
    # Declared (not derived from the 12-character model field) so "038 085 001 234" is accepted.
    national_id = forms.CharField(
        label=_("Personal identification number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = User
        fields = ["full_name", "national_id", "date_of_birth", "address", "email"]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind == User.Kind.BUSINESS:
            self.fields["organisation_name"] = forms.CharField(
                label=_("Name of the business or organisation"), max_length=255, initial=self.instance.organisation_name
            )
            self.fields["organisation_name"].widget.attrs["class"] = "form-control"
            self.fields["full_name"].label = _("Name of the representative")
        self.fields["national_id"].help_text = _("12 digits, as on your chip-based citizen identity card.")
        self.fields["national_id"].widget.attrs["aria-describedby"] = "id_national_id_help"

    def clean_national_id(self):
        value = (self.cleaned_data.get("national_id") or "").strip()
        if not value:
            return None
        try:
            number = identifiers.parse_national_id(value).number
        except identifiers.IdentifierError as exc:
            raise identifier_error(exc) from None
        if User.objects.filter(national_id=number).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This personal identification number is already used by another account. Please contact the one-stop centre."))
        return number

    def clean(self):
        data = super().clean()
        number, born = data.get("national_id"), data.get("date_of_birth")
        if number and born:
            try:
                identifiers.parse_national_id(number, date_of_birth=born)
            except identifiers.IdentifierError as exc:
                self.add_error("date_of_birth", identifier_error(exc))
        return data


class CitizenSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, phone, personal ID or tax code"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
