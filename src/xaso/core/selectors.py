"""Read queries about units, people and roles."""
from django.conf import settings

from .models import COMMUNE_WIDE_ROLES, Membership, Unit, User


def active_memberships(user):
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.OFFICIAL:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, is_active=True).select_related("unit")


def user_roles(user) -> set[str]:
    roles = set(active_memberships(user).values_list("role", flat=True))
    if getattr(user, "is_superuser", False):
        roles.add("admin")
    return roles


def two_factor_required(user) -> bool:
    required = set(settings.XASO_TWO_FACTOR_REQUIRED_ROLES)
    return bool(user.is_superuser and "admin" in required) or bool(user_roles(user) & required)


def unit_ids_in_scope(user, role=None) -> set[int]:
    """Units whose work ``user`` sees and acts on (optionally only through ``role``).

    A membership covers its own unit and the units below it; a commune-wide role covers the
    whole commune or ward the unit belongs to. Superusers see everything."""
    if getattr(user, "is_superuser", False):
        return set(Unit.objects.values_list("pk", flat=True))
    ids: set[int] = set()
    for membership in active_memberships(user):
        if role is not None and membership.role != role:
            continue
        root = membership.unit
        if membership.role in COMMUNE_WIDE_ROLES and root.local_government is not None:
            root = root.local_government
        ids |= root.descendant_ids()
    return ids
