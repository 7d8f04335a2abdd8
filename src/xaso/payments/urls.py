from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("vnpay/tra-ve/", views.vnpay_return, name="vnpay_return"),
    path("doi-soat/", views.reconciliation_list, name="reconciliation"),
    path("doi-soat/<str:provider>/<str:day>.xlsx", views.reconciliation_xlsx, name="reconciliation_xlsx"),
    path("ho-so/<str:code>/", views.owner_page, name="owner"),
    path("ho-so/<str:code>/bien-lai/<int:pk>.pdf", views.owner_receipt, name="owner_receipt"),
    path("quan-ly/<str:code>/yeu-cau/", views.request_payment, name="request"),
    path("quan-ly/<str:code>/mien/", views.exempt, name="exempt"),
    path("quan-ly/<str:code>/bien-lai/<int:pk>.pdf", views.staff_receipt, name="staff_receipt"),
    path("<str:token>/", views.link_page, name="link"),
    path("<str:token>/bien-lai/<int:pk>.pdf", views.link_receipt, name="link_receipt"),
]
