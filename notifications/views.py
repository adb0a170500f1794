from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import require_found

from . import selectors, services
from .forms import PreferencesForm
from .kinds import Kind, kinds_for_roles
from .models import Notification
from .unsubscribe import read_token


def _get_own_notification(request, uuid) -> Notification:
    """Someone else's notification is a 404: its existence is nobody else's business."""
    notification = selectors.own_notification(user=request.user, uuid=uuid)
    require_found(notification is not None)
    return notification


@login_required
@require_GET
def inbox(request):
    page = selectors.inbox_page(user=request.user, page_number=request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_GET
def open_notification(request, uuid):
    """Follow a notification to the thing it is about, marking it read on the way. A GET
    because it is a link; marking read is idempotent and harmless to repeat."""
    notification = _get_own_notification(request, uuid)
    services.notification_mark_read(notification=notification)
    target = notification.url or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@login_required
@require_POST
def mark_read(request, uuid):
    notification = _get_own_notification(request, uuid)
    services.notification_mark_read(notification=notification)
    if request.htmx:
        # The item, and the navigation's unread count swapped out of band.
        return render(
            request, "notifications/_item.html", {"notification": notification, "oob": True}
        )
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.notification_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    # Only the kinds that can reach this person in the roles they hold.
    kinds = kinds_for_roles(request.viewer.roles)
    if request.method == "POST":
        form = PreferencesForm(request.POST, kinds=kinds)
        if form.is_valid():
            services.preferences_update(user=request.user, offered_kinds=kinds, **form.cleaned_data)
            messages.success(request, _("Your notification settings have been saved."))
            return redirect("notifications:preferences")
    else:
        current = selectors.preferences_for(user=request.user)
        form = PreferencesForm(initial=PreferencesForm.initial_from(current), kinds=kinds)
    return render(request, "notifications/preferences.html", {"form": form})


# Mail providers send the one-click POST (RFC 8058) without cookies or a CSRF token; the
# signed token in the URL is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows what the link will do and a button; POST (the button, or the mail
    provider's one-click) switches the kind off. Works logged out."""
    parsed = read_token(token)
    user = None
    if parsed is not None:
        user = selectors.active_user_by_uuid(parsed[0])
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    kind = parsed[1]
    context = {"kind_label": Kind(kind).label, "email": user.email}
    if request.method == "POST":
        changed = services.preferences_unsubscribe(user=user, kind=kind)
        context.update(done=True, already=not changed)
    return render(request, "notifications/unsubscribe.html", context)
