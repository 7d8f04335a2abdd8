from django.urls import path

from . import views

app_name = "ratings"
urlpatterns = [
    path("l/<str:token>/", views.link_page, name="link"),
    path("ho-so/<str:code>/", views.owner_page, name="owner"),
    path("quay/", views.kiosk, name="kiosk"),
    path("quay/ghep/", views.kiosk_pair, name="kiosk_pair"),
    path("quay/gui/<str:code>/", views.kiosk_send, name="kiosk_send"),
    path("can-tra-loi/", views.follow_ups, name="follow_ups"),
    path("can-tra-loi/<int:pk>/", views.answer, name="answer"),
]
