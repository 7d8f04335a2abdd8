"""The vault keeps the files the dossiers store: connected to the dossiers' signals, run
in the dossier action's transaction (a failure rolls the action back: nothing half-kept)."""
from django.dispatch import receiver

from xaso.dossiers.signals import components_stored, result_stored


@receiver(components_stored, dispatch_uid="vault.components_stored")
def keep_components(sender, dossier, components, **kwargs):
    from .services import collect_components

    collect_components(dossier, components)


@receiver(result_stored, dispatch_uid="vault.result_stored")
def keep_result(sender, dossier, **kwargs):
    from .services import collect_result

    collect_result(dossier)
