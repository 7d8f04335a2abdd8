from django import forms
from django.utils.translation import gettext_lazy as _

from xaso.core.forms import AccessibleFormMixin

from .models import ProgressReport


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ProgressReport.Status.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100, help_text=_("0 to 100; a completed task is 100."))
    done = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    difficulties = forms.CharField(label=_("Difficulties and proposals"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    files = MultipleFileField(label=_("Evidence files"), required=False, help_text=_("PDF, Word, Excel or images; several files allowed."))


class ReviewForm(AccessibleFormMixin, forms.Form):
    comment = forms.CharField(label=_("Comments"), widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=_("Required when returning the report."))


class ContributionForm(AccessibleFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Your unit"), queryset=None)
    text = forms.CharField(label=_("Your unit's contribution"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        from xaso.core.models import Unit

        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])

