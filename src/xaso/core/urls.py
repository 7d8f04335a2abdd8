from django.contrib.auth.views import LogoutView
from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("lam-viec/", views.workspace, name="workspace"),
    path("dang-xuat/", LogoutView.as_view(), name="logout"),
]
