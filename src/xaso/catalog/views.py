from django.shortcuts import render


def search(request):
    return render(request, "base_public.html")
