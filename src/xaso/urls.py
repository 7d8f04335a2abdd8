from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from two_factor.urls import urlpatterns as tf_urls

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
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
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

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
