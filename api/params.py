"""What the API's viewsets share: the UUID pattern of their URLs, the request's viewer and
whether a view is only being described for the schema."""

from core.viewer import Viewer

# A UUID in its usual form, either case: an upper-case UUID reaches the view (and its JSON
# 404), and anything else in its place matches no route and gets the API's JSON 404
# (api.views.not_found) rather than a validation error or Django's HTML "page not found".
_HEX = "[0-9a-fA-F]"
UUID_PATTERN = f"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"


def request_viewer(request) -> Viewer:
    """The request's viewer (core.middleware), for the person DRF authenticated: a token's
    user is known only once the view runs, so a viewer built earlier for nobody is replaced."""
    viewer = getattr(request, "viewer", None)
    if viewer is not None and viewer.pk == request.user.pk:
        return viewer
    return Viewer.of(request.user)


def schema_only(view) -> bool:
    """True while drf-spectacular builds the schema: it needs the queryset's model, and
    reading the viewer's facts for its mock request would cost a query per endpoint."""
    return getattr(view, "swagger_fake_view", False)
