from django import template

register = template.Library()


@register.filter
def fields_named(form, names):
    return [form[n] for n in names.split(",") if n in form.fields]


def _css(field):
    widget = field.field.widget
    if getattr(widget, "input_type", "") == "checkbox":
        return "form-check-input"
    if widget.__class__.__name__ in ("Select", "SelectMultiple"):
        return "form-select"
    return "form-control"


@register.filter
def with_class(field):
    return field.as_widget(attrs={"class": _css(field)})


@register.filter
def with_error_attrs(field):
    return field.as_widget(attrs={"class": _css(field) + " is-invalid", "aria-invalid": "true", "aria-describedby": f"{field.id_for_label}-error"})


@register.filter
def hours(td):
    if td is None:
        return ""
    return round(td.total_seconds() / 3600, 1)


@register.filter
def vnd(amount):
    """8000 → "8.000 đ" (Vietnamese thousands separator)."""
    if amount in (None, ""):
        return ""
    return f"{int(amount):,}".replace(",", ".") + " đ"
