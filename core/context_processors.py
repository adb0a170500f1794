from django.conf import settings


def site(request):
    """The site's name, and the request's viewer for the navigation (its facts are read
    only when a template asks, once per request)."""
    return {"SITE_NAME": settings.SITE_NAME, "viewer": getattr(request, "viewer", None)}
