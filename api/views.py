"""The REST API, version 1.

Every object is fetched through the owning app's access policy (mentorship.policy,
goals.policy) and every change goes through its services, so the API shows and changes
exactly what the pages do: 404 for an object outside the user's relationships, 403 for one
they may see but not change.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.kinds import Kind
from notifications.models import Notification

from . import serializers as s
from .export import user_export_zip
from .filters import BooleanFilter
from .goal_views import (
    CommentViewSet,
    GoalViewSet,
    MilestoneViewSet,
    ProgressUpdateViewSet,
    StepViewSet,
)
from .params import UUID_PATTERN
from .program_views import (
    CheckInViewSet,
    PairingViewSet,
    ProgramViewSet,
    SurveyResponseViewSet,
)

# --- Root, me, export -----------------------------------------------------------------------


@extend_schema(
    responses={200: {"type": "object", "additionalProperties": {"type": "string"}}},
    summary="Where each collection is",
    tags=["me"],
)
@api_view(["GET"])
def api_root(request):
    names = {
        "me": "me",
        "goals": "goal-list",
        "milestones": "milestone-list",
        "updates": "progressupdate-list",
        "comments": "comment-list",
        "pairings": "pairing-list",
        "checkins": "checkin-list",
        "surveys": "survey-list",
        "programs": "program-list",
        "notifications": "notification-list",
    }
    return Response(
        {key: request.build_absolute_uri(reverse(f"api:{name}")) for key, name in names.items()}
    )


@extend_schema(responses=s.MeSerializer, summary="The user the request acts as")
@api_view(["GET"])
def me(request):
    return Response(s.MeSerializer(request.user).data)


@extend_schema(
    responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
    summary="Everything you own, as a zip of JSON and CSV",
)
@api_view(["GET"])
def me_export(request):
    response = HttpResponse(user_export_zip(request.user), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="mentorship-export.zip"'
    return response


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(request):
    """Any address under /api/v1/ that names no endpoint, a malformed id included: JSON, as
    for an unknown id, rather than Django's HTML page (401 first, like every endpoint)."""
    raise NotFound


@require_GET
def docs(request):
    """Swagger UI from our own static files, started by static/js/api.js (no inline script)."""
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema")})


# --- Notifications --------------------------------------------------------------------------


class NotificationFilter(filters.FilterSet):
    """?unread=true|false, ?kind=<one of the kinds> (anything else is a 400 naming the
    choices)."""

    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull")
    kind = filters.ChoiceFilter(choices=Kind.choices)

    class Meta:
        model = Notification
        fields = ["unread", "kind"]


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The user's in-app inbox."""

    serializer_class = s.NotificationSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    filterset_class = NotificationFilter

    def get_queryset(self):
        return notification_selectors.inbox(user=self.request.user)

    @extend_schema(request=None, responses=s.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, uuid=None):
        notification = self.get_object()
        notification_services.notification_mark_read(notification=notification)
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None,
        responses={200: {"type": "object", "properties": {"marked": {"type": "integer"}}}},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = notification_services.notification_mark_all_read(user=request.user)
        return Response({"marked": marked})


router = SimpleRouter()
router.register("goals", GoalViewSet, basename="goal")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("updates", ProgressUpdateViewSet, basename="progressupdate")
router.register("steps", StepViewSet, basename="step")
router.register("comments", CommentViewSet, basename="comment")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("programs", ProgramViewSet, basename="program")
router.register("pairings", PairingViewSet, basename="pairing")
router.register("checkins", CheckInViewSet, basename="checkin")
router.register("surveys", SurveyResponseViewSet, basename="survey")

extra_urls: list = []
