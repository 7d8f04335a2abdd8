from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import AccessLogView, DocumentTypeView, DocumentViewSet

router = SimpleRouter()
router.register("vault/documents", DocumentViewSet, basename="vault-document")
urlpatterns = [
    path("vault/types/", DocumentTypeView.as_view(), name="vault-types"),
    path("vault/access-log/", AccessLogView.as_view(), name="vault-access-log"),
    *router.urls,
]
