"""Mentee choice: in a program where mentees choose, an unpaired mentee sees her best-matched
mentors and asks one; the mentor accepts (the pairing is made) or declines; the mentee may
withdraw a request still waiting; the program's admins see the requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import profile_card

from .. import policy, selectors, services
from ..forms import MentorRequestDeclineForm, MentorRequestForm, show_service_error
from ..models import OPEN_PAIRING_STATUSES


def _has_open_pairing(viewer, program_id: int) -> bool:
    """From the viewer's facts: no query."""
    return any(
        link.program_id == program_id and link.status in OPEN_PAIRING_STATUSES
        for link in viewer.as_mentee
    )


@login_required
@require_http_methods(["GET", "POST"])
def mentor_choose(request, program_uuid):
    """The mentee's top suggested mentors (profile cards and why they match), each one she
    may ask unless full, and her requests in the program. POST asks one. 404 for anyone
    who is not a mentee of the program."""
    membership = policy.get_own_mentee_membership(request.viewer, program_uuid)
    program = membership.program
    paired = _has_open_pairing(request.viewer, program.pk)
    requests_made = selectors.mentor_requests_of_mentee(membership)
    pending = next((r for r in requests_made if r.is_pending), None)
    choosing = program.mentees_choose and program.is_active and not paired
    choices = selectors.mentor_choices(membership) if choosing else []
    # Each suggested mentor's profile card (read with the suggestions: no query more).
    for choice in choices:
        user = choice.membership.user
        choice.card = profile_card(user, url=reverse("mentorship:person", args=[user.uuid]))
    askable = [
        (str(choice.membership.uuid), choice.membership.user.display_name)
        for choice in choices
        if choice.can_pair
    ]
    form = MentorRequestForm(request.POST or None, choices=askable)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            chosen = next(
                c.membership
                for c in choices
                if str(c.membership.uuid) == form.cleaned_data["mentor"]
            )
            try:
                mentor_request = services.mentor_request_create(
                    mentee_membership=membership,
                    mentor_membership=chosen,
                    message=form.cleaned_data["message"],
                )
            except services.MentorshipError as error:
                show_service_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Your request is sent to %(name)s, who has %(days)s days to answer. "
                        "You are told by e-mail and in your inbox."
                    )
                    % {"name": chosen.user.display_name, "days": program.request_expires_days},
                )
                return redirect("mentorship:mentor_request_detail", mentor_request.uuid)
        status = 400
    selected = form["mentor"].value() if form.is_bound else ""
    return render(
        request,
        "mentorship/mentor_choose.html",
        {
            "program": program,
            "membership": membership,
            "paired": paired,
            "choosing": choosing,
            "choices": choices,
            "selected": selected,
            "pending": pending,
            "requests_made": requests_made,
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def mentor_request_detail(request, request_uuid):
    """One request: the mentee's message and a summary of her goals (how many and in which
    categories: their content waits for an active pairing), its state, and the buttons of
    whoever may act (the mentor: accept, decline; the mentee: withdraw)."""
    access = policy.mentor_request_access(request.viewer, request_uuid)
    mentor_request = access.request
    # The other side's profile card (an admin sees both); read with the request.
    people = {
        "mentor": [mentor_request.mentee.user],
        "mentee": [mentor_request.mentor.user],
    }.get(access.role, [mentor_request.mentee.user, mentor_request.mentor.user])
    cards = [profile_card(u, url=reverse("mentorship:person", args=[u.uuid])) for u in people]
    return render(
        request,
        "mentorship/mentor_request_detail.html",
        {
            "access": access,
            "mentor_request": mentor_request,
            "cards": cards,
            "program": mentor_request.program,
            "summary": selectors.mentee_goals_summary(mentor_request.mentee.user_id),
            "mentor_load": selectors.mentor_load(mentor_request.mentor),
            "decline_form": MentorRequestDeclineForm(),
        },
    )


@login_required
@require_POST
def mentor_request_accept(request, request_uuid):
    """The mentor accepts: the pairing is made (proposed, both accept its agreement). A
    mentor whose last place went to another request meanwhile is told so."""
    access = policy.mentor_request_access(request.viewer, request_uuid)
    policy.require_mentor_of_request(access)
    try:
        pairing = services.mentor_request_accept(mentor_request=access.request, by=request.user)
    except services.MentorshipError as error:
        messages.error(request, error.message)
        return redirect("mentorship:mentor_request_detail", access.request.uuid)
    request.viewer.forget()
    messages.success(
        request,
        _(
            "You are now paired with %(name)s. Read the agreement and accept it; the mentorship "
            "starts once both of you have."
        )
        % {"name": pairing.mentee_name},
    )
    return redirect("mentorship:pairing_detail", pairing.uuid)


@login_required
@require_POST
def mentor_request_decline(request, request_uuid):
    """The mentor declines, with an optional reason sent to the mentee."""
    access = policy.mentor_request_access(request.viewer, request_uuid)
    policy.require_mentor_of_request(access)
    form = MentorRequestDeclineForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The reason is longer than 500 characters."))
    try:
        services.mentor_request_decline(
            mentor_request=access.request, by=request.user, reason=form.cleaned_data["reason"]
        )
    except services.MentorshipError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("You declined %(name)s's request; they are told.")
            % {"name": access.request.mentee.user.display_name},
        )
    return redirect("mentorship:mentor_request_detail", access.request.uuid)


@login_required
@require_POST
def mentor_request_withdraw(request, request_uuid):
    """The mentee takes back a request still waiting, and may then ask someone else."""
    access = policy.mentor_request_access(request.viewer, request_uuid)
    policy.require_mentee_of_request(access)
    try:
        services.mentor_request_withdraw(mentor_request=access.request, by=request.user)
    except services.MentorshipError as error:
        messages.error(request, error.message)
        return redirect("mentorship:mentor_request_detail", access.request.uuid)
    messages.success(request, _("Your request is withdrawn. You may ask another mentor."))
    return redirect("mentorship:mentor_choose", access.request.program.uuid)


@login_required
@require_GET
def program_mentor_requests(request, program_uuid):
    """The program admins' view of mentee choice: the requests waiting for a mentor's answer
    (oldest first, with when each lapses) and the latest outcomes. Admins can always pair
    by hand; that withdraws the mentee's waiting request."""
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    return render(
        request,
        "mentorship/program_mentor_requests.html",
        {
            "program": program,
            "pending": selectors.pending_mentor_requests(program),
            "recent": selectors.recent_mentor_requests(program),
        },
    )
