"""How catalogue values read for citizens. An unknown value reads "not determined"; a fee
reads "free" only when the source says so."""
from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

from ..models import Fee, ProcedureVersion

register = template.Library()


def _vnd(amount):
    return _("%(amount)s VND") % {"amount": intcomma(amount)}


def _price_text(fee, amount):
    if fee.kind == Fee.Kind.PER_UNIT:
        return _("%(amount)s per %(unit)s") % {"amount": _vnd(amount), "unit": fee.unit}
    return _vnd(amount)


@register.simple_tag
def fee_text(fee):
    """The fee line as citizens read it; both prices when the online price differs."""
    if fee.kind == Fee.Kind.FREE:
        return _("Free of charge")
    if fee.kind in (Fee.Kind.FIXED, Fee.Kind.PER_UNIT) or (fee.kind == Fee.Kind.COUNCIL and fee.amount is not None):
        text = _price_text(fee, fee.amount)
        if fee.online_price_differs:
            text = _("%(counter)s at the counter or by post; %(online)s online") % {
                "counter": text, "online": _price_text(fee, fee.online_amount)}
        if fee.kind == Fee.Kind.COUNCIL:
            text = _("%(amount)s (set by the provincial People's Council)") % {"amount": text}
        return text
    if fee.kind == Fee.Kind.COUNCIL:
        return _("Set by the provincial People's Council; the amount is not yet in the catalogue")
    return _("not determined")


@register.simple_tag
def processing_text(version):
    unit, amount = version.processing_unit, version.processing_amount
    units = ProcedureVersion.ProcessingUnit
    if unit == units.SAME_DAY:
        return _("Same working day")
    if amount is None or unit == units.UNKNOWN:
        return _("not determined")
    if unit == units.WORKING_DAYS:
        return _("%(n)s working days") % {"n": amount}
    if unit == units.CALENDAR_DAYS:
        return _("%(n)s days (calendar days)") % {"n": amount}
    return _("%(n)s working hours") % {"n": amount}


@register.filter
def public_note(text):
    """A catalogue note without the curators' remarks on their sources (``text.public_note``)."""
    from ..text import public_note as clean

    return clean(text)
