"""Admin for calendar decisions: the administrator records each year's government
decisions (a weekday made a day off, a Saturday made a working day, or the year's Tết and
National Day days) with the number of the decision or notice. These override the
statutory calendar (see docs/calendar.md)."""
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import workdays
from .models import CalendarDecision

WEEKDAYS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


class CalendarDecisionForm(forms.ModelForm):
    class Meta:
        model = CalendarDecision
        fields = ["date", "kind", "name", "decision_number", "decision_date", "note"]
        help_texts = {
            "date": _("The day the decision is about (dd/mm/yyyy)."),
            "kind": _("Day off: a weekday on which offices are closed (a swap or a holiday the law does not "
                      "list). Working day: a Saturday or Sunday worked in exchange, or a holiday the government "
                      "moved."),
            "name": _("Why, as the notice says (e.g. 'Nghỉ lễ Quốc khánh, hoán đổi với thứ Bảy 22/08/2026')."),
            "decision_number": _("Number of the decision or notice, e.g. 9441/TB-BNV."),
        }

    # Administrators type dates the Vietnamese way (22/08/2026); ISO dates work too.
    DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date", "decision_date"):
            if name in self.fields:
                self.fields[name].input_formats = self.DATE_FORMATS

    def clean(self):
        data = super().clean()
        try:
            workdays.validate_decision(
                day=data.get("date"), kind=data.get("kind") or "", decision_number=data.get("decision_number") or ""
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field not in self.errors:  # one message per field: the field's own comes first
                    for message in messages:
                        self.add_error(field, message)
        return data


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = sorted({d.year for d in CalendarDecision.objects.dates("date", "year")}, reverse=True)
        return [(str(y), str(y)) for y in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(CalendarDecision)
class CalendarDecisionAdmin(admin.ModelAdmin):
    form = CalendarDecisionForm
    list_display = ("date", "weekday", "kind", "name", "decision_number", "decision_date")
    list_filter = (YearFilter, "kind")
    search_fields = ("decision_number", "name", "note")
    date_hierarchy = "date"
    ordering = ("-date",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("date", "kind", "name")}),
        (_("Legal basis"), {"fields": ("decision_number", "decision_date", "note")}),
        (_("History"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return WEEKDAYS[obj.date.weekday()]
