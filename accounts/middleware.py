from django.utils import timezone, translation


class UserTimezoneMiddleware:
    """Show dates and times in the signed-in user's own time zone, and the interface in their
    own language when they chose one (otherwise LocaleMiddleware's pick from the language
    cookie or the browser's Accept-Language stands)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.tzinfo)
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
