"""URLs of the api app, included at the site root under the namespace "api":
the REST API (/api/v1/), its schema and documentation, the API tokens page and the account
pages on the profile, and the calendar feed."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import pages, views

app_name = "api"

v1 = [
    path("", views.api_root, name="api-root"),
    path("me/", views.me, name="me"),
    path("me/export/", views.me_export, name="me-export"),
    *views.router.urls,
    *views.extra_urls,
    # Last: whatever else ends in a slash (a malformed id, an unknown collection) is a JSON
    # 404. Addresses without the slash still get CommonMiddleware's redirect to it.
    re_path(r"^[\s\S]*/\Z", views.not_found, name="not-found"),
]

urlpatterns = [
    path("api/v1/", include(v1)),
    path("api/schema/", SpectacularAPIView.as_view(urlconf=None), name="schema"),
    path("api/docs/", views.docs, name="docs"),
    path("profile/tokens/", pages.tokens, name="tokens"),
    path("profile/tokens/<uuid:token_uuid>/revoke/", pages.token_revoke, name="token_revoke"),
    path("profile/calendar/rotate/", pages.calendar_rotate, name="calendar_rotate"),
    path("profile/calendar/revoke/", pages.calendar_revoke, name="calendar_revoke"),
    path("profile/data/", pages.your_data, name="your_data"),
    path("profile/export/", pages.export_download, name="export"),
    path("profile/delete/", pages.account_delete, name="account_delete"),
    path("calendar/<str:secret>.ics", pages.calendar_feed, name="calendar_feed"),
]
