"""Masking filters for personal data in lists: ``{% load identity %}``
``{{ user.national_id|mask_national_id }}`` → ``038******456``,
``{{ user.phone|mask_phone }}`` → ``091****678``."""
from django import template

from .. import identifiers

register = template.Library()


@register.filter
def mask_national_id(value):
    return identifiers.mask_national_id(value)


@register.filter
def mask_phone(value):
    return identifiers.mask_phone(value)


@register.filter
def mask_email(value):
    return identifiers.mask_email(value)


@register.filter
def mask_tax_code(value):
    """Enterprise tax codes are public; a 12-digit personal tax code is masked like an ID."""
    if value and len(str(value)) == 12:
        return identifiers.mask_national_id(value)
    return value or ""


@register.filter
def add_class(bound_field, css):
    """Render a bound field with extra CSS classes on its widget (for forms of third-party
    apps, e.g. two_factor's wizard)."""
    attrs = dict(bound_field.field.widget.attrs)
    attrs["class"] = (attrs.get("class", "") + " " + css).strip()
    if bound_field.help_text or bound_field.errors:
        ids = []
        if bound_field.help_text:
            ids.append(f"{bound_field.auto_id}_help")
        if bound_field.errors:
            ids.append(f"{bound_field.auto_id}_error")
            attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = " ".join(ids)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def citizen_ref(user):
    """The signed reference of a citizen's record (``core:citizen_detail``)."""
    from ..selectors import citizen_ref as ref

    return ref(user)
