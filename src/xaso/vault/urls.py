from django.urls import path

from . import views

app_name = "vault"
urlpatterns = [
    path("kho-giay-to/", views.vault, name="list"),
    path("kho-giay-to/ai-da-xem/", views.access_log, name="access_log"),
    path("kho-giay-to/<int:pk>/", views.document, name="document"),
    path("kho-giay-to/<int:pk>/tai-ve/", views.download, name="download"),
    path("kho-giay-to/<int:pk>/xoa/", views.delete, name="delete"),
    # The reception desk: the applicant's vault for a dossier at the counter.
    path("ho-so/<str:code>/kho-du-lieu/", views.desk_vault, name="desk"),
    path("ho-so/<str:code>/kho-du-lieu/dung-lai/", views.desk_reuse, name="desk_reuse"),
    path("ho-so/<str:code>/kho-du-lieu/<int:pk>/", views.desk_download, name="desk_download"),
]
