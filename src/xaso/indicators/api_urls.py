from django.urls import path

from . import api

urlpatterns = [
    path("plan/targets/", api.TargetList.as_view(), name="api-plan-targets"),
]
