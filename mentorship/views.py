from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import service_health


@require_GET
def home(request):
    if request.user.is_authenticated:
        return render(request, "home.html")
    return render(request, "landing.html")


@never_cache
@require_GET
def healthz(request):
    services = service_health()
    down = sorted(name for name, state in services.items() if not state["ok"])
    body = {"status": "ok" if not down else "down", "down": down, "services": services}
    return JsonResponse(body, status=503 if down else 200)


