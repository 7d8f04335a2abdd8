from django.urls import path

from . import views

app_name = "plan"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("bao-cao/", views.my_reports, name="my_reports"),
    path("bao-cao/<int:pk>/", views.report_detail, name="report_detail"),
    path("bao-cao/<int:pk>/duyet/", views.review, name="review"),
    path("bao-cao/<int:pk>/phoi-hop/", views.contribute, name="contribute"),
    path("ky/<str:code>/nhiem-vu/<int:number>/don-vi/<int:unit_id>/", views.report_form, name="report_form"),
    path("ky/<str:code>/bao-cao.docx", views.download_report, name="download_report"),
    path("ky/<str:code>/phu-luc.xlsx", views.download_annex, name="download_annex"),
    path("duyet/", views.review_queue, name="review_queue"),
    path("minh-chung/<int:pk>/", views.evidence, name="evidence"),
    path("xuat.xlsx", views.export_plan, name="export"),
    path("moc/<int:pk>/ngay/", views.set_milestone_date, name="set_milestone_date"),
    path("linh-vuc/<int:pk>/trong-so/", views.set_area_weight, name="set_area_weight"),
    path("quyet-dinh/", views.set_decision, name="set_decision"),
    path("ky/<str:code>/khoa/", views.close_period, name="close_period"),
]
