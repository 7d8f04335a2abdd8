"""Template helpers about login: ``{% load xaso_auth %}{% if user|two_factor_mandatory %}``."""
from django import template

from ..selectors import two_factor_required

register = template.Library()


@register.filter
def two_factor_mandatory(user):
    return bool(getattr(user, "is_authenticated", False)) and two_factor_required(user)
