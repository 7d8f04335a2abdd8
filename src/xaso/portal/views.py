from django.shortcuts import render


def home(request):
    return render(request, "portal/home.html")


def citizen_login(request):
    return render(request, "portal/citizen_login.html")
