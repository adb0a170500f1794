from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import service_health

# The dashboard each role lands on, in the order they are offered.
ROLE_DASHBOARDS = [
    ("mentee", "goals:mentee_dashboard"),
    ("mentor", "goals:mentor_dashboard"),
    ("admin", "mentorship:program_list"),
]


@require_GET
def home(request):
    """Anonymous visitors see the landing page; a person with one role goes straight to that
    role's dashboard; a person with several chooses; a person in no program yet goes to the
    programs they may join (and their invitations)."""
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    roles = request.viewer.roles
    dashboards = [(role, reverse(name)) for role, name in ROLE_DASHBOARDS if role in roles]
    if not dashboards:
        return redirect("mentorship:join_list")
    if len(dashboards) == 1:
        return redirect(dashboards[0][1])
    return render(request, "home.html", {"dashboards": dashboards})


@never_cache
@require_GET
def healthz(request):
    services = service_health()
    down = sorted(name for name, state in services.items() if not state["ok"])
    body = {"status": "ok" if not down else "down", "down": down, "services": services}
    return JsonResponse(body, status=503 if down else 200)


@require_GET
def ping(request):
    """A trivial page for load balancers, and the ceiling that benchmarks compare pages to."""
    return HttpResponse("pong", content_type="text/plain")
