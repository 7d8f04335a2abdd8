from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import DossierViewSet
from .calendar_api import CalendarDueView

router = SimpleRouter()
router.register("dossiers", DossierViewSet, basename="dossier")
urlpatterns = [
    path("calendar/due/", CalendarDueView.as_view(), name="calendar-due"),
    *router.urls,
]
