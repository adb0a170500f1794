from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("timezone/", views.use_timezone, name="use_timezone"),
]
