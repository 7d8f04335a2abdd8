from django.conf import settings


def site(request):
    return {"XASO_PUBLIC_BASE_URL": settings.XASO_PUBLIC_BASE_URL}
