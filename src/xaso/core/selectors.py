"""Read queries about units, people and roles."""
from django.conf import settings
from django.db import connection

from .models import COMMUNE_WIDE_ROLES, Membership, Unit, User
from .request_context import request_memo


def active_memberships(user):
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.OFFICIAL:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, is_active=True).select_related("unit")


def memberships_of(user) -> list[Membership]:
    """The official's active memberships with their unit and two levels of parents (enough to
    find the commune of a department or centre without another query), read once per
    request."""
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.OFFICIAL:
        return []
    return request_memo(
        ("memberships", user.pk),
        lambda: list(Membership.objects.filter(user=user, is_active=True).select_related("unit__parent__parent")),
    )


def user_roles(user) -> set[str]:
    roles = {m.role for m in memberships_of(user)}
    if getattr(user, "is_superuser", False):
        roles.add("admin")
    return roles


def two_factor_required(user) -> bool:
    required = set(settings.XASO_TWO_FACTOR_REQUIRED_ROLES)
    return bool(user.is_superuser and "admin" in required) or bool(user_roles(user) & required)


def descendant_ids(root_ids) -> dict[int, set[int]]:
    """``{root: {root and every unit below it}}`` for all ``root_ids`` in one recursive
    query (SQLite and PostgreSQL both support ``WITH RECURSIVE``)."""
    roots = sorted({int(r) for r in root_ids})
    if not roots:
        return {}
    table = connection.ops.quote_name(Unit._meta.db_table)
    marks = ", ".join(["%s"] * len(roots))
    sql = (
        f"WITH RECURSIVE d(root, id) AS ("
        f" SELECT id, id FROM {table} WHERE id IN ({marks})"
        f" UNION SELECT d.root, u.id FROM {table} u JOIN d ON u.parent_id = d.id"
        f") SELECT root, id FROM d"
    )
    out: dict[int, set[int]] = {r: set() for r in roots}
    with connection.cursor() as cur:
        cur.execute(sql, roots)
        for root, uid in cur.fetchall():
            out[root].add(uid)
    return out


def _scopes(user) -> dict:
    """``{role: unit ids, None: all of them}`` for an official: the memberships and every
    unit below them in two queries, whatever the number of roles."""
    roots: dict[str, set[int]] = {}
    for membership in memberships_of(user):
        root = membership.unit
        if membership.role in COMMUNE_WIDE_ROLES and root.local_government is not None:
            root = root.local_government
        roots.setdefault(membership.role, set()).add(root.pk)
    below = descendant_ids(set().union(*roots.values())) if roots else {}
    scopes: dict = {role: set().union(*(below[r] for r in ids)) for role, ids in roots.items()}
    scopes[None] = set().union(*scopes.values()) if scopes else set()
    return scopes


def unit_ids_in_scope(user, role=None) -> set[int]:
    """Units whose work ``user`` sees and acts on (optionally only through ``role``).

    A membership covers its own unit and the units below it; a commune-wide role covers the
    whole commune or ward the unit belongs to. Superusers see everything. Computed once per
    request for all roles."""
    if getattr(user, "is_superuser", False):
        return request_memo(("all-units",), lambda: set(Unit.objects.values_list("pk", flat=True)))
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.OFFICIAL:
        return set()
    scopes = request_memo(("scopes", user.pk), lambda: _scopes(user))
    return set(scopes.get(str(role) if role is not None else None, ()))


def units_in_scope(user, role=None):
    return Unit.objects.filter(pk__in=unit_ids_in_scope(user, role), is_active=True)


def unit_tree(units):
    """``[(unit, depth), …]`` in tree order (parents before children, siblings by order and
    name) for the given units; a unit whose parent is not in the set starts a new root."""
    units = list(units)
    ids = {u.pk for u in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)
    out: list[tuple[Unit, int]] = []

    def walk(parent, depth):
        for unit in sorted(children.get(parent, []), key=lambda u: (u.sort_order, u.name)):
            out.append((unit, depth))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return out


def people_directory(user):
    """The units the user may see, in tree order, each with its active members."""
    units = units_in_scope(user)
    members: dict[int, list[Membership]] = {}
    for m in (
        Membership.objects.filter(unit__in=units, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__username")
    ):
        members.setdefault(m.unit_id, []).append(m)
    return [(unit, depth, members.get(unit.pk, [])) for unit, depth in unit_tree(units)]


# Which citizens and businesses an official deals with: each app that links them to units
# registers a source in its AppConfig.ready (dossiers: the applicants of the dossiers in the
# official's scope). ``fn(user)`` returns a queryset of account ids.
_CITIZEN_SOURCES: list = []


def register_citizen_scope(fn):
    """Add a source of the citizens an official may see (``citizens_in_scope``)."""
    if fn not in _CITIZEN_SOURCES:
        _CITIZEN_SOURCES.append(fn)
    return fn


def citizens_in_scope(user):
    """The citizen and business accounts ``user`` may look up and open: every account for a
    superuser or an administrator (who manage accounts; every opening is audited), else
    those a registered source links to the official's units (the applicants of their
    dossiers); none for anyone else."""
    from django.db.models import Q

    base = User.objects.filter(kind__in=[User.Kind.CITIZEN, User.Kind.BUSINESS])
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.OFFICIAL:
        return base.none()
    if getattr(user, "is_superuser", False) or "admin" in user_roles(user):
        return base
    cond = Q(pk__in=[])
    for source in _CITIZEN_SOURCES:
        cond |= Q(pk__in=source(user))
    return base.filter(cond)


def _citizen_signer():
    from django.core.signing import Signer

    return Signer(salt="xaso.core.citizen-record", sep=".")


def citizen_ref(user) -> str:
    """The reference of a citizen's record in URLs: the account number signed with the
    server's key (``<id>.<signature>``), so records cannot be walked by counting."""
    return _citizen_signer().sign(str(user.pk))


def citizen_id_from_ref(ref: str) -> int | None:
    from django.core.signing import BadSignature

    try:
        value = _citizen_signer().unsign(ref or "")
    except BadSignature:
        return None
    return int(value) if value.isdigit() else None


def search_citizens(query: str = "", user=None):
    """Citizen and business accounts matching a name, phone, personal id or tax code; only
    those in ``user``'s scope (``citizens_in_scope``) when a user is given."""
    from django.db.models import Q

    qs = (citizens_in_scope(user) if user is not None else User.objects.filter(kind__in=[User.Kind.CITIZEN, User.Kind.BUSINESS])).order_by("full_name", "organisation_name", "pk")
    query = (query or "").strip()
    if query:
        digits = "".join(ch for ch in query if ch.isdigit())
        cond = Q(full_name__icontains=query) | Q(organisation_name__icontains=query)
        if len(digits) >= 4:
            cond |= Q(national_id__contains=digits) | Q(tax_code__contains=digits)
            phone_digits = "0" + digits[2:] if digits.startswith("84") and len(digits) == 11 else digits
            cond |= Q(phone__contains=phone_digits)
        qs = qs.filter(cond)
    return qs


def user_by_phone(phone: str):
    return User.objects.filter(phone=phone).first()
