from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django.urls import include, path
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import views as account_views
from core import views


def admin_login(request, extra_context=None):
    """The admin has no password form of its own: everyone signs in through allauth's login
    page, where its rate limits and the two-factor step apply; staff then go on to the admin,
    anyone else signed in gets 403. Guessing a staff password at /admin/login/ is impossible."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not admin.site.has_permission(request):
        raise PermissionDenied
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = resolve_url("admin:index")
    return redirect(next_url)


admin.site.login = admin_login

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    # /api/..., /profile/tokens/, /profile/delete/, /calendar/<secret>.ics (namespace "api").
    # Before the pages' long lists: scripts poll the API, and the resolver tries patterns in
    # order; none of these paths is also a page's.
    path("", include("api.urls")),
    # allauth's sign-up, which also takes the name from the link (accounts.views.SignupView).
    path("accounts/signup/", account_views.signup, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("accounts.urls")),
    path("language/", account_views.set_language, name="set_language"),
    path("", include("mentorship.domain_urls")),
    path("", include("goals.urls")),
    path("", include("notifications.urls")),
    path("admin/", admin.site.urls),
]
