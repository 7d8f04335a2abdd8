"""Public portal: home, citizen/business login by phone number and one-time code, profile.

Login flow: ``/dang-nhap/`` asks the phone (and, for a new business account, the tax code
and name) and sends a code by SMS; ``/dang-nhap/ma/`` checks the code and logs the person
in, creating the account on first login. The answer is the same whether or not the number
is registered (no enumeration). Rate limits: per phone and per IP (settings
``XASO_OTP_RATE_PER_PHONE``, ``XASO_OTP_RATE_PER_IP``, ``XASO_OTP_VERIFY_RATE_PER_IP``)."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_ratelimit.core import is_ratelimited

from xaso.core import services
from xaso.core.forms import LoginCodeForm, PhoneLoginForm, ProfileForm
from xaso.core.identifiers import mask_phone
from xaso.core.middleware import client_ip
from xaso.core.models import User

from . import oidc

SESSION_KEY = "portal_login"
PUBLIC_KINDS = (User.Kind.CITIZEN, User.Kind.BUSINESS)


def _rate(name, default):
    return getattr(settings, name, default)


def _limited(request, group, key, rate):
    return is_ratelimited(request, group=group, key=lambda _g, _r: key, rate=rate, increment=True)


def home(request):
    from xaso.catalog import selectors as catalog

    return render(
        request,
        "portal/home.html",
        {"fields": catalog.fields_with_counts(), "frequent": catalog.frequent_procedures()[:8]},
    )


def _safe_next(request, value):
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return ""


@never_cache
@sensitive_post_parameters("tax_code")
def citizen_login(request):
    form = PhoneLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request) or ""
        phone = form.cleaned_data["phone"]
        if _limited(request, "otp-send-ip", ip, _rate("XASO_OTP_RATE_PER_IP", "20/h")):
            form.add_error(None, _("Too many login codes have been requested from this network. Please try again later."))
        elif any(
            _limited(request, f"otp-send-phone-{i}", phone, rate)
            for i, rate in enumerate(_rate("XASO_OTP_RATE_PER_PHONE", ["3/15m", "10/d"]))
        ):
            form.add_error("phone", _("Too many login codes have been requested for this number. Please wait and try again later."))
        else:
            services.request_login_code(phone, ip_address=ip or None)
            request.session[SESSION_KEY] = {
                "phone": phone,
                "business": form.cleaned_data["business"],
                "tax_code": form.cleaned_data["tax_code"],
                "organisation_name": form.cleaned_data["organisation_name"].strip(),
                "next": _safe_next(request, request.GET.get("next", "")),
            }
            return redirect("portal:citizen_code")
    return render(request, "portal/citizen_login.html", {"form": form, "oidc_enabled": oidc.enabled()})


@never_cache
@sensitive_post_parameters("code")
def citizen_code(request):
    pending = request.session.get(SESSION_KEY)
    if not pending:
        return redirect("portal:citizen_login")
    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request) or ""
        if _limited(request, "otp-verify-ip", ip, _rate("XASO_OTP_VERIFY_RATE_PER_IP", "30/h")):
            form.add_error(None, _("Too many attempts from this network. Please try again later."))
        else:
            try:
                user, created = services.verify_login_code(
                    pending["phone"],
                    form.cleaned_data["code"],
                    business=pending.get("business", False),
                    tax_code=pending.get("tax_code", ""),
                    organisation_name=pending.get("organisation_name", ""),
                )
            except services.LoginCodeError as exc:
                form.add_error("code", _login_code_message(exc.reason))
            except services.AccountConflict:
                form.add_error(
                    None,
                    _("This tax code is already registered to another account. Please contact the one-stop centre of the commune."),
                )
            else:
                request.session.pop(SESSION_KEY, None)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                if created:
                    messages.success(request, _("Your account has been created. Please complete your profile."))
                    return redirect("portal:profile")
                return redirect(pending.get("next") or "portal:profile")
    return render(request, "portal/citizen_code.html", {"form": form, "masked_phone": mask_phone(pending["phone"])})


def _login_code_message(reason):
    if reason == "expired":
        return _("This code has expired. Please request a new code.")
    if reason == "too_many_attempts":
        return _("Too many wrong codes. Please request a new code.")
    return _("The code is not correct. Please check the SMS and try again.")


@never_cache
@login_required(login_url="portal:citizen_login")
def profile(request):
    user = request.user
    if user.kind not in PUBLIC_KINDS:
        return redirect("core:workspace")
    # The form works on its own copy: a ModelForm writes cleaned values into its instance,
    # and the service must see the stored values to know what changed.
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=user.pk))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.cleaned_data}
        try:
            services.update_profile(user, **values)
        except services.AccountConflict:
            form.add_error(None, _("This personal identification number is already used by another account. Please contact the one-stop centre."))
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("portal:profile")
    return render(request, "portal/profile.html", {"form": form, "oidc_enabled": oidc.enabled()})
