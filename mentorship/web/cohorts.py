"""The program admins' cohort pages: end this cohort (what it does, then done), and start
the next one from it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from .. import cohorts, policy, selectors, services
from ..forms import CohortEndForm, NextCohortForm, show_service_error


@login_required
@require_http_methods(["GET", "POST"])
def program_end(request, program_uuid):
    """GET: what ending the cohort does, counted, with the reason to give. POST: end it.
    An ended program's page says so and offers the next cohort instead."""
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    # Bound on every POST, an empty one too: it is then an error to show, not a blank form.
    data = request.POST if request.method == "POST" else None
    form = CohortEndForm(data, initial={"reason": _(cohorts.COHORT_ENDED_REASON)})
    if request.method == "POST" and not program.is_ended and form.is_valid():
        try:
            done = cohorts.program_end(
                program=program, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _ended_message(program, done))
            return redirect("mentorship:program_dashboard", program.uuid)
    if request.method == "POST" and program.is_ended:
        # Ended already (another admin, a second click): nothing more to do.
        messages.info(request, _("This cohort has ended already; nothing was changed."))
        return redirect("mentorship:program_dashboard", program.uuid)
    return render(
        request,
        "mentorship/cohort_end.html",
        {
            "program": program,
            "form": form,
            "preview": None if program.is_ended else selectors.cohort_end_preview(program),
        },
        status=400 if request.method == "POST" else 200,
    )


def _ended_message(program, done: cohorts.CohortEnded) -> str:
    text = _("%(program)s has ended.") % {"program": program.name}
    text += " " + ngettext(
        "%(n)s open pairing was closed.", "%(n)s open pairings were closed.", done.pairings
    ) % {"n": done.pairings}
    withdrawn = done.mentor_requests + done.invitations + done.applications
    if withdrawn:
        text += " " + ngettext(
            "%(n)s request, invitation or application waiting for an answer was withdrawn.",
            "%(n)s requests, invitations and applications waiting for an answer were withdrawn.",
            withdrawn,
        ) % {"n": withdrawn}
    return text


@login_required
@require_http_methods(["GET", "POST"])
def program_next_cohort(request, program_uuid):
    """GET: the next cohort's name, short name and dates (proposed), and who comes along.
    POST: start it, and go to its dashboard. A cohort with a next one links to it."""
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    preview = selectors.next_cohort_preview(program)
    initial = cohorts.next_cohort_initial(program, taken_slugs=preview.taken_slugs)
    form = NextCohortForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and program.next_cohort_id is None and form.is_valid():
        try:
            started = cohorts.program_start_next(
                program=program, by=request.user, **form.cleaned_data
            )
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            text = _("%(new)s is ready: you run it.") % {"new": started.program.name}
            text += " " + ngettext(
                "%(n)s mentor of %(old)s was invited to join it.",
                "%(n)s mentors of %(old)s were invited to join it.",
                started.mentors_invited,
            ) % {"n": started.mentors_invited, "old": program.name}
            messages.success(request, text)
            return redirect("mentorship:program_dashboard", started.program.uuid)
    if request.method == "POST" and program.next_cohort_id is not None:
        form.is_valid()
        form.add_error(
            None, _("%(program)s has a next cohort already.") % {"program": program.name}
        )
    return render(
        request,
        "mentorship/cohort_next.html",
        {"program": program, "form": form, "preview": preview},
        status=400 if request.method == "POST" else 200,
    )
