"""Deployment checks of payments."""
from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_payment_sandbox(app_configs=None, **kwargs):
    if getattr(settings, "XASO_PAYMENT_SANDBOX", False):
        return [
            checks.Warning(
                "The local sandbox payment gateway is enabled: payments are simulated and the sandbox pages are public.",
                hint="Unset XASO_PAYMENT_SANDBOX and set XASO_VNPAY_TMN_CODE, XASO_VNPAY_HASH_SECRET (docs/payments.md).",
                id="xaso.W010",
            )
        ]
    return []
