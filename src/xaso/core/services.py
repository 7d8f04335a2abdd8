"""State changes about people: citizen/business login codes and accounts, profiles, API
tokens. One function per business action, each in a transaction and audited."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from . import audit, identifiers
from .models import AuditRecord, LoginCode, User

OTP_DIGITS = 6
OTP_MAX_ATTEMPTS = 5


class LoginCodeError(Exception):
    """A login code was refused. ``reason``: ``invalid`` (wrong or no code), ``expired``,
    ``too_many_attempts`` or ``official`` (never said to the user: officials log in through
    the staff login)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class AccountConflict(Exception):
    """A new account would reuse a personal id or tax code held by another account."""


def _hash_code(phone: str, code: str, salt: str) -> str:
    return salted_hmac("xaso.core.login-code", f"{phone}:{code}:{salt}", algorithm="sha256").hexdigest()


def _encode(phone: str, code: str) -> str:
    salt = secrets.token_hex(8)
    return f"{salt}${_hash_code(phone, code, salt)}"


def _matches(login_code: LoginCode, code: str) -> bool:
    salt, _sep, digest = login_code.code_hash.partition("$")
    return constant_time_compare(digest, _hash_code(login_code.phone, code, salt))


@dataclass
class IssuedCode:
    login_code: LoginCode | None
    code: str | None  # the clear code (only returned so tests and the SMS can use it)


