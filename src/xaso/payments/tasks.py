"""Background work of payments (django-tasks; ``xaso db_worker`` runs it): refunds of
payments that could not count, IPN deliveries of the local sandbox gateway. The
reconciliation (``xaso payments reconcile``, in the scheduler) retries whatever a lost task
left undone."""
from django_tasks import task


@task()
def refund_payment(payment_id: int) -> bool:
    from . import services

    return services.refund(payment_id)


@task()
def sandbox_deliver(notification_id: int) -> str:
    from . import sandbox

    return sandbox.deliver(notification_id)
