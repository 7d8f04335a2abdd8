from django.urls import path

from . import api

urlpatterns = [
    path("ratings/", api.submit, name="rating-submit"),
    path("ratings/<str:code>/", api.rating_status, name="rating-status"),
]
