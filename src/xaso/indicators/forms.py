from django import forms
from django.utils.translation import gettext_lazy as _

from xaso.core.forms import AccessibleFormMixin


class ReportValueForm(AccessibleFormMixin, forms.Form):
    value = forms.DecimalField(label=_("Value"), max_digits=10, decimal_places=2)
    note = forms.CharField(label=_("How it was measured"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    evidence = forms.FileField(label=_("Evidence"), required=False, help_text=_("PDF, Word, Excel or an image."))


class ThresholdForm(AccessibleFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"))
    value = forms.DecimalField(label=_("Threshold"), max_digits=8, decimal_places=2)
