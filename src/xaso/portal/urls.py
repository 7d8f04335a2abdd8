from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.citizen_login, name="citizen_login"),
    path("dang-nhap/ma/", views.citizen_code, name="citizen_code"),
    path("tai-khoan/", views.profile, name="profile"),
]
