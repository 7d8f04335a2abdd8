"""django-two-factor-auth's URLs (namespace ``two_factor``) with two of its views hardened.

- ``next``: two_factor accepts any relative value, then ``redirect()`` takes a value such as
  ``abc`` for the name of a URL pattern and fails (a server error). Only a path on this
  site (``/…``, not ``//host``) is followed; anything else goes to the default page.
- The login wizard's "send me a code on this device" button (``challenge_device``) posted
  before the password step had succeeded had no user to look devices up for (a server
  error): it starts the login again.
"""
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from two_factor import views as tf
from two_factor.urls import urlpatterns as tf_urlpatterns


def safe_next(request, value) -> str:
    """``value`` if it is a path on this site, else ``""``."""
    value = value or ""
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ""
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    return value


class _SafeRedirect:
    def get_redirect_url(self):
        from django.contrib.auth import REDIRECT_FIELD_NAME

        value = self.request.POST.get(REDIRECT_FIELD_NAME, self.request.GET.get(REDIRECT_FIELD_NAME, ""))
        return safe_next(self.request, value)


class LoginView(_SafeRedirect, tf.LoginView):
    def post(self, *args, **kwargs):
        if "challenge_device" in self.request.POST and not self.get_user():
            self.storage.reset()
            return self.render_goto_step(self.FIRST_STEP)
        return super().post(*args, **kwargs)


class SetupView(_SafeRedirect, tf.SetupView):
    pass


_REPLACED = {"login": LoginView, "setup": SetupView}


def _patterns():
    patterns, namespace = tf_urlpatterns
    out = []
    for p in patterns:
        view = _REPLACED.get(getattr(p, "name", None))
        out.append(path(str(p.pattern), view.as_view(), name=p.name) if view else p)
    return out, namespace


urlpatterns = _patterns()
