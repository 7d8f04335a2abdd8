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


class KpiWeightsForm(AccessibleFormMixin, forms.Form):
    volume = forms.DecimalField(label=_("Dossiers handled (volume)"), min_value=0, max_digits=5, decimal_places=2)
    on_time = forms.DecimalField(label=_("Dossiers on time"), min_value=0, max_digits=5, decimal_places=2)
    rating = forms.DecimalField(label=_("Citizens' ratings"), min_value=0, max_digits=5, decimal_places=2)
    tasks_on_time = forms.DecimalField(label=_("Plan reports on time"), min_value=0, max_digits=5, decimal_places=2)
    tasks_accepted = forms.DecimalField(label=_("Plan reports accepted"), min_value=0, max_digits=5, decimal_places=2)
    volume_norm = forms.IntegerField(label=_("Dossiers per period for a full volume score"), min_value=1)
