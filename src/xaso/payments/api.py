"""Payments API under /api/v1/payments/: a dossier's payment status, starting an online
payment (the applicant), its receipts as signed PDF; and, outside the token API (no token,
no session: the gateway signs its requests with the shared secret), the gateway's
server-to-server notification and the check of a browser return.

Objects are resolved through the caller's scope first (owner, or an official in scope:
else 404), then the role (only the owner starts a payment), then the state."""
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes, renderer_classes, throttle_classes
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from xaso.core.middleware import client_ip
from xaso.dossiers.models import Dossier

from . import receipts, selectors, services
from .models import Payment, Receipt


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["txn_ref", "provider", "amount", "state", "created_at", "expires_at", "completed_at", "needs_refund", "refunded_at"]


class ReceiptSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text="Receipt symbol and 7-digit number, e.g. BL-26E 0000012.")
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Receipt
        fields = ["id", "reference", "year", "number", "amount", "issued_at", "pdf_url"]

    def get_pdf_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("payment-receipt-pdf", args=[obj.pk])


class PaymentStatusSerializer(serializers.Serializer):
    dossier = serializers.CharField(help_text="Dossier code")
    fee_amount = serializers.IntegerField(help_text="VND")
    paid = serializers.IntegerField(help_text="VND recorded as paid (counter and online)")
    due = serializers.IntegerField(help_text="VND still due (0 when paid or exempted)")
    exempt = serializers.BooleanField()
    fee_timing = serializers.ChoiceField(choices=["unknown", "before_reception", "before_result"], help_text="When the procedure's fees are due")
    online_offered = serializers.BooleanField(help_text="The procedure's fees can be paid online (766 item 3.5)")
    payable_now = serializers.BooleanField()
    why_not = serializers.CharField(help_text="Why it cannot be paid online now (empty when it can or nothing is due)")
    pending = serializers.BooleanField(help_text="A started payment waits for the gateway's confirmation")
    payments = PaymentSerializer(many=True)
    receipts = ReceiptSerializer(many=True)


class PaymentStartSerializer(serializers.Serializer):
    payment = PaymentSerializer()
    redirect_url = serializers.URLField(help_text="Send the payer's browser here (the gateway's payment page).")


def _visible(request, code) -> Dossier:
    d = Dossier.objects.filter(code=code).first()
    user = request.user
    if d is not None:
        if d.applicant_account_id == user.pk:
            return d
        if getattr(user, "is_official", False):
            from xaso.dossiers import selectors as dossier_selectors

            if dossier_selectors.scope_dossiers(user).filter(pk=d.pk).exists():
                return d
    raise NotFound(_("No dossier with this code."))


def _status(d):
    s = selectors.payment_summary(d)
    return {
        "dossier": d.code, "fee_amount": s.fee_amount, "paid": s.paid, "due": s.due, "exempt": s.exempt, "fee_timing": s.fee_timing,
        "online_offered": s.online_offered, "payable_now": s.payable_now, "why_not": s.why_not, "pending": s.pending,
        "payments": PaymentSerializer(selectors.payments_of(d), many=True).data,
        "receipts": ReceiptSerializer(selectors.receipts_of(d), many=True).data,
    }


@extend_schema(responses={200: PaymentStatusSerializer, 404: OpenApiResponse(description="No dossier with this code that you can see")}, operation_id="payments_status")
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def payment_status(request, code):
    """What is due on a dossier, whether it can be paid online now, its payments and receipts
    (the applicant, or an official in scope)."""
    return Response(_status(_visible(request, code)))


@extend_schema(
    request=None,
    responses={201: PaymentStartSerializer, 400: OpenApiResponse(description="Nothing payable online now (the reason in 'detail')"),
               403: OpenApiResponse(description="Only the applicant starts a payment"), 404: OpenApiResponse(description="No dossier with this code that you can see")},
    operation_id="payments_start",
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def payment_start(request, code):
    """Start an online payment of what is still due; send the payer to ``redirect_url``. The
    payment counts once the gateway's notification confirms it (see the status)."""
    d = _visible(request, code)
    if d.applicant_account_id != request.user.pk:
        raise PermissionDenied(_("Only the applicant starts a payment."))
    try:
        payment, url = services.start_payment(d, via="api", user=request.user, ip=client_ip(request))
    except services.PaymentError as exc:
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    return Response({"payment": PaymentSerializer(payment).data, "redirect_url": url}, status=status.HTTP_201_CREATED)


@extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: OpenApiResponse(description="No receipt with this id that you can see")}, operation_id="payments_receipt_pdf")
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def receipt_pdf(request, pk):
    """The electronic receipt as a signed PDF (an attachment)."""
    receipt = Receipt.objects.select_related("dossier").filter(pk=pk).first()
    if receipt is None:
        raise NotFound(_("No receipt with this id."))
    _visible(request, receipt.dossier.code)
    try:
        data = receipts.pdf_bytes(receipt)
    except Exception as exc:  # signing configured and failing: never an unsigned receipt
        from xaso.core.signing import SigningError

        if isinstance(exc, SigningError):
            return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        raise
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{receipts.filename(receipt)}"'
    return resp


class GatewayAnswerSerializer(serializers.Serializer):
    RspCode = serializers.CharField(help_text="00 recorded, 01 order not found, 02 already confirmed, 04 invalid amount, 97 invalid signature, 99 other error")
    Message = serializers.CharField()


class ReturnCheckSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="The signature is ours and the payment known")
    dossier = serializers.CharField(allow_null=True)
    txn_ref = serializers.CharField(allow_null=True)
    state = serializers.CharField(allow_null=True, help_text="The payment's state as the notification left it (the return changes nothing)")
    gateway_says_paid = serializers.BooleanField()


@extend_schema(
    auth=[], request=None, responses={200: GatewayAnswerSerializer}, operation_id="payments_vnpay_ipn",
    description="VNPAY's server-to-server notification (IPN, GET with the vnp_* parameters and vnp_SecureHash): the only request that changes a payment. "
                "No token: the gateway signs it. Register this URL with VNPAY.",
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
@renderer_classes([JSONRenderer])
def vnpay_ipn(request):
    return Response(services.handle_notification("vnpay", request.query_params.dict()))


@extend_schema(auth=[], request=None, responses={200: ReturnCheckSerializer}, operation_id="payments_vnpay_return",
               description="Check a browser return from VNPAY (the vnp_* parameters as received): display only, nothing is changed.")
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
@renderer_classes([JSONRenderer])
def vnpay_return(request):
    from . import providers

    out = {"valid": False, "dossier": None, "txn_ref": None, "state": None, "gateway_says_paid": False}
    provider = providers.get("vnpay")
    if provider is not None:
        try:
            result = provider.read_return(request.query_params.dict())
        except providers.NotificationRefused:
            result = None
        payment = Payment.objects.filter(provider="vnpay", txn_ref=result.txn_ref).select_related("dossier").first() if result else None
        if payment is not None:
            out = {"valid": True, "dossier": payment.dossier.code, "txn_ref": payment.txn_ref, "state": payment.state, "gateway_says_paid": result.paid}
    return Response(out)
