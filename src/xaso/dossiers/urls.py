from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("tiep-nhan/", views.desk, name="desk"),
    path("tiep-nhan/moi/", views.intake, name="intake"),
    path("so-theo-doi/", views.tracking_book, name="book"),
    path("mau-bieu/", views.builtin_form_templates, name="builtin_form_templates"),
    path("mau-bieu/<str:kind>.<str:fmt>", views.builtin_form_templates, name="builtin_form_template"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/xu-ly/<str:action>/", views.act, name="act"),
    path("<str:code>/thu-phi/", views.fee_payment, name="fee_payment"),
    path("<str:code>/giay-to/<int:pk>.<str:fmt>", views.document, name="document"),
    path("<str:code>/phieu-kiem-soat.<str:fmt>", views.control_sheet, name="control_sheet"),
    path("<str:code>/tep/ket-qua/", views.stored_file, {"what": "ket-qua"}, name="result_file"),
    path("<str:code>/tep/thanh-phan/<int:pk>/", views.stored_file, {"what": "thanh-phan"}, name="component_file"),
]
