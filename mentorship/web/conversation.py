"""The pair's conversation: the thread (newest at the bottom, older messages a page at a time),
writing, correcting and taking back one's own messages, and the small poll that brings the
other side's new messages in without a reload (htmx).

Only the mentor and the mentee of the pairing see any of it (404 for everyone else, the
program's admins included); once the pairing is over it is read-only.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import policy, selectors, services
from ..forms import MessageEditForm, MessageForm, show_service_error
from .pairings import asks_confirmation

# The poll's interval; a custom event (sent after one's own message) polls at once.
POLL_TRIGGER = "every 3s, conversation-changed from:body"


def _uuid_param(value):
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _thread_url(pairing, message=None) -> str:
    url = reverse("mentorship:pairing_conversation", args=[pairing.uuid])
    return f"{url}#message-{message.uuid}" if message is not None else url


def _read(request, access, page) -> None:
    """Mark what the page shows as read, when some of it was new."""
    if page.newest is None or not any(row.is_new for row in page.rows):
        return
    services.conversation_mark_read(pairing=access.pairing, user=request.user, up_to=page.newest)
    selectors.viewer_read_conversation(request.viewer, access.pairing.pk)


def _render(request, access, *, form=None, status=200, refused=None):
    pairing = access.pairing
    before = _uuid_param(request.GET.get("before"))
    page = selectors.conversation_page(pairing, viewer_or_user=request.viewer, before=before)
    can_post = policy.can_post_message(access)
    fragment = before is not None and request.htmx  # "show earlier": the rows only
    if can_post and form is None and not fragment:
        form = MessageForm(
            references=selectors.conversation_references(pairing),
            meetings=selectors.conversation_meetings(pairing),
        )
    if status == 200:  # a refused or rejected post changes nothing, read marks included
        _read(request, access, page)
    context = {
        "pairing": pairing,
        "access": access,
        "page": page,
        "can_post": can_post,
        "closed_reason": policy.conversation_closed_reason(pairing),
        "refused": refused,
        "form": form,
        "other": pairing.mentee if access.role == policy.MENTOR else pairing.mentor,
        "poll_trigger": POLL_TRIGGER,
        "showing_earlier": before is not None,
    }
    if fragment:
        return render(request, "mentorship/_conversation_earlier.html", context, status=status)
    return render(request, "mentorship/conversation.html", context, status=status)


@login_required
@require_GET
def conversation(request, pairing_uuid):
    access = policy.conversation_access(request.viewer, pairing_uuid)
    return _render(request, access)


@login_required
@require_GET
def conversation_new(request, pairing_uuid):
    """The messages after `?after=<uuid>` (all of the latest page without it), for the poll:
    204 when there are none, else the new rows and the poll again, asking after the newest."""
    access = policy.conversation_access(request.viewer, pairing_uuid)
    after = _uuid_param(request.GET.get("after"))
    page = selectors.conversation_page(access.pairing, viewer_or_user=request.viewer, after=after)
    if not page.rows:
        return HttpResponse(status=204)
    _read(request, access, page)
    return render(
        request,
        "mentorship/_conversation_new.html",
        {
            "pairing": access.pairing,
            "page": page,
            "can_post": policy.can_post_message(access),
            "poll_trigger": POLL_TRIGGER,
        },
    )


@login_required
@require_POST
def message_post(request, pairing_uuid):
    access = policy.conversation_access(request.viewer, pairing_uuid)
    pairing = access.pairing
    reason = policy.conversation_closed_reason(pairing)
    if reason is not None:
        if request.htmx:
            return HttpResponse(reason, status=409)
        return _render(request, access, status=409, refused=reason)
    references = selectors.conversation_references(pairing)
    meetings = selectors.conversation_meetings(pairing)
    form = MessageForm(request.POST, references=references, meetings=meetings)
    if form.is_valid():
        goal, milestone, meeting = selectors.conversation_reference(
            pairing, form.cleaned_data.get("about", "")
        )
        try:
            message = services.message_post(
                pairing=pairing,
                author=request.user,
                body=form.cleaned_data["body"],
                goal=goal,
                milestone=milestone,
                meeting=meeting,
            )
        except services.MentorshipDuplicate as error:
            message = error.existing
        except services.MentorshipError as error:
            show_service_error(form, error)
            message = None
        if message is not None:
            if request.htmx:
                response = render(
                    request,
                    "mentorship/_message_form.html",
                    {
                        "pairing": pairing,
                        "form": MessageForm(references=references, meetings=meetings),
                    },
                )
                response["HX-Trigger"] = "conversation-changed"
                return response
            return redirect(_thread_url(pairing, message))
    if request.htmx:
        return render(request, "mentorship/_message_form.html", {"pairing": pairing, "form": form})
    return _render(request, access, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def message_edit(request, pairing_uuid, message_uuid):
    access, message = policy.message_for_author(request.viewer, pairing_uuid, message_uuid)
    form = MessageEditForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.message_edit(message=message, by=request.user, body=form.cleaned_data["body"])
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Message corrected."))
            return redirect(_thread_url(access.pairing, message))
    return render(
        request,
        "mentorship/message_edit.html",
        {"pairing": access.pairing, "message": message, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def message_delete(request, pairing_uuid, message_uuid):
    access, message = policy.message_for_author(request.viewer, pairing_uuid, message_uuid)
    if asks_confirmation(request):
        return render(
            request,
            "mentorship/confirm.html",
            {
                "title": _("Delete this message?"),
                "text": _(
                    "Its text leaves the conversation; the thread shows that a message was deleted."
                ),
                "action": reverse(
                    "mentorship:message_delete", args=[access.pairing.uuid, message.uuid]
                ),
                "button": _("Delete the message"),
                "cancel": _thread_url(access.pairing, message),
                "fields": {},
            },
        )
    try:
        services.message_delete(message=message, by=request.user)
    except services.MentorshipError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Message deleted."))
    return redirect(_thread_url(access.pairing, message))
