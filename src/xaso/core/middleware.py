from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .request_context import Actor, end_request_memo, reset_actor, set_actor, start_request_memo


def trusted_proxies() -> int:
    """How many reverse proxies in front of the server append to ``X-Forwarded-For``: 0
    unless ``XASO_BEHIND_PROXY`` (then ``AXES_PROXY_COUNT``, default 1)."""
    if not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return 0
    return int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 1)


def client_ip(request):
    """The client's address for the audit trail and the rate limits. Behind ``n`` trusted
    proxies it is the ``n``-th address from the right of ``X-Forwarded-For`` (each proxy
    appends the address it saw; whatever the client wrote itself is further left and is
    ignored, so a forged header cannot pick another address); otherwise ``REMOTE_ADDR``."""
    n = trusted_proxies()
    if n:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= n:
            return hops[-n]
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Makes the acting user and client address available to the audit trail, and opens the
    per-request memo (``request_context.request_memo``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        memo = start_request_memo()
        try:
            return self._call(request)
        finally:
            end_request_memo(memo)

    def _call(self, request):
        user = getattr(request, "user", None)
        authenticated = bool(user is not None and user.is_authenticated)
        token = set_actor(
            Actor(
                user_id=user.pk if authenticated else None,
                username=user.get_username() if authenticated else "",
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
                source="api" if request.path.startswith("/api/") else "web",
            )
        )
        try:
            return self.get_response(request)
        finally:
            reset_actor(token)


def api_token_key(request):
    """The key of an ``Authorization: Token <key>`` header on an API request, else None."""
    if not request.path.startswith("/api/"):
        return None
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) == 2 and parts[0].lower() == "token":
        return parts[1]
    return None


class RequireTwoFactorMiddleware:
    """Leaders and administrators must use two-factor authentication: until their session is
    verified with a second factor they can reach only the 2FA pages and logout.

    API requests authenticated with a token (``Authorization: Token …``, issued by
    ``xaso apitoken``) are integration credentials and are not sent to the 2FA pages. DRF
    authenticates after the middleware runs, so the header is checked here against the
    token table and ``request.auth_via_token`` is set; DRF then authenticates the request
    with that token (an invalid token gets 401 from DRF, never a session fallback)."""

    ALLOWED_PREFIXES = ("/account/", "/static/", "/i18n/", "/dang-xuat/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = api_token_key(request)
        if key:
            from rest_framework.authtoken.models import Token

            request.auth_via_token = Token.objects.filter(key=key, user__is_active=True).exists()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.path == reverse("two_factor:disable"):
            from .selectors import two_factor_required

            if two_factor_required(user):
                # Leaders and administrators cannot switch their second factor off.
                from django.shortcuts import render

                return render(request, "core/two_factor_mandatory.html", status=403)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not getattr(request, "auth_via_token", False)
        ):
            from .selectors import two_factor_required

            if two_factor_required(user) and not user.is_verified():
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("Two-factor verification is required: log in again with your authentication code.")},
                        status=403,
                    )
                from two_factor.utils import default_device

                # The login page asks for a token from the device named "default" only; a
                # user whose devices have other names (e.g. added in the admin) would loop
                # on login, so they are sent to set one up instead.
                if default_device(user) is not None:
                    return redirect(reverse("two_factor:login") + f"?next={request.path}")
                return redirect(reverse("two_factor:setup"))
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and API answers given to a signed-in person carry personal data: they are never
    stored by the browser or a proxy (``Cache-Control: private, no-store``; the back button
    after logging out on a shared computer shows nothing). Public pages that show personal
    data (the dossier lookup) set it themselves. Also sets ``Permissions-Policy``
    (``XASO_PERMISSIONS_POLICY``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils.cache import patch_cache_control

        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            patch_cache_control(response, private=True, no_store=True)
        policy = getattr(settings, "XASO_PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response
