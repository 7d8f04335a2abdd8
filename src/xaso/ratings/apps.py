from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "xaso.ratings"
    label = "ratings"
    verbose_name = _("Ratings of the service")

    def ready(self):
        from xaso.core import audit
        from xaso.dossiers import extensions

        from . import models, panels, services

        audit.track(models.Kiosk, exclude=("secret",))

        extensions.on_event(services.invite_after_event)
        extensions.payload(services.payload_fields)
        extensions.panel(panels.dossier_panel)
