"""The pairing page (both sides and the program's admins) and its actions, and the list of
one's own mentorships."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import profile_card
from core.access import require
from core.dates import written

from .. import policy, selectors, services
from ..forms import (
    AgreementForm,
    CheckInForm,
    EndForm,
    ReassignForm,
    show_service_error,
)
from ..models import PairingStatus


@login_required
@require_GET
def my_pairings(request):
    pairings = list(selectors.pairings_for_user(request.viewer))
    unread = selectors.unread_messages_by_pairing(request.viewer)
    for p in pairings:
        p.unread_messages = unread.get(p.pk, 0)
    return render(
        request,
        "mentorship/my_pairings.html",
        {
            "as_mentor": [p for p in pairings if p.mentor_id == request.user.pk],
            "as_mentee": [p for p in pairings if p.mentee_id == request.user.pk],
        },
    )


def _render_pairing(request, access: policy.PairingAccess, status: int = 200, **forms):
    pairing = access.pairing
    page = selectors.pairing_page(pairing, role=access.role, viewer=request.user)
    can_log = access.can_participate and pairing.status in (
        PairingStatus.ACTIVE,
        PairingStatus.PAUSED,
    )
    agreement = pairing.current_agreement
    # The other side's card for the pair; both for the program's admins.
    people = {"mentor": [pairing.mentee], "mentee": [pairing.mentor]}.get(
        access.role, [pairing.mentor, pairing.mentee]
    )
    cards = [
        profile_card(person, url=reverse("mentorship:person", args=[person.uuid]))
        for person in people
        if person is not None
    ]
    context = {
        "profile_cards": cards,
        "pairing": pairing,
        "agreement": agreement,
        "access": access,
        "page": page,
        "can_log": can_log,
        "can_arrange": policy.can_arrange(access),
        "checkin_form": forms.get("checkin_form") or (CheckInForm() if can_log else None),
        "end_form": forms.get("end_form") or (EndForm() if access.can_manage else None),
        "you_accepted": (access.role == "mentor" and agreement.mentor_accepted_at is not None)
        or (access.role == "mentee" and agreement.mentee_accepted_at is not None),
        "unread_messages": selectors.unread_messages_by_pairing(request.viewer).get(pairing.pk, 0)
        if access.is_participant
        else 0,
    }
    return render(request, "mentorship/pairing_detail.html", context, status=status)


@login_required
@require_GET
def pairing_detail(request, pairing_uuid):
    access = policy.pairing_access(request.viewer, pairing_uuid)
    return _render_pairing(request, access)


@login_required
@require_http_methods(["GET", "POST"])
def pairing_agreement(request, pairing_uuid):
    access = policy.pairing_access(request.viewer, pairing_uuid)
    require(access.can_participate)
    agreement = access.pairing.current_agreement
    form = AgreementForm(request.POST or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(pairing=access.pairing, by=request.user, **form.cleaned_data)
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request, _("Agreement saved. Both of you are asked to accept it again.")
            )
            return redirect("mentorship:pairing_detail", access.pairing.uuid)
    return render(
        request, "mentorship/agreement_form.html", {"pairing": access.pairing, "form": form}
    )


@login_required
@require_POST
def pairing_agreement_accept(request, pairing_uuid):
    access = policy.pairing_access(request.viewer, pairing_uuid)
    require(access.can_participate)
    try:
        pairing = services.pairing_accept_agreement(pairing=access.pairing, user=request.user)
    except services.MentorshipError as error:
        messages.error(request, error.message)
    else:
        if pairing.status == PairingStatus.ACTIVE and access.pairing.status != pairing.status:
            messages.success(request, _("Both of you accepted: the mentorship is active."))
        else:
            messages.success(request, _("You accepted the agreement."))
    return redirect("mentorship:pairing_detail", access.pairing.uuid)


@login_required
@require_POST
def pairing_checkin(request, pairing_uuid):
    access = policy.pairing_access(request.viewer, pairing_uuid)
    require(access.can_participate)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            services.checkin_log(pairing=access.pairing, by=request.user, **form.cleaned_data)
        except services.MentorshipDuplicate as error:
            messages.info(request, error.message)
            return _to_pairing(access.pairing, f"checkin-{error.existing.uuid}")
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Check-in logged."))
            return redirect("mentorship:pairing_detail", access.pairing.uuid)
    return _render_pairing(request, access, checkin_form=form)


def _to_pairing(pairing, anchor: str = ""):
    url = reverse("mentorship:pairing_detail", args=[pairing.uuid])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _confirm(request, *, title, text, action, button, cancel, fields=None):
    """The confirmation step of a deletion or an ending, for browsers without JavaScript
    (with it, the form's data-confirm asks) and for a link to the step itself."""
    return render(
        request,
        "mentorship/confirm.html",
        {
            "title": title,
            "text": text,
            "action": action,
            "button": button,
            "cancel": cancel,
            "fields": fields or {},
        },
    )


def asks_confirmation(request) -> bool:
    """A form posted from a browser without JavaScript carries "ask" (a <noscript> field):
    its confirmation step is a page."""
    return request.method == "GET" or request.POST.get("ask") == "1"


@login_required
@require_http_methods(["GET", "POST"])
def checkin_edit(request, pairing_uuid, checkin_uuid):
    access, checkin = policy.checkin_for_author(request.viewer, pairing_uuid, checkin_uuid)
    form = CheckInForm(request.POST or None, instance=checkin)
    if request.method == "POST" and form.is_valid():
        try:
            services.checkin_update(checkin=checkin, by=request.user, **form.cleaned_data)
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Check-in saved."))
            return _to_pairing(access.pairing, f"checkin-{checkin.uuid}")
    return render(
        request,
        "mentorship/checkin_form.html",
        {"pairing": access.pairing, "checkin": checkin, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def checkin_delete(request, pairing_uuid, checkin_uuid):
    access, checkin = policy.checkin_for_author(request.viewer, pairing_uuid, checkin_uuid)
    if asks_confirmation(request):
        return _confirm(
            request,
            title=_("Delete this check-in?"),
            text=_("The meeting of %(date)s leaves the pairing; the history says it was removed.")
            % {"date": written(checkin.occurred_on)},
            action=reverse("mentorship:checkin_delete", args=[access.pairing.uuid, checkin.uuid]),
            button=_("Delete the check-in"),
            cancel=reverse("mentorship:pairing_detail", args=[access.pairing.uuid]),
        )
    try:
        services.checkin_delete(checkin=checkin, by=request.user)
    except services.MentorshipError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Check-in deleted."))
    return _to_pairing(access.pairing, "checkins")


STATUS_ACTIONS = {
    "pause": (services.pairing_pause, _("The pairing is paused.")),
    "resume": (services.pairing_resume, _("The pairing is active again.")),
    "complete": (services.pairing_complete, _("The pairing is marked completed.")),
}


@login_required
@require_POST
def pairing_status(request, pairing_uuid, action):
    access = policy.pairing_access(request.viewer, pairing_uuid)
    require(access.can_manage)
    service, done = STATUS_ACTIONS[action]
    extra = {}
    if action == "pause":
        # PostgreSQL cannot store NUL characters in text (a 500 otherwise).
        extra["reason"] = request.POST.get("reason", "").replace("\x00", "").strip()[:500]
    try:
        service(pairing=access.pairing, by=request.user, **extra)
    except services.MentorshipError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, str(done))
    return redirect("mentorship:pairing_detail", access.pairing.uuid)


@login_required
@require_POST
def pairing_end(request, pairing_uuid):
    access = policy.pairing_access(request.viewer, pairing_uuid)
    require(access.can_manage)
    form = EndForm(request.POST)
    if form.is_valid() and asks_confirmation(request):
        return _confirm(
            request,
            title=_("End the pairing?"),
            text=_(
                "%(mentor)s and %(mentee)s stop meeting in this program; the pairing becomes "
                "read-only. Reason: %(reason)s"
            )
            % {**_names(access.pairing), "reason": form.cleaned_data["reason"]},
            action=reverse("mentorship:pairing_end", args=[access.pairing.uuid]),
            button=_("End the pairing"),
            cancel=reverse("mentorship:pairing_detail", args=[access.pairing.uuid]),
            fields={"reason": form.cleaned_data["reason"]},
        )
    if form.is_valid():
        try:
            services.pairing_end(
                pairing=access.pairing, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The pairing has ended."))
            return redirect("mentorship:pairing_detail", access.pairing.uuid)
    return _render_pairing(request, access, end_form=form)


def _names(pairing) -> dict:
    return {"mentor": pairing.mentor.display_name, "mentee": pairing.mentee.display_name}


@login_required
@require_http_methods(["GET", "POST"])
def pairing_reassign(request, pairing_uuid):
    access = policy.pairing_access(request.viewer, pairing_uuid)
    require(access.can_manage)
    form = ReassignForm(request.POST or None, pairing=access.pairing)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.pairing_reassign(
                pairing=access.pairing,
                new_mentor=form.cleaned_data["new_mentor"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                _("Reassigned: %(mentee)s now has %(mentor)s as mentor.")
                % {"mentee": new.mentee_name, "mentor": new.mentor_name},
            )
            return redirect("mentorship:pairing_detail", new.uuid)
    return render(
        request, "mentorship/reassign_form.html", {"pairing": access.pairing, "form": form}
    )
