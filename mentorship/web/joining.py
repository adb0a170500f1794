"""Joining a program on one's own: the programs open to applications, applying, withdrawing;
the program admins' queue of applications to approve or decline; and the first-steps
checklists (a member's on their dashboard, the program's setup on its dashboard)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import policy, selectors, services
from ..forms import ApplicationForm, CapacityForm, DeclineForm, show_service_error
from ..models import JoinPolicy, Role, role_in_sentence

QUEUE_PAGE_SIZE = 50


def _role_word(role: str) -> str:
    return role_in_sentence(role)


@login_required
@require_GET
def join_list(request):
    """The programs a signed-in person may apply to (never an invite-only one), what they
    applied for, and, for someone in no program yet, where to start. Three queries beyond
    the viewer's: the programs, the person's applications, their invitations waiting."""
    rows = selectors.joinable_programs(request.viewer)
    for row in rows:
        row.role_words = [_role_word(role) for role in sorted(row.roles) if role != Role.ADMIN]
        row.pending_word = _role_word(row.pending_role) if row.pending_role else ""
        row.apply_url = reverse("mentorship:join_apply", args=[row.program.uuid])
    applications = selectors.applications_of(request.viewer)
    for application in applications:
        application.role_word = _role_word(application.role)
    return render(
        request,
        "mentorship/join_list.html",
        {
            "rows": rows,
            "applications": applications,
            "in_no_program": not request.viewer.roles,
            "invitations_waiting": selectors.invitations_waiting_for(request.viewer).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def join_apply(request, program_uuid):
    """Apply to one program open to applications: role, what one hopes for, skills and
    interests. An open program makes the person a member at once; one open with approval
    puts the application in its admins' queue. 404 for an invite-only or inactive program."""
    program = policy.get_joinable_program(request.viewer, program_uuid)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                program=program, user=request.user, **form.cleaned_data
            )
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            request.viewer.forget()
            words = {"program": program.name, "role": _role_word(application.role)}
            if application.is_pending:
                messages.success(
                    request,
                    _(
                        "Your application to %(program)s is sent. Its admins decide; you are "
                        "told by e-mail and in your inbox."
                    )
                    % words,
                )
                return redirect("mentorship:join_list")
            messages.success(request, _("Welcome to %(program)s: you are a %(role)s.") % words)
            return redirect("home")
    return render(
        request,
        "mentorship/join_apply.html",
        {
            "program": program,
            "form": form,
            "needs_approval": program.join_policy == JoinPolicy.APPROVAL,
        },
    )


@login_required
@require_POST
def application_withdraw(request, application_uuid):
    """The applicant takes back an application still waiting; 404 for anyone else's."""
    application = policy.get_own_application(request.viewer, application_uuid)
    try:
        services.application_withdraw(application=application, user=request.user)
    except services.MentorshipError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Your application to %(program)s is withdrawn.")
            % {"program": application.program.name},
        )
    return redirect("mentorship:join_list")


@login_required
@require_GET
def application_queue(request, program_uuid):
    """The program's applications waiting for a decision, oldest first, each with approve and
    decline (with an optional reason); the latest decisions under them. The heading's count
    is the list's own (the dashboard's link counts the same rows)."""
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    page = Paginator(selectors.application_queue(program), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for application in page.object_list:
        application.role_word = _role_word(application.role)
    decided = selectors.recent_decisions(program)
    for application in decided:
        application.role_word = _role_word(application.role)
    return render(
        request,
        "mentorship/application_queue.html",
        {
            "program": program,
            "page": page,
            "applications": page.object_list,
            "decided": decided,
            "decline_form": DeclineForm(),
        },
    )


@login_required
@require_POST
def application_decide(request, program_uuid, application_uuid):
    """Approve (`decision=approve`) or decline (`decision=decline`, optional `reason`) one
    application. Of two admins deciding at once, the second is told who decided first."""
    application = policy.get_application_for_admin(request.viewer, program_uuid, application_uuid)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        return HttpResponseBadRequest(_("Choose to approve or to decline the application."))
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The reason is longer than 500 characters."))
    program = application.program
    try:
        services.application_decide(
            application=application,
            by=request.user,
            approve=decision == "approve",
            reason=form.cleaned_data["reason"],
        )
    except services.MentorshipError as error:
        messages.error(request, error.message)
    else:
        words = {
            "name": application.user.display_name,
            "program": program.name,
            "role": _role_word(application.role),
        }
        if decision == "approve":
            messages.success(request, _("%(name)s is now a %(role)s in %(program)s.") % words)
        else:
            messages.success(request, _("%(name)s's application was declined.") % words)
    return redirect("mentorship:application_queue", program.uuid)


def _back(request, default: str) -> str:
    """Where a dismiss button sends the person back to: the page it was on."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_POST
def checklist_dismiss(request, membership_uuid):
    """The member closes the first-steps checklist of one membership; 404 for anyone else."""
    membership = policy.get_own_membership(request.viewer, membership_uuid)
    services.membership_checklist_dismiss(membership=membership)
    messages.success(request, _("Checklist closed."))
    default = (
        reverse("goals:mentor_dashboard")
        if membership.role == Role.MENTOR
        else reverse("goals:mentee_dashboard")
    )
    return redirect(_back(request, default))


@login_required
@require_http_methods(["GET", "POST"])
def my_capacity(request, membership_uuid):
    """A mentor chooses how many mentees they take at once in one program (their own
    mentor membership only; 404 for anyone else, the program's admins included: they
    correct it on the member's page)."""
    membership = policy.get_own_membership(request.viewer, membership_uuid, role=Role.MENTOR)
    form = CapacityForm(request.POST or None, initial={"capacity": membership.capacity})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_capacity_set(
                membership=membership, capacity=form.cleaned_data["capacity"]
            )
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                _("Your capacity in %(program)s is saved.") % {"program": membership.program.name},
            )
            return redirect("goals:mentor_dashboard")
    return render(request, "mentorship/my_capacity.html", {"membership": membership, "form": form})


@login_required
@require_POST
def program_setup_dismiss(request, program_uuid):
    """An admin closes the program's setup checklist (403 for its members, 404 for others)."""
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    services.program_setup_dismiss(program=program)
    messages.success(request, _("Setup checklist closed."))
    return redirect("mentorship:program_dashboard", program.uuid)
