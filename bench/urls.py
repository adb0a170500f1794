"""The site's URLs plus the benchmark's plain page."""

from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

from . import views

urlpatterns = [
    *site_urlpatterns,
    path("bench/plain/", views.plain, name="bench_plain"),
]
