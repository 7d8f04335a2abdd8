"""Permissions of officials, as django-rules predicates (no database tables).

Other apps call ``user.has_perm("core.<perm>", obj)`` and
``xaso.core.selectors.unit_ids_in_scope(user, role)``; both are a stable contract
documented in docs/accounts.md.

Scope: a membership covers its unit and every unit below it; the commune-wide roles
(admin, leader, standing_office) cover the whole commune or ward of the membership's unit.
Citizens and businesses have no staff permission at all.
"""
import rules

from .models import Role, Unit
from .selectors import unit_ids_in_scope, user_roles


@rules.predicate
def is_official(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.kind == user.Kind.OFFICIAL)


def has_role(*roles):
    """Predicate: the official holds one of ``roles`` in an active membership (superusers
    count as administrators)."""
    wanted = {str(r) for r in roles}

    @rules.predicate(name=f"has_role:{','.join(sorted(wanted))}")
    def predicate(user):
        return is_official(user) and bool(user_roles(user) & wanted)

    return predicate


def _unit_of(obj):
    if obj is None:
        return None
    if isinstance(obj, Unit):
        return obj
    return getattr(obj, "unit", None)


@rules.predicate
def can_act_on_unit(user, obj):
    """The unit (or an object with a ``unit`` attribute) is within the official's scope.
    Without an object: true for any official (list views then filter by scope)."""
    if not is_official(user):
        return False
    if obj is None:
        return True
    unit = _unit_of(obj)
    return unit is not None and unit.pk in unit_ids_in_scope(user)


is_admin = has_role(Role.ADMIN)
is_leader = has_role(Role.LEADER)

rules.add_perm("core.view_unit", is_official & can_act_on_unit)
# Create accounts, give positions and roles, reset 2FA/API tokens.
rules.add_perm("core.manage_people", is_admin)
# The directory of units and their officials.
rules.add_perm("core.view_people_directory", has_role(Role.ADMIN, Role.LEADER, Role.STANDING_OFFICE, Role.UNIT_HEAD))
# Look up citizens and businesses (masked list): the one-stop desk and the leadership.
rules.add_perm("core.search_citizens", has_role(Role.ADMIN, Role.LEADER, Role.RECEPTION))
# Open a citizen's full record (every read is audited): those who handle dossiers.
rules.add_perm(
    "core.view_citizen_personal_data",
    has_role(Role.ADMIN, Role.LEADER, Role.RECEPTION, Role.UNIT_HEAD, Role.SPECIALIST),
)
