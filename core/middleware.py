"""The request's viewer, services' errors answered as pages, and two-factor for the admin."""

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .errors import ServiceError
from .viewer import Viewer


class ViewerMiddleware:
    """Sets `request.viewer` (core.viewer.Viewer), built when first asked for. After
    AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.viewer = SimpleLazyObject(lambda: Viewer(request.user))
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A ServiceError no view handled is the person's mistake or a conflict, never a
        500: the page says what went wrong, with the error's status."""
        if not isinstance(exception, ServiceError):
            return None
        return render(
            request,
            "service_error.html",
            {"error": exception, "back": request.headers.get("referer", "")},
            status=exception.status,
        )


class AdminTwoFactorMiddleware:
    """Staff and superusers reach the Django admin only with two-factor authentication. One
    without a TOTP authenticator is sent to set one up, with a message; one with it who has
    not given a code in this session (signed in before setting it up, say) is asked for one
    (allauth's reauthentication by code), then comes back. Everyone else, and every page
    outside the admin, is left alone: the admin answers them as it does. After
    AuthenticationMiddleware, MessageMiddleware and allauth's AccountMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.app_name != "admin":
            return None
        user = request.user
        if not (user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser)):
            return None
        if not is_mfa_enabled(user, types=[Authenticator.Type.TOTP]):
            messages.warning(
                request,
                _(
                    "The admin needs two-factor authentication: set up an authenticator app "
                    "first, then open the admin again."
                ),
            )
            return redirect("mfa_activate_totp")
        if any(
            record.get("method") == "mfa" for record in get_authentication_records(request, user)
        ):
            return None
        messages.info(request, _("Enter a code from your authenticator app to open the admin."))
        query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
