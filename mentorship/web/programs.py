"""Program admin pages: the list of one's programs, create and edit, the dashboard with its CSV
export, the member list, invitations, matching and manual pairing."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import require, require_found
from core.csvsafe import csv_cell
from goals.selectors import goal_health_distribution

from .. import policy, selectors, services
from ..forms import (
    InvitationForm,
    MemberFilterForm,
    PairingForm,
    ProgramForm,
    show_service_error,
)
from . import display

MEMBERS_PER_PAGE = 25


@login_required
@require_GET
def program_list(request):
    """The program admin's landing page."""
    return render(
        request,
        "mentorship/program_list.html",
        {
            "programs": selectors.programs_for_admin(request.viewer),
            "can_create": policy.can_create_program(request.viewer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_create(request):
    require(policy.can_create_program(request.viewer))
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(created_by=request.user, **form.cleaned_data)
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Program “%(name)s” created.") % {"name": program.name})
            return redirect("mentorship:program_dashboard", program.uuid)
    return render(request, "mentorship/program_form.html", {"form": form, "program": None})


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request, program_uuid):
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    form = ProgramForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(program=program, **form.cleaned_data)
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Program settings saved."))
            return redirect("mentorship:program_dashboard", program.uuid)
    return render(request, "mentorship/program_form.html", {"form": form, "program": program})


@login_required
@require_GET
def program_dashboard(request, program_uuid):
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    dashboard = selectors.program_dashboard(program)
    return render(
        request,
        "mentorship/program_dashboard.html",
        {
            "program": program,
            "dashboard": dashboard,
            # Each row's link, names, status and dates, prepared once for the whole page.
            "open_rows": display.open_pairing_rows(dashboard.active_pairings),
            "stalled_rows": display.stalled_rows(dashboard.stalled),
            "unpaired_rows": display.unpaired_rows(program, dashboard.unpaired),
            # Goal health (on track / at risk / off track counts of active goals).
            "goal_health": goal_health_distribution(program),
        },
    )


@login_required
@require_GET
def program_export_pairings(request, program_uuid):
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{program.slug}-pairings-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(selectors.PAIRING_EXPORT_COLUMNS)
    for row in selectors.pairings_export_rows(program):
        writer.writerow([csv_cell(v) for v in row])
    return response


@login_required
@require_GET
def member_list(request, program_uuid):
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    form = MemberFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    members = selectors.member_list(
        program,
        query=filters.get("q", ""),
        role=filters.get("role", ""),
        paired=filters.get("paired", ""),
    )
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "mentorship/member_list.html",
        {"program": program, "form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_invite(request, program_uuid):
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                program=program,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except services.MentorshipError as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works once, for 14 days.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("mentorship:program_invite", program.uuid)
    return render(
        request,
        "mentorship/invite.html",
        {
            "program": program,
            "form": form,
            "invitations": selectors.pending_invitations(program)[:100],
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def invitation_revoke(request, program_uuid, invitation_uuid):
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    invitation = selectors.invitation_of_program(program, invitation_uuid)
    require_found(invitation is not None)
    services.invitation_revoke(invitation=invitation)
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return redirect("mentorship:program_invite", program.uuid)


@login_required
@require_GET
def program_match(request, program_uuid, membership_uuid):
    """Ranked mentors for one unpaired mentee, with the reasons, each one click to pair."""
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    mentee_membership = selectors.mentee_membership_for_match(program, membership_uuid)
    require_found(mentee_membership is not None)
    return render(
        request,
        "mentorship/match.html",
        {
            "program": program,
            "mentee": mentee_membership,
            "terms": selectors.mentee_match_terms(mentee_membership),
            "suggestions": selectors.mentor_suggestions(program, mentee_membership),
            "open_pairing": selectors.open_pairing_of_mentee(program, mentee_membership.user_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pairing_new(request, program_uuid):
    """Pair by hand, or from a suggestion's one-click button (which posts this form)."""
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    initial = {}
    if request.method == "GET":
        initial = {k: request.GET[k] for k in ("mentor", "mentee") if request.GET.get(k)}
    form = PairingForm(request.POST or None, program=program, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pairing = services.pairing_create(
                program=program,
                mentor=form.cleaned_data["mentor"],
                mentee=form.cleaned_data["mentee"],
                by=request.user,
            )
        except services.MentorshipDuplicate as error:
            messages.info(request, error.message)
            return redirect("mentorship:pairing_detail", error.existing.uuid)
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(mentor)s and %(mentee)s are paired. Both are asked to accept the agreement.")
                % {
                    "mentor": pairing.mentor.display_name,
                    "mentee": pairing.mentee.display_name,
                },
            )
            return redirect("mentorship:pairing_detail", pairing.uuid)
    return render(
        request,
        "mentorship/pairing_form.html",
        {"program": program, "form": form},
    )
