"""Login through the national identity service (VNeID) or any OpenID Connect provider.

mozilla-django-oidc runs the authorization code flow with PKCE (S256) and a nonce
(payments-identity §4.2); this module adds what a commune needs on top of it:

- the ID token is checked for its issuer (``XASO_OIDC_ISSUER``) and audience (our client
  id) besides its signature, expiry and nonce;
- the account is found by the personal identification number claim
  (``XASO_OIDC_ID_CLAIM``), never by e-mail; a new citizen account is created on first
  login; an official's account is never logged in this way;
- a citizen already logged in (by phone code) links the identity to their account, unless
  the number belongs to another account: then nothing is linked and the person is told to
  ask the one-stop desk (two accounts are never merged silently);
- the assurance level (``XASO_OIDC_LEVEL_CLAIM``, mapped by ``XASO_OIDC_LEVEL_MAP``) is
  stored on the account's ``NationalIdentity``; from ``XASO_OIDC_VERIFIED_MIN_LEVEL`` the
  account counts as verified with VNeID, which the dossiers it submits carry to the
  national portal (``TaiKhoanDuocXacThucVoiVNeID``);
- every failure (state or nonce mismatch, expired or replayed code, provider error,
  conflict) ends on the login page with a Vietnamese message, never an error page.
"""
from __future__ import annotations

import hashlib
import logging

import jwt
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from requests.exceptions import RequestException

from xaso.core import audit, identifiers
from xaso.core.models import AuditRecord, User

log = logging.getLogger(__name__)

FAILURE_KEY = "_xaso_oidc_failure"


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", "") and getattr(settings, "OIDC_OP_AUTHORIZATION_ENDPOINT", ""))


