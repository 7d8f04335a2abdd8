from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.search, name="search"),
    path("linh-vuc/<slug:slug>/", views.field, name="field"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/mau/<int:document_id>/", views.blank_form, name="blank_form"),
]
