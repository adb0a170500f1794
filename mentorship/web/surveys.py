"""Surveys on a pairing: each side answers its own pulse and close-out surveys, corrects,
shares, unshares or deletes its answer (mentorship.policy: survey_to_answer,
survey_response_for_author)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import policy, services
from ..forms import SurveyForm, show_service_error
from ..models import SURVEY_FIELDS, SurveyKind, SurveyResponse
from .pairings import _confirm, _to_pairing, asks_confirmation


def _survey_title(kind: str, round_: int) -> str:
    if kind == SurveyKind.CLOSE_OUT:
        return _("Close-out survey")
    return _("Pulse survey %(round)d") % {"round": round_}


def _render(request, access, form, *, kind, round_, response=None, status=200):
    return render(
        request,
        "mentorship/survey_form.html",
        {
            "pairing": access.pairing,
            "access": access,
            "form": form,
            "response": response,
            "kind": kind,
            "survey_title": _survey_title(kind, round_),
            "partner": access.pairing.mentee_name
            if access.role == policy.MENTOR
            else access.pairing.mentor_name,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer(request, pairing_uuid, kind, round):
    """The survey open to the viewer now; answered already, it is their answer to correct."""
    access = policy.survey_to_answer(request.viewer, pairing_uuid, kind, round)
    existing = SurveyResponse.objects.filter(
        pairing=access.pairing, author=request.user, kind=kind, round=round
    ).first()
    if existing is not None:
        return redirect("mentorship:survey_edit", access.pairing.uuid, existing.uuid)
    # An empty POST is a form with every answer missing, not a blank form.
    data = request.POST if request.method == "POST" else None
    form = SurveyForm(data, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(
                pairing=access.pairing,
                author=request.user,
                kind=kind,
                round=round,
                **form.cleaned_data,
            )
        except services.MentorshipDuplicate as error:
            messages.info(request, error.message)
            return _to_pairing(access.pairing, "surveys")
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Thank you for answering the survey."))
            return _to_pairing(access.pairing, "surveys")
    status = 400 if request.method == "POST" else 200
    return _render(request, access, form, kind=kind, round_=round, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit(request, pairing_uuid, response_uuid):
    access, response = policy.survey_response_for_author(
        request.viewer, pairing_uuid, response_uuid
    )
    initial = {name: getattr(response, name) for name in SURVEY_FIELDS[response.kind]}
    data = request.POST if request.method == "POST" else None
    form = SurveyForm(data, initial=initial, kind=response.kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(response=response, by=request.user, **form.cleaned_data)
        except services.MentorshipError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Your answer is saved."))
            return _to_pairing(access.pairing, f"survey-{response.uuid}")
    status = 400 if request.method == "POST" else 200
    return _render(
        request,
        access,
        form,
        kind=response.kind,
        round_=response.round,
        response=response,
        status=status,
    )


@login_required
@require_POST
def survey_share(request, pairing_uuid, response_uuid):
    """Share the answer with the other side of the pair (shared=1), or stop (shared=0)."""
    access, response = policy.survey_response_for_author(
        request.viewer, pairing_uuid, response_uuid
    )
    shared = request.POST.get("shared") == "1"
    services.survey_update(response=response, by=request.user, shared=shared)
    if shared:
        messages.success(request, _("The other side of the pair can read your answer now."))
    else:
        messages.success(request, _("Your answer is private again."))
    return _to_pairing(access.pairing, f"survey-{response.uuid}")


@login_required
@require_http_methods(["GET", "POST"])
def survey_delete(request, pairing_uuid, response_uuid):
    access, response = policy.survey_response_for_author(
        request.viewer, pairing_uuid, response_uuid
    )
    if asks_confirmation(request):
        return _confirm(
            request,
            title=_("Delete your survey answer?"),
            text=_("Your answer leaves the pairing and the program's totals."),
            action=reverse("mentorship:survey_delete", args=[access.pairing.uuid, response.uuid]),
            button=_("Delete the answer"),
            cancel=reverse("mentorship:pairing_detail", args=[access.pairing.uuid]),
        )
    services.survey_delete(response=response, by=request.user)
    messages.success(request, _("Your survey answer is deleted."))
    return _to_pairing(access.pairing, "surveys")
