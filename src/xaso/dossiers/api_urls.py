from rest_framework.routers import SimpleRouter

from .api import DossierViewSet

router = SimpleRouter()
router.register("dossiers", DossierViewSet, basename="dossier")
urlpatterns = router.urls
