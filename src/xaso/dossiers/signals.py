"""The stored due dates follow the working-day calendar: when an administrator records,
changes or removes a government decision, running dossiers are recomputed after commit."""
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver

from xaso.core.models import CalendarDecision

# Sent in the intake, submission, supplement and result transactions (a receiver's failure
# rolls the action back: nothing is half-stored). Other apps (the personal document vault)
# keep the applicant's files; the dossiers app depends on none of them.
#: ``components``: the ``Component`` rows just stored for ``dossier``.
components_stored = Signal()
#: ``dossier``: its electronic result (``result_file``) was just stored.
result_stored = Signal()


@receiver(pre_save, sender=CalendarDecision, dispatch_uid="dossiers.calendar_pre_save")
def _remember_old_date(sender, instance, **kwargs):
    instance._dossiers_old_date = (
        CalendarDecision.objects.filter(pk=instance.pk).values_list("date", flat=True).first() if instance.pk else None
    )


@receiver(post_save, sender=CalendarDecision, dispatch_uid="dossiers.calendar_saved")
@receiver(post_delete, sender=CalendarDecision, dispatch_uid="dossiers.calendar_deleted")
def _refresh_due_dates(sender, instance, **kwargs):
    from .services import refresh_running_due_dates

    days = {instance.date, getattr(instance, "_dossiers_old_date", None)} - {None}

    def refresh():
        for day in sorted(days):
            refresh_running_due_dates(affected_day=day)

    transaction.on_commit(refresh)
