from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.targets, name="targets"),
    path("<int:pk>/bao-cao/", views.report_value, name="report_value"),
    path("<int:pk>/nguong/", views.set_threshold, name="set_threshold"),
    path("kpi/", views.my_kpi, name="my_kpi"),
    path("kpi/don-vi/", views.unit_kpi, name="unit_kpi"),
    path("kpi/trong-so/", views.kpi_weights, name="kpi_weights"),
]
