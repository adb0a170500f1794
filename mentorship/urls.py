from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("accounts.urls")),
    path("", include("mentorship.domain_urls")),
    path("", include("goals.urls")),
    path("", include("notifications.urls")),
    # /api/..., /profile/tokens/, /profile/delete/, /calendar/<secret>.ics (namespace "api")
    path("", include("api.urls")),
    path("admin/", admin.site.urls),
]
