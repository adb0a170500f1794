"""The request's viewer, and services' errors answered as pages."""

from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

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
