from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.targets, name="targets"),
    path("<int:pk>/bao-cao/", views.report_value, name="report_value"),
    path("<int:pk>/nguong/", views.set_threshold, name="set_threshold"),
    path("<int:pk>/ho-so/", views.target_records, name="target_records"),
    path("minh-chung/<int:pk>/", views.evidence, name="evidence"),
    path("tre-han/<slug:kind>/", views.lateness_records, name="lateness_records"),
    path("kpi/", views.my_kpi, name="my_kpi"),
    path("kpi/don-vi/", views.unit_kpi, name="unit_kpi"),
    path("kpi/trong-so/", views.kpi_weights, name="kpi_weights"),
]
