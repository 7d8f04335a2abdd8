from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from xaso.core.api_schema import SchemaView
from xaso.core.two_factor_urls import urlpatterns as tf_urls

api_v1 = [
    path("", include("xaso.core.api_urls")),
    path("", include("xaso.catalog.api_urls")),
    path("", include("xaso.dossiers.api_urls")),
    path("", include("xaso.payments.api_urls")),
    path("", include("xaso.ratings.api_urls")),
    path("", include("xaso.portal.api_urls")),
    path("", include("xaso.vault.api_urls")),
    path("", include("xaso.plan.api_urls")),
    path("", include("xaso.indicators.api_urls")),
    # Generated once per process and language (anyone may ask for it).
    path("schema/", SchemaView.as_view(), name="schema"),
    # Swagger UI with its start-up script served apart (no inline script: the site's CSP).
    # (No OPTIONS metadata on the HTML pages: DRF would render it with their page template.)
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema", metadata_class=None), name="api-docs"),
    # Redoc inlines its styles and runs its search in a blob: worker: its own policy.
    path(
        "redoc/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"], "img-src": ["blob:"]})(SpectacularRedocView.as_view(url_name="schema", metadata_class=None)),
        name="api-redoc",
    ),
]

urlpatterns = [
    path("", include("xaso.portal.urls")),
    path("", include("xaso.vault.urls")),
    # National identity login (OpenID Connect): /oidc/authenticate/, /oidc/callback/.
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("", include(tf_urls)),
    path("", include("xaso.core.urls")),
    path("thu-tuc/", include("xaso.catalog.urls")),
    path("ho-so/", include("xaso.dossiers.urls")),
    path("tra-cuu/", include("xaso.dossiers.public_urls")),
    path("thanh-toan/", include("xaso.payments.urls")),
    path("danh-gia/", include("xaso.ratings.urls")),
    # The local sandbox payment gateway (404 unless XASO_PAYMENT_SANDBOX).
    path("sandbox/vnpay/", include("xaso.payments.sandbox_urls")),
    path("ke-hoach/", include("xaso.plan.urls")),
    path("chi-tieu/", include("xaso.indicators.urls")),
    path("quan-tri/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("i18n/", include("django.conf.urls.i18n")),
]

# Requests Django refuses (body too large, too many fields…): a Vietnamese answer, JSON
# under /api/.
handler400 = "xaso.core.input_guard.bad_request"

# MEDIA_URL is not served, not even with DEBUG: uploaded files are personal data, opened only
# through the views that check who asks (as attachments, xaso.core.uploads).
