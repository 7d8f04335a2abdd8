from django.urls import path

from . import citizen_views as c
from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.citizen_login, name="citizen_login"),
    path("dang-nhap/ma/", views.citizen_code, name="citizen_code"),
    path("tai-khoan/", views.profile, name="profile"),
    # Online submission: the procedure's start page, then the draft's steps.
    path("nop-truc-tuyen/<str:code>/", c.submit_start, name="submit_start"),
    path("ho-so-cua-toi/", c.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/nhap/<uuid:pk>/", c.draft_resume, name="draft"),
    path("ho-so-cua-toi/nhap/<uuid:pk>/nguoi-nop/", c.draft_applicant, name="draft_applicant"),
    path("ho-so-cua-toi/nhap/<uuid:pk>/giay-to/", c.draft_documents, name="draft_documents"),
    path("ho-so-cua-toi/nhap/<uuid:pk>/giay-to/<int:index>/", c.draft_document, name="draft_document"),
    path("ho-so-cua-toi/nhap/<uuid:pk>/tep/<int:file_id>/", c.draft_file, name="draft_file"),
    path("ho-so-cua-toi/nhap/<uuid:pk>/nhan-ket-qua/", c.draft_delivery, name="draft_delivery"),
    path("ho-so-cua-toi/nhap/<uuid:pk>/xem-lai/", c.draft_review, name="draft_review"),
    path("ho-so-cua-toi/nhap/<uuid:pk>/xoa/", c.draft_delete, name="draft_delete"),
    # The account's dossiers.
    path("ho-so-cua-toi/<str:code>/", c.my_dossier, name="my_dossier"),
    path("ho-so-cua-toi/<str:code>/bo-sung/", c.supplement, name="supplement"),
    path("ho-so-cua-toi/<str:code>/dung/", c.stop, name="stop"),
    path("ho-so-cua-toi/<str:code>/giay-to/<int:pk>.pdf", c.issued_document, name="issued_document"),
    path("ho-so-cua-toi/<str:code>/ket-qua/", c.result, name="result"),
    path("ho-so-cua-toi/<str:code>/tep/<int:pk>/", c.component_file, name="component_file"),
    # The guided finder and saved checklists.
    path("tim-thu-tuc/", c.finder, name="finder"),
    path("tim-thu-tuc/<slug:slug>/", c.finder_event, name="finder_event"),
    path("tai-khoan/danh-sach/", c.checklists, name="checklists"),
    path("tai-khoan/danh-sach/luu/", c.checklist_save, name="checklist_save"),
    path("tai-khoan/danh-sach/<int:pk>/", c.checklist, name="checklist"),
    path("tai-khoan/danh-sach/<int:pk>/xoa/", c.checklist_delete, name="checklist_delete"),
]
