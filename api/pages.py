"""The pages of the api app: API tokens and calendar feed (on the profile), data download,
account deletion, and the calendar feed itself."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.selectors import programs_only_run_by

from . import services
from .calendar import calendar_build
from .export import user_export_zip
from .forms import AccountDeleteForm, TokenCreateForm
from .models import ApiToken, CalendarFeed, hash_secret


def _tokens_page(request, *, form=None, new_token=None, new_feed_url=None, status=200):
    tokens = list(ApiToken.objects.filter(user=request.user))
    feed = CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).first()
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form or TokenCreateForm(),
            "active_tokens": [t for t in tokens if t.is_active],
            "revoked_tokens": [t for t in tokens if not t.is_active][:10],
            "new_token": new_token,
            "feed": feed,
            "new_feed_url": new_feed_url,
            "api_base": request.build_absolute_uri(reverse("api:api-root")),
        },
        status=status,
    )
    # A page that may show a secret must not be kept by the browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    """List, create (POST) and link to revoke personal API tokens; the calendar feed address.

    A new token is shown on the response to the POST that made it, and never again."""
    if request.method == "POST":
        form = TokenCreateForm(request.POST)
        if form.is_valid():
            try:
                made = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return _tokens_page(request, new_token=made)
        return _tokens_page(request, form=form, status=400)
    return _tokens_page(request)


@login_required
@require_POST
def token_revoke(request, token_uuid):
    token = get_object_or_404(ApiToken, uuid=token_uuid, user=request.user)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api:tokens")


@never_cache
@login_required
@require_POST
def calendar_rotate(request):
    made = services.calendar_feed_rotate(user=request.user)
    url = request.build_absolute_uri(reverse("api:calendar_feed", args=[made.secret]))
    return _tokens_page(request, new_feed_url=url)


@login_required
@require_POST
def calendar_revoke(request):
    if services.calendar_feed_revoke(user=request.user):
        messages.success(request, _("Your calendar address is revoked; it no longer works."))
    return redirect("api:tokens")


@never_cache
@require_GET
def calendar_feed(request, secret):
    """The iCalendar feed at its secret address; 404 for an unknown or revoked one."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    now = timezone.now()
    if feed.last_used_at is None or (now - feed.last_used_at).total_seconds() > 300:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    response = HttpResponse(calendar_build(feed.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mentorship.ics"'
    return response


@login_required
@require_GET
def your_data(request):
    """What the site keeps about the person: download it all, or delete the account."""
    return render(request, "api/your_data.html")


@login_required
@require_GET
def export_download(request):
    """Everything the user owns, as a zip of JSON and CSV."""
    response = HttpResponse(user_export_zip(request.user), content_type="application/zip")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="mentorship-export-{stamp}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Delete the account after the password is confirmed."""
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as error:
            for message in error.message_dict.get("password", error.messages):
                form.add_error("password", message)
        else:
            logout(request)
            messages.success(request, _("Your account and your data have been deleted."))
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "sole_admin_of": programs_only_run_by(request.viewer)}
    return render(request, "api/account_delete.html", context, status=status)
