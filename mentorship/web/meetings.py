"""A pair's meetings: propose times, pick one or propose others, cancel; the shared agenda;
log the meeting afterwards (it becomes the check-in) with its action items; tick action
items off. Only the two people of the pairing reach these pages (404 for everyone else,
the program's admins included); they change things while the pairing is active (403 when
it is paused or over)."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import require

from .. import meetings, policy, selectors, services
from ..forms import (
    AgendaItemForm,
    MeetingLogForm,
    MeetingPickForm,
    MeetingTimesForm,
    show_service_error,
)
from ..models import MeetingStatus


def _to_meeting(pairing, meeting, anchor: str = ""):
    url = reverse("mentorship:meeting_detail", args=[pairing.uuid, meeting.uuid])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _local_default(day, hour: int = 17):
    """A starting value for a time field: `day` at `hour` on the person's clock."""
    return timezone.make_aware(
        datetime(day.year, day.month, day.day, hour), timezone.get_current_timezone()
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request, pairing_uuid):
    access = policy.pairing_for_pair(request.viewer, pairing_uuid)
    require(policy.can_arrange(access))
    pairing = access.pairing
    suggested = meetings.next_meeting_suggested_on(pairing)
    form = MeetingTimesForm(
        request.POST or None, initial={"time_1": _local_default(suggested), "duration": 45}
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meetings.meeting_propose(
                pairing=pairing,
                by=request.user,
                candidate_times=form.cleaned_data["candidate_times"],
                duration=form.cleaned_data["duration"],
                location=form.cleaned_data["location"],
            )
        except services.MentorshipDuplicate as error:
            messages.info(request, error.message)
            return _to_meeting(pairing, error.existing)
        except meetings.MeetingError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                _("Meeting proposed: %(name)s picks a time.")
                % {"name": _other_name(pairing, request.user)},
            )
            return _to_meeting(pairing, meeting)
    return render(
        request,
        "mentorship/meeting_form.html",
        {
            "pairing": pairing,
            "form": form,
            "suggested": suggested,
            "after_log": request.GET.get("after") == "log",
            "title": _("Schedule the next meeting")
            if request.GET.get("after") == "log"
            else _("Propose a meeting"),
        },
    )


def _other_name(pairing, user) -> str:
    return pairing.mentee_name if pairing.mentor_id == user.pk else pairing.mentor_name


def _other(pairing, user):
    return pairing.mentee if pairing.mentor_id == user.pk else pairing.mentor


@login_required
@require_GET
def meeting_detail(request, pairing_uuid, meeting_uuid):
    access, meeting = policy.meeting_access(request.viewer, pairing_uuid, meeting_uuid)
    return _render_meeting(request, access, meeting)


def _render_meeting(request, access, meeting, status: int = 200, **forms):
    pairing = access.pairing
    page = selectors.meeting_page(meeting)
    other = _other(pairing, request.user)
    can_arrange = policy.can_arrange(access)
    candidates = [
        {
            "value": moment.isoformat(),
            "yours": meetings.format_in_zone(moment, request.user),
            "theirs": meetings.format_in_zone(moment, other) if other else "",
            "past": moment <= timezone.now(),
        }
        for moment in meetings.candidate_datetimes(meeting)
    ]
    loggable = can_arrange and meetings.meeting_is_loggable(meeting)
    context = {
        "pairing": pairing,
        "meeting": meeting,
        "page": page,
        "access": access,
        "can_arrange": can_arrange,
        "other": other,
        "other_name": _other_name(pairing, request.user),
        "candidates": candidates,
        "can_pick": can_arrange
        and meeting.status == MeetingStatus.PROPOSED
        and meeting.proposed_by_id != request.user.pk,
        "when_yours": meetings.format_in_zone(meeting.starts_at, request.user)
        if meeting.starts_at
        else "",
        "when_theirs": meetings.format_in_zone(meeting.starts_at, other)
        if meeting.starts_at and other
        else "",
        "agenda_open": can_arrange and meeting.is_upcoming,
        "agenda_form": forms.get("agenda_form") or AgendaItemForm(),
        "loggable": loggable,
        "today": timezone.localdate(),
    }
    return render(request, "mentorship/meeting_detail.html", context, status=status)


