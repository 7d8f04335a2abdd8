from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .request_context import Actor, reset_actor, set_actor


def client_ip(request):
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Makes the acting user and client address available to the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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


class RequireTwoFactorMiddleware:
    """Leaders and administrators must use two-factor authentication: until their session is
    verified with a second factor they can reach only the 2FA pages and logout."""

    ALLOWED_PREFIXES = ("/account/", "/static/", "/i18n/", "/dang-xuat/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not getattr(request, "auth_via_token", False)
        ):
            from .selectors import two_factor_required

            if two_factor_required(user) and not user.is_verified():
                from django_otp import user_has_device

                if user_has_device(user):
                    return redirect(reverse("two_factor:login") + f"?next={request.path}")
                return redirect(reverse("two_factor:setup"))
        return self.get_response(request)
