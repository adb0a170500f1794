"""Program admin pages: the list of one's programs, create and edit, the dashboard with its CSV
export, the member list, invitations, matching and manual pairing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import require, require_found
from core.csvsafe import csv_response
from goals.selectors import goal_health_distribution

from .. import policy, selectors, services
from ..forms import (
    InvitationForm,
    MemberFilterForm,
    MemberForm,
    MemberRemoveForm,
    PairingForm,
    ProgramForm,
    show_service_error,
)
from ..models import role_in_sentence
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
            "meeting_rows": display.meeting_rows(
                dashboard.active_pairings, dashboard.below_meeting_rule, dashboard.meeting_months
            ),
            "meeting_months": display.month_labels(dashboard.meeting_months),
            "unpaired_rows": display.unpaired_rows(program, dashboard.unpaired),
            # Goal health (on track / at risk / off track counts of active goals).
            "goal_health": goal_health_distribution(program),
            # A new program's setup checklist, from the counts above (no query).
            "setup_checklist": selectors.program_setup_checklist(dashboard),
        },
    )


@login_required
@require_GET
def program_export_pairings(request, program_uuid):
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    return csv_response(
        _export_name(program, "pairings"),
        selectors.PAIRING_EXPORT_COLUMNS,
        selectors.pairings_export_rows(program),
    )


def _export_name(program, what: str) -> str:
    return f"{program.slug}-{what}-{timezone.localdate().isoformat()}.csv"


@login_required
@require_GET
def program_export_members(request, program_uuid):
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    return csv_response(
        _export_name(program, "members"),
        selectors.MEMBER_EXPORT_COLUMNS,
        selectors.members_export_rows(program),
    )


@login_required
@require_GET
def program_export_checkins(request, program_uuid):
    """When each pair met (dates only: what was said stays with the pair)."""
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    return csv_response(
        _export_name(program, "checkins"),
        selectors.CHECKIN_EXPORT_COLUMNS,
        selectors.checkins_export_rows(program),
    )


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
        joined_from=filters.get("joined_from"),
        joined_to=filters.get("joined_to"),
        matched=filters.get("matched", ""),
    )
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "mentorship/member_list.html",
        {"program": program, "form": form, "page": page, "query": query.urlencode()},
    )


def _member_page(request, program, membership, form, remove_form, status=200):
    return render(
        request,
        "mentorship/member_detail.html",
        {
            "program": program,
            "member": membership,
            "form": form,
            "remove_form": remove_form,
            "open_pairings": selectors.member_open_pairings(membership),
            "history": selectors.member_history(program, membership.user_id),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_detail(request, program_uuid, membership_uuid):
    """One member, for the program's admins: correct role, capacity, skills and interests;
    the open pairings a removal would end; what admins changed before."""
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    membership = selectors.member_of_program(program, membership_uuid)
    require_found(membership is not None)
    initial = {
        "role": membership.role,
        "capacity": membership.capacity,
        "skills": membership.skills,
        "interests": membership.interests,
    }
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.membership_update(
                    membership=membership, by=request.user, **form.cleaned_data
                )
            except services.MentorshipError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(name)s's membership was saved.") % {"name": membership.user.display_name},
                )
                return redirect("mentorship:member_detail", program.uuid, membership.uuid)
        return _member_page(request, program, membership, form, MemberRemoveForm(), status=400)
    return _member_page(request, program, membership, form, MemberRemoveForm())


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request, program_uuid, membership_uuid):
    """GET: what a removal does, and the reason to give (the page without JavaScript's
    confirmation). POST: remove the member."""
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    membership = selectors.member_of_program(program, membership_uuid)
    require_found(membership is not None)
    form = MemberRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ended = services.membership_remove(
                membership=membership, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.MentorshipError as error:
            form.add_error(None, error.message)
        else:
            text = _("%(name)s is no longer a %(role)s in this program.") % {
                "name": membership.user.display_name,
                "role": role_in_sentence(membership.role),
            }
            if ended:
                text += " " + ngettext(
                    "%(n)s open pairing was ended.", "%(n)s open pairings were ended.", ended
                ) % {"n": ended}
            messages.success(request, text)
            return redirect("mentorship:member_list", program.uuid)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "mentorship/member_remove.html",
        {
            "program": program,
            "member": membership,
            "remove_form": form,
            "open_pairings": selectors.member_open_pairings(membership),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_invite(request, program_uuid):
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                program=program,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                message=form.cleaned_data["message"],
                invited_by=request.user,
            )
        except services.MentorshipError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, _sent_message(invitation))
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


def _sent_message(invitation) -> str:
    if invitation.sent_count > 1:
        return _(
            "%(email)s was invited already: the invitation was sent again with a new link "
            "(the earlier one no longer works), valid for 14 days."
        ) % {"email": invitation.email}
    return _("Invitation sent to %(email)s. The link works once, for 14 days.") % {
        "email": invitation.email
    }


@login_required
@require_POST
def invitation_resend(request, program_uuid, invitation_uuid):
    """Send a waiting invitation again (a reminder, or after it expired)."""
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    invitation = selectors.invitation_of_program(program, invitation_uuid)
    require_found(invitation is not None)
    try:
        invitation, _token = services.invitation_resend(invitation=invitation, by=request.user)
    except services.MentorshipError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _sent_message(invitation))
    return redirect("mentorship:program_invite", program.uuid)


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
    terms = selectors.mentee_match_terms(mentee_membership)
    return render(
        request,
        "mentorship/match.html",
        {
            "program": program,
            "mentee": mentee_membership,
            "terms": terms,
            "suggestions": selectors.mentor_suggestions(program, mentee_membership, terms=terms),
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
                    "mentor": pairing.mentor_name,
                    "mentee": pairing.mentee_name,
                },
            )
            return redirect("mentorship:pairing_detail", pairing.uuid)
    return render(
        request,
        "mentorship/pairing_form.html",
        {"program": program, "form": form},
    )