@login_required
@require_POST
def meeting_pick(request, pairing_uuid, meeting_uuid):
    access, meeting = policy.meeting_access(request.viewer, pairing_uuid, meeting_uuid)
    require(policy.can_arrange(access))
    form = MeetingPickForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pick one of the proposed times."))
        return _to_meeting(access.pairing, meeting)
    try:
        meetings.meeting_pick(
            meeting=meeting, by=request.user, starts_at=form.cleaned_data["starts_at"]
        )
    except meetings.MeetingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Meeting confirmed: you both get a calendar invitation by e-mail.")
        )
    return _to_meeting(access.pairing, meeting)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_counter(request, pairing_uuid, meeting_uuid):
    access, meeting = policy.meeting_access(request.viewer, pairing_uuid, meeting_uuid)
    require(policy.can_arrange(access) and meeting.is_upcoming)
    form = MeetingTimesForm(
        request.POST or None,
        initial={"duration": meeting.duration, "location": meeting.location},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meetings.meeting_counter(
                meeting=meeting,
                by=request.user,
                candidate_times=form.cleaned_data["candidate_times"],
                duration=form.cleaned_data["duration"],
                location=form.cleaned_data["location"],
            )
        except meetings.MeetingError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                _("Other times proposed: %(name)s picks one.")
                % {"name": _other_name(access.pairing, request.user)},
            )
            return _to_meeting(access.pairing, meeting)
    return render(
        request,
        "mentorship/meeting_form.html",
        {
            "pairing": access.pairing,
            "meeting": meeting,
            "form": form,
            "title": _("Move the meeting")
            if meeting.status == MeetingStatus.CONFIRMED
            else _("Propose other times"),
        },
    )


@login_required
@require_POST
def meeting_cancel(request, pairing_uuid, meeting_uuid):
    access, meeting = policy.meeting_access(request.viewer, pairing_uuid, meeting_uuid)
    require(policy.can_arrange(access))
    try:
        meetings.meeting_cancel(meeting=meeting, by=request.user)
    except meetings.MeetingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Meeting cancelled; both calendars are told."))
    return _to_meeting(access.pairing, meeting)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_log(request, pairing_uuid, meeting_uuid):
    access, meeting = policy.meeting_access(request.viewer, pairing_uuid, meeting_uuid)
    require(policy.can_arrange(access) and meetings.meeting_is_loggable(meeting))
    pairing = access.pairing
    page = selectors.meeting_page(meeting)
    initial = {
        "occurred_on": timezone.localtime(meeting.starts_at).date(),
        "summary": meetings.agenda_as_summary(
            [item.text for item in page.agenda], [item.title for item in page.open_actions]
        ),
    }
    form = MeetingLogForm(request.POST or None, initial=initial, pairing=pairing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meetings.meeting_log(
                meeting=meeting,
                by=request.user,
                occurred_on=data["occurred_on"],
                summary=data["summary"],
                next_steps=data["next_steps"],
                action_items=data["action_items"],
            )
        except meetings.MeetingError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Meeting logged. Schedule the next one?"))
            url = reverse("mentorship:meeting_new", args=[pairing.uuid])
            return redirect(f"{url}?after=log")
    return render(
        request,
        "mentorship/meeting_log.html",
        {"pairing": pairing, "meeting": meeting, "form": form, "page": page},
    )


@login_required
@require_POST
def agenda_add(request, pairing_uuid, meeting_uuid):
    access, meeting = policy.meeting_access(request.viewer, pairing_uuid, meeting_uuid)
    require(policy.can_arrange(access))
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            meetings.agenda_add(meeting=meeting, by=request.user, text=form.cleaned_data["text"])
        except meetings.MeetingError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Added to the agenda."))
            return _to_meeting(access.pairing, meeting, "agenda")
    return _render_meeting(request, access, meeting, agenda_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def agenda_edit(request, pairing_uuid, meeting_uuid, item_uuid):
    access, item = policy.agenda_item_access(request.viewer, pairing_uuid, meeting_uuid, item_uuid)
    form = AgendaItemForm(request.POST or None, initial={"text": item.text})
    if request.method == "POST" and form.is_valid():
        try:
            meetings.agenda_update(item=item, by=request.user, text=form.cleaned_data["text"])
        except meetings.MeetingError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Agenda point saved."))
            return _to_meeting(access.pairing, item.meeting, "agenda")
    return render(
        request,
        "mentorship/agenda_item_form.html",
        {"pairing": access.pairing, "meeting": item.meeting, "item": item, "form": form},
    )


@login_required
@require_POST
def agenda_delete(request, pairing_uuid, meeting_uuid, item_uuid):
    access, item = policy.agenda_item_access(request.viewer, pairing_uuid, meeting_uuid, item_uuid)
    try:
        meetings.agenda_remove(item=item, by=request.user)
    except meetings.MeetingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Removed from the agenda."))
    return _to_meeting(access.pairing, item.meeting, "agenda")


@login_required
@require_POST
def action_item_tick(request, pairing_uuid, item_uuid):
    access, item = policy.action_item_access(request.viewer, pairing_uuid, item_uuid)
    done = request.POST.get("done", "1") != "0"
    try:
        meetings.action_item_set_done(item=item, by=request.user, done=done)
    except meetings.MeetingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Action item done.") if done else _("Action item open again."))
    back = request.POST.get("next", "")
    # Only a page of this pairing: never an address from elsewhere.
    if back.startswith(f"/pairings/{access.pairing.uuid}/") and "//" not in back:
        return redirect(back)
    url = reverse("mentorship:pairing_detail", args=[access.pairing.uuid])
    return redirect(f"{url}#actions")
