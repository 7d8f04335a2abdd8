"""Organisation (units), people (officials, citizens, businesses) and their roles.

Invariants kept here:
- units form a tree: province → commune/ward → departments and centres;
- a user is exactly one kind of account (official, citizen or business);
- an official's authority comes from memberships: (unit, position, role). A role's scope is
  the unit itself, or the whole commune for commune-wide roles (see ``Role.COMMUNE_WIDE``).
"""
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        COMMUNE = "commune", _("Commune")
        WARD = "ward", _("Ward")
        OFFICE = "office", _("Office")
        DEPARTMENT = "department", _("Department")
        CENTRE = "centre", _("Centre")
        POLICE = "police", _("Police")
        HEALTH = "health", _("Health station")
        SCHOOL = "school", _("School")
        OTHER = "other", _("Other unit")

    LOCAL_GOVERNMENTS = (Kind.COMMUNE, Kind.WARD)

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent unit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=64, unique=True, help_text=_("Short stable code used in URLs and imports."))
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    # Electronic identifier of the unit under the national standard on identifier codes
    # (TT 10/2016/TT-BTTTT), e.g. "000.00.00.H56" for the Thanh Hóa People's Committee.
    # It prefixes dossier codes (TT 01/2018/TT-VPCP art. 19; TT 03/2025/TT-VPCP art. 13).
    identifier = models.CharField(_("electronic identifier"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def ancestors(self):
        """From the root down to the parent (excluding self)."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    @property
    def local_government(self):
        """The commune or ward this unit belongs to (itself if it is one), else None."""
        node = self
        while node is not None:
            if node.kind in self.LOCAL_GOVERNMENTS:
                return node
            node = node.parent
        return None

    @property
    def province(self):
        node = self
        while node is not None:
            if node.kind == self.Kind.PROVINCE:
                return node
            node = node.parent
        return None

    def descendant_ids(self):
        """Ids of this unit and every unit below it."""
        ids, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.update(frontier)
        return ids


class Role(models.TextChoices):
    """What an official may do. Positions describe; roles authorise."""

    ADMIN = "admin", _("System administrator")
    LEADER = "leader", _("Commune leader")
    STANDING_OFFICE = "standing_office", _("Reform standing office")
    UNIT_HEAD = "unit_head", _("Head of unit")
    RECEPTION = "reception", _("One-stop reception officer")
    SPECIALIST = "specialist", _("Specialist")


# Roles whose scope is the whole commune (or ward) of the membership's unit.
COMMUNE_WIDE_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.STANDING_OFFICE})


class Position(models.TextChoices):
    CHAIRMAN = "chairman", _("Chairman of the People's Committee")
    VICE_CHAIRMAN = "vice_chairman", _("Vice-chairman of the People's Committee")
    HEAD = "head", _("Head of department")
    DEPUTY_HEAD = "deputy_head", _("Deputy head of department")
    DIRECTOR = "director", _("Director of centre")
    RECEPTION_OFFICER = "reception_officer", _("One-stop reception officer")
    SPECIALIST = "specialist", _("Specialist")
    STAFF = "staff", _("Staff")


class XasoUserManager(UserManager):
    def officials(self):
        return self.filter(kind=User.Kind.OFFICIAL)


class User(AbstractUser):
    """Every account. Officials log in with username + password + TOTP; citizens and
    businesses with their phone number and a one-time code."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Official")
        CITIZEN = "citizen", _("Citizen")
        BUSINESS = "business", _("Business or organisation")

    kind = models.CharField(_("account kind"), max_length=10, choices=Kind.choices, default=Kind.OFFICIAL)
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=15, blank=True, null=True, unique=True)
    national_id = models.CharField(_("personal identification number"), max_length=12, blank=True, null=True, unique=True)
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True, null=True, unique=True)
    organisation_name = models.CharField(_("organisation name"), max_length=255, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # Whether the identity was verified through the national identity system (VNeID);
    # the Decision 766 index counts dossiers submitted from verified accounts.
    identity_verified = models.BooleanField(_("identity verified (VNeID)"), default=False)

    objects = XasoUserManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.organisation_name or self.full_name or self.get_full_name() or self.username

    @property
    def is_official(self):
        return self.kind == self.Kind.OFFICIAL


class Membership(models.Model):
    """An official's place in a unit: position (for titles and signatures) and role
    (for permissions)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("official"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("unit"))
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role_per_unit")]

    def __str__(self):
        return f"{self.user} — {self.get_position_display()} — {self.unit}"


class CalendarDecision(models.Model):
    """A government decision about one day, overriding the statutory calendar: a weekday
    made a day off (e.g. a swap before National Day) or a weekend day made a working day
    (e.g. Saturday 22/08/2026 under Thông báo 9441/TB-BNV). Entered each year by an
    administrator from the Ministry of Home Affairs / provincial notice."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        WORKING_DAY = "working_day", _("Working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("reason"), max_length=255)
    decision_number = models.CharField(_("decision number"), max_length=100)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("calendar decision")
        verbose_name_plural = _("calendar decisions")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()} ({self.decision_number})"


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit record."""


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the audit trail is append-only")

    def delete(self):
        raise AppendOnlyError("the audit trail is append-only")

    def _raw_delete(self, using=None):
        raise AppendOnlyError("the audit trail is append-only")

    def bulk_create(self, objs, *args, **kwargs):
        # Records must be chained one by one (xaso.core.audit.record).
        raise AppendOnlyError("audit records are written only through xaso.core.audit.record")


class AuditRecord(models.Model):
    """One entry of the append-only audit trail. Each record carries the hash of the
    previous one, so altering or removing a record breaks the chain (``xaso audit verify``).
    Records are written only by ``xaso.core.audit.record``; updates and deletes are refused
    here and, on the database, by triggers (migration 0003)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        READ = "read", _("Read personal data")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        ACTION = "action", _("Business action")

    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=10, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    verb = models.CharField(_("business action"), max_length=64, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["id"]

    def __str__(self):
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M:%S} {self.actor_username or '-'} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit trail is append-only")


class LoginCode(models.Model):
    """A one-time code sent by SMS for a citizen or business to log in. Only its hash is
    stored; it expires, allows few attempts and is used once."""

    phone = models.CharField(_("phone"), max_length=15, db_index=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("login code")
        verbose_name_plural = _("login codes")
        ordering = ["-created_at"]


class RateCounter(models.Model):
    """One rate-limit counter (login codes, public lookups): a key, its count and when the
    window ends. Written by ``xaso.core.counters.CounterCache`` with single atomic
    statements; never edited by hand."""

    key = models.CharField(max_length=255, primary_key=True)
    count = models.BigIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")


class ScheduledJob(models.Model):
    """A periodic job of ``xaso scheduler`` and its last run. The row is claimed by a
    compare-and-set on ``last_started_at``, so each occurrence runs in one process only,
    however many schedulers run."""

    name = models.CharField(_("job"), max_length=64, primary_key=True)
    anchor = models.DateTimeField(_("first seen"), help_text=_("The first run is the first occurrence after this moment."))
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_ok = models.BooleanField(_("last run succeeded"), null=True)
    last_output = models.TextField(_("last output"), blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["name"]

    def __str__(self):
        return self.name
