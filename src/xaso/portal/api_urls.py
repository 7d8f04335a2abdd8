from rest_framework.routers import SimpleRouter

from .api import DeskViewSet, DraftViewSet, MyDossierViewSet

router = SimpleRouter()
router.register("portal/desks", DeskViewSet, basename="portal-desk")
router.register("portal/drafts", DraftViewSet, basename="portal-draft")
router.register("portal/my-dossiers", MyDossierViewSet, basename="portal-my-dossier")
urlpatterns = router.urls