@transaction.atomic
def request_login_code(phone: str, *, ip_address: str | None = None) -> IssuedCode:
    """Issue a 6-digit one-time code for ``phone`` and queue it by SMS.

    The phone is normalised first. Earlier unused codes for the phone stop working. Only a
    salted HMAC of the code is stored. A phone that belongs to an official account gets no
    code (officials log in with password + TOTP), but the caller shows the same page, so the
    answer never tells whether a number is registered."""
    from xaso.notifications.services import enqueue_sms

    phone = identifiers.normalize_phone(phone)
    existing = User.objects.filter(phone=phone).first()
    if existing is not None and (existing.kind == User.Kind.OFFICIAL or not existing.is_active):
        return IssuedCode(None, None)
    now = timezone.now()
    LoginCode.objects.filter(phone=phone, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    code = f"{secrets.randbelow(10**OTP_DIGITS):0{OTP_DIGITS}d}"
    ttl = int(settings.XASO_OTP_TTL_SECONDS)
    login_code = LoginCode.objects.create(
        phone=phone, code_hash=_encode(phone, code), expires_at=now + timedelta(seconds=ttl), ip_address=ip_address
    )
    minutes = max(1, ttl // 60)
    enqueue_sms(
        phone,
        _("%(code)s is your login code for the commune's online public services. It expires in %(minutes)s minutes. Never give it to anyone.")
        % {"code": code, "minutes": minutes},
        event="login_code",
        sensitive=True,
    )
    return IssuedCode(login_code, code)


def _citizen_username(phone: str) -> str:
    return f"dan-{phone}"


def verify_login_code(
    phone: str,
    code: str,
    *,
    business: bool = False,
    tax_code: str = "",
    organisation_name: str = "",
) -> tuple[User, bool]:
    """Check ``code`` against the latest live code for ``phone``; on success mark it used and
    return ``(user, created)``. An unknown phone gets a new citizen account, or a business
    account (``business=True`` with tax code and organisation name).

    Raises ``LoginCodeError``. Each wrong code counts one attempt (committed even though the
    login fails); after ``OTP_MAX_ATTEMPTS`` the code is dead."""
    phone = identifiers.normalize_phone(phone)
    code = (code or "").strip()
    with transaction.atomic():
        result = _check_code(phone, code)
        if result is not None:
            # A wrong, expired or exhausted code: recorded (the phone masked, never the
            # code), committed with the attempt count.
            audit.record(
                AuditRecord.Action.LOGIN_FAILED,
                object_type="core.user",
                object_repr=identifiers.mask_phone(phone),
                verb="login_code.failed",
                changes={"phone": identifiers.mask_phone(phone), "reason": result},
            )
        if result is None:
            user = User.objects.select_for_update().filter(phone=phone).first()
            if user is None:
                return (
                    _create_public_account(phone, business=business, tax_code=tax_code, organisation_name=organisation_name),
                    True,
                )
            if user.kind != User.Kind.OFFICIAL and user.is_active:
                return user, False
            result = "official"
    raise LoginCodeError(result)


def _check_code(phone: str, code: str) -> str | None:
    """None if ``code`` is right (the code is then used up), else the failure reason."""
    now = timezone.now()
    login_code = (
        LoginCode.objects.select_for_update().filter(phone=phone, used_at__isnull=True).order_by("-created_at", "-pk").first()
    )
    if login_code is None:
        return "invalid"
    if login_code.expires_at <= now:
        return "expired"
    if login_code.attempts >= OTP_MAX_ATTEMPTS:
        return "too_many_attempts"
    if not (len(code) == OTP_DIGITS and code.isdigit() and _matches(login_code, code)):
        login_code.attempts += 1
        login_code.save(update_fields=["attempts"])
        return "too_many_attempts" if login_code.attempts >= OTP_MAX_ATTEMPTS else "invalid"
    login_code.used_at = now
    login_code.save(update_fields=["used_at"])
    return None


def _create_public_account(phone: str, *, business: bool, tax_code: str, organisation_name: str) -> User:
    kind = User.Kind.BUSINESS if business else User.Kind.CITIZEN
    fields = {"username": _citizen_username(phone), "phone": phone, "kind": kind}
    if business:
        fields["tax_code"] = identifiers.normalize_tax_code(tax_code)
        fields["organisation_name"] = organisation_name.strip()
        if not fields["organisation_name"]:
            raise ValueError("organisation_name required")
    try:
        with transaction.atomic():
            user = User(**fields)
            user.set_unusable_password()  # never logs in with a password
            user.save()
    except IntegrityError as exc:
        raise AccountConflict(str(exc)) from None
    audit.record(AuditRecord.Action.CREATE, user, verb="public_account_created", changes={"kind": kind, "phone": phone})
    return user


def tax_code_taken(tax_code: str) -> bool:
    return User.objects.filter(tax_code=identifiers.normalize_tax_code(tax_code)).exists()


PROFILE_FIELDS = ("full_name", "national_id", "date_of_birth", "address", "email", "organisation_name")


@transaction.atomic
def update_profile(user: User, **values) -> User:
    """Update a citizen's or business's own profile (validated by the form). The change is
    audited (field names only for personal data)."""
    changed = {}
    for name in PROFILE_FIELDS:
        if name in values:
            new = values[name]
            if name == "national_id":
                new = identifiers.normalize_national_id(new) if new else None
            if getattr(user, name) != new:
                changed[name] = new
                setattr(user, name, new)
    if changed:
        try:
            with transaction.atomic():
                user.save(update_fields=list(changed))
        except IntegrityError as exc:
            raise AccountConflict(str(exc)) from None
        audit.record(AuditRecord.Action.UPDATE, user, verb="profile_updated", changes={"fields": sorted(changed)})
    return user


@transaction.atomic
def issue_api_token(user: User, *, reset: bool = False):
    """Return the DRF token of ``user`` (created if missing; replaced with ``reset``). The
    token is an integration credential: API requests carrying it are not sent to the 2FA
    pages. Audited."""
    from rest_framework.authtoken.models import Token

    if not user.is_active:
        raise ValueError("inactive account")
    if reset:
        Token.objects.filter(user=user).delete()
    token, created = Token.objects.get_or_create(user=user)
    verb = "api_token_reset" if reset else ("api_token_issued" if created else "api_token_shown")
    audit.record(AuditRecord.Action.ACTION, user, verb=verb, changes={"username": user.username})
    return token, created
