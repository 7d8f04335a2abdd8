from django.urls import path

from . import api

urlpatterns = [
    path("payments/vnpay/ipn/", api.vnpay_ipn, name="payment-vnpay-ipn"),
    path("payments/vnpay/return/", api.vnpay_return, name="payment-vnpay-return"),
    path("payments/receipts/<int:pk>/pdf/", api.receipt_pdf, name="payment-receipt-pdf"),
    path("payments/<str:code>/", api.payment_status, name="payment-status"),
    path("payments/<str:code>/start/", api.payment_start, name="payment-start"),
]
