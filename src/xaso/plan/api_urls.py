from django.urls import path

from . import api

urlpatterns = [
    path("plan/tasks/", api.TaskList.as_view(), name="api-plan-tasks"),
]
