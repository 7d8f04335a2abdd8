from django.contrib.auth.views import LogoutView
from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
    path("lich-lam-viec/", views.working_calendar, name="calendar"),
    path("lich-lam-viec/<int:year>/", views.working_calendar, name="calendar_year"),
    path("lam-viec/", views.workspace, name="workspace"),
    path("lam-viec/can-bo/", views.directory, name="directory"),
    path("lam-viec/cong-dan/", views.citizen_search, name="citizen_search"),
    path("lam-viec/cong-dan/<str:ref>/", views.citizen_detail, name="citizen_detail"),
    # Django's LogoutView accepts POST only (a GET answers 405), so a link cannot log out.
    path("dang-xuat/", LogoutView.as_view(), name="logout"),
    # Whom to tell about a vulnerability (RFC 9116; XASO_SECURITY_CONTACT, docs/security.md).
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
]
