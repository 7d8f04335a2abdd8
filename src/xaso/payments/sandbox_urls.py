from django.urls import path

from . import sandbox

app_name = "payments_sandbox"
urlpatterns = [
    path("paymentv2/vpcpay.html", sandbox.pay_page, name="pay"),
    path("merchant_webapi/api/transaction", sandbox.api, name="api"),
]