class LoginRefused(Exception):
    """A login the provider vouched for but we refuse (reason code for the message)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


MESSAGES = {
    "state": gettext_lazy("The login could not be checked (it was started in another window or took too long). Please log in again."),
    "nonce": gettext_lazy("The answer of the identity service could not be checked. Please log in again."),
    "code": gettext_lazy("The login code of the identity service has expired or was already used. Please log in again."),
    "provider": gettext_lazy("The national identity service did not answer. Please try again later or log in with your phone number."),
    "denied": gettext_lazy("You cancelled the login at the identity service."),
    "claims": gettext_lazy("The identity service did not give a valid personal identification number."),
    "conflict": gettext_lazy("This personal identification number is already linked to another account. Please contact the one-stop desk of the commune to merge your accounts."),
    "mismatch": gettext_lazy("Your account already has another personal identification number. Please contact the one-stop desk of the commune."),
    "official": gettext_lazy("Officials log in with their user name, password and code, not through the citizen login."),
}


def failure_message(reason) -> str:
    return str(MESSAGES.get(reason, MESSAGES["provider"]))


def level_of(claims: dict) -> int:
    raw = claims.get(getattr(settings, "XASO_OIDC_LEVEL_CLAIM", "acr"))
    mapping = getattr(settings, "XASO_OIDC_LEVEL_MAP", {}) or {}
    if raw is None:
        return 1  # the provider vouched for the person without saying how strongly
    if str(raw) in mapping:
        return int(mapping[str(raw)])
    try:
        return max(0, min(int(str(raw).strip()), 9))
    except ValueError:
        return 1


class NationalIdentityBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching on the identification number."""

    def __init__(self, *args, **kwargs):
        # Django builds every backend on each login attempt: without a provider configured
        # this one stays idle instead of refusing to start.
        self.active = enabled()
        if self.active:
            super().__init__(*args, **kwargs)
        else:
            from django.contrib.auth import get_user_model

            self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not self.active or request is None or "code_verifier" not in kwargs and "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    # -- token checks: issuer and audience too
    def _verify_jws(self, payload, key):
        claims = super()._verify_jws(payload, key)
        issuer = getattr(settings, "XASO_OIDC_ISSUER", "")
        if issuer and claims.get("iss") != issuer:
            raise SuspiciousOperation("id token issuer mismatch")
        aud = claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        if self.OIDC_RP_CLIENT_ID not in auds:
            raise SuspiciousOperation("id token audience mismatch")
        return claims

    def retrieve_matching_jwk(self, token):
        """The provider's signing key for ``token``: the key with the token's ``kid``, or,
        for a token without one, the only signing key of its algorithm (never a guess
        among several)."""
        import requests

        header = jwt.get_unverified_header(token)
        try:
            response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=self.get_settings("OIDC_TIMEOUT", None), verify=self.get_settings("OIDC_VERIFY_SSL", True))
            response.raise_for_status()
            keys = response.json().get("keys") or []
        except (RequestException, ValueError) as exc:
            raise LoginRefused("provider") from exc
        kid, alg = header.get("kid"), header.get("alg")
        candidates = [k for k in keys if (kid is None or k.get("kid") == kid) and k.get("alg", alg) == alg and k.get("use", "sig") == "sig"]
        if len(candidates) != 1:
            raise LoginRefused("claims")
        return jwt.PyJWK(candidates[0])

    def verify_token(self, token, **kwargs):
        try:
            return super().verify_token(token, **kwargs)
        except SuspiciousOperation as exc:
            raise LoginRefused("nonce" if "Nonce" in str(exc) else "claims") from exc
        except jwt.PyJWTError as exc:
            raise LoginRefused("claims") from exc

    def get_token(self, payload):
        try:
            return super().get_token(payload)
        except RequestException as exc:
            response = getattr(exc, "response", None)
            if response is not None and response.status_code == 400 and "invalid_grant" in (response.text or ""):
                raise LoginRefused("code") from exc
            raise LoginRefused("provider") from exc

    def get_userinfo(self, access_token, id_token, payload):
        try:
            info = super().get_userinfo(access_token, id_token, payload) if self.OIDC_OP_USER_ENDPOINT else {}
        except RequestException as exc:
            raise LoginRefused("provider") from exc
        # The ID token's claims, completed by userinfo (the ID token's subject wins).
        return {**info, **{k: v for k, v in payload.items() if k not in info or k == "sub"}}

    def verify_claims(self, claims):
        return bool(self._id_number(claims))

    @staticmethod
    def _id_number(claims) -> str:
        raw = str(claims.get(getattr(settings, "XASO_OIDC_ID_CLAIM", "sub")) or "").strip()
        try:
            return identifiers.parse_national_id(raw).number
        except identifiers.IdentifierError:
            return ""

    def filter_users_by_claims(self, claims):
        number = self._id_number(claims)
        return self.UserModel.objects.filter(national_id=number) if number else self.UserModel.objects.none()

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        number = self._id_number(claims)
        if not number:
            raise LoginRefused("claims")
        current = getattr(self.request, "user", None)
        current = current if current is not None and current.is_authenticated else None
        with transaction.atomic():
            holder = User.objects.select_for_update().filter(national_id=number).first()
            from .models import NationalIdentity

            link = NationalIdentity.objects.select_for_update().filter(id_number=number).select_related("user").first()
            if link is not None and holder is not None and link.user_id != holder.pk:
                raise LoginRefused("conflict")  # two accounts claim this number
            owner = holder or (link.user if link else None)
            if current is not None and current.kind != User.Kind.OFFICIAL:
                if owner is not None and owner.pk != current.pk:
                    raise LoginRefused("conflict")
                if current.national_id and current.national_id != number:
                    raise LoginRefused("mismatch")
                owner = current
            if owner is not None and owner.kind == User.Kind.OFFICIAL:
                raise LoginRefused("official")
            created = owner is None
            if created:
                owner = self._new_account(claims, number)
            self._link(owner, claims, number, created)
        return owner

    def _new_account(self, claims, number) -> User:
        name = str(claims.get(getattr(settings, "XASO_OIDC_NAME_CLAIM", "name")) or "").strip()[:255]
        user = User(
            username="vneid-" + hashlib.sha256(number.encode()).hexdigest()[:16],
            kind=User.Kind.CITIZEN, full_name=name, national_id=number,
        )
        birth = claims.get(getattr(settings, "XASO_OIDC_BIRTHDATE_CLAIM", "birthdate"))
        if birth:
            from datetime import date

            try:
                user.date_of_birth = date.fromisoformat(str(birth)[:10])
            except ValueError:
                pass
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:
            raise LoginRefused("conflict") from exc
        audit.record(AuditRecord.Action.CREATE, user, verb="account.create_vneid", changes={"kind": [None, user.kind]})
        return user

    def _link(self, user: User, claims, number, created):
        from .models import NationalIdentity

        level = level_of(claims)
        now = timezone.now()
        verified = level >= getattr(settings, "XASO_OIDC_VERIFIED_MIN_LEVEL", 1)
        changes = {}
        if user.national_id != number:
            changes["national_id"] = [user.national_id, number]
            user.national_id = number
        if user.identity_verified != verified:
            changes["identity_verified"] = [user.identity_verified, verified]
            user.identity_verified = verified
        if not user.full_name:
            name = str(claims.get(getattr(settings, "XASO_OIDC_NAME_CLAIM", "name")) or "").strip()[:255]
            if name:
                user.full_name = name
        user.save(update_fields=["national_id", "identity_verified", "full_name"])
        link, new = NationalIdentity.objects.get_or_create(
            user=user, defaults={"id_number": number, "subject": str(claims.get("sub", ""))[:255], "issuer": getattr(settings, "XASO_OIDC_ISSUER", "")[:255], "level": level, "first_verified_at": now, "last_verified_at": now},
        )
        if not new:
            if link.level != level:
                changes["identity_level"] = [link.level, level]
            link.id_number, link.level, link.last_verified_at = number, level, now
            link.subject = str(claims.get("sub", ""))[:255]
            link.save(update_fields=["id_number", "level", "last_verified_at", "subject"])
        else:
            changes["identity_level"] = [None, level]
        audit.record(AuditRecord.Action.ACTION, user, verb="account.vneid_verified", changes={"fields": sorted(changes)} if changes else {})

    def update_user(self, user, claims):  # pragma: no cover - get_or_create_user does it all
        return user

    def get_user(self, user_id):
        """The session's account, unless it was deactivated since the login."""
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


