"""Template helpers about login: ``{% load xaso_auth %}{% if user|two_factor_mandatory %}``."""
from django import template

from ..selectors import two_factor_required

register = template.Library()


@register.filter
def two_factor_mandatory(user):
    return bool(getattr(user, "is_authenticated", False)) and two_factor_required(user)


@register.filter
def has_role(user, role):
    """``{% if user|has_role:"reception" %}``: the official holds ``role`` in some unit (menus
    show a page only to those who may open it)."""
    from ..selectors import user_roles

    return bool(getattr(user, "is_authenticated", False)) and role in user_roles(user)