class AuthenticateView(OIDCAuthenticationRequestView):
    """Start the login at the provider (404 when no provider is configured)."""

    def __init__(self, *args, **kwargs):
        if enabled():
            super().__init__(*args, **kwargs)

    def get(self, request):
        if not enabled():
            raise Http404
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer: log in, or back to the login page with the reason."""

    @property
    def success_url(self):
        next_url = self.request.session.get("oidc_login_next")
        return next_url or reverse("portal:profile")

    @property
    def failure_url(self):
        return reverse("portal:citizen_login")

    def _fail(self, reason):
        log.info("national identity login refused: %s", reason)
        messages.error(self.request, failure_message(reason))
        return HttpResponseRedirect(self.failure_url)

    def get(self, request):
        if not enabled():
            raise Http404
        if request.GET.get("error"):
            super().get(request)
            return self._fail("denied" if request.GET.get("error") == "access_denied" else "provider")
        state = request.GET.get("state")
        if "code" in request.GET and state and state not in (request.session.get("oidc_states") or {}):
            return self._fail("state")
        try:
            response = super().get(request)
        except LoginRefused as exc:
            return self._fail(exc.reason)
        except SuspiciousOperation:
            return self._fail("state")
        if response.url == self.failure_url:
            return self._fail("claims")
        messages.success(request, _("You are logged in with your national identity (level %(level)s).") % {"level": getattr(getattr(self.user, "national_identity", None), "level", "?")})
        return response

    def login_success(self):
        # Rotate the session (``auth.login``) even when the same citizen links their identity
        # while logged in: the session key changes with the strength of the login.
        from django.contrib import auth

        auth.login(self.request, self.user, backend="xaso.portal.oidc.NationalIdentityBackend")
        return HttpResponseRedirect(self.success_url)
