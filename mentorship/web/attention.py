"""The program admin's needs-attention list (open occasions of the nudge rules, what was sent
about each, a nudge by hand and a snooze) and the program's nudge rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError

from .. import nudges, occasions, policy
from ..forms import NudgeMessageForm, NudgeRulesForm, NudgeSnoozeForm, show_service_error
from ..models import NudgeRuleName


def _attention_page(request, program, *, failed=None, status=200):
    """The list; `failed` is (occasion key, form) of a form that did not go through."""
    today = timezone.localdate()
    rows = occasions.open_occasions(program, day=today)
    for o in rows:
        o.step_now = o.step_due(today)
        o.recipients = nudges.manual_recipient_names(o)
        o.message_form = NudgeMessageForm(initial={"occasion": o.key})
        o.snooze_form = NudgeSnoozeForm(initial={"occasion": o.key})
        if failed and failed[0] == o.key:
            if isinstance(failed[1], NudgeMessageForm):
                o.message_form = failed[1]
            else:
                o.snooze_form = failed[1]
    waiting = [o for o in rows if not o.is_snoozed_on(today)]
    snoozed = [o for o in rows if o.is_snoozed_on(today)]
    unmatched_error = None
    if failed and not any(o.key == failed[0] for o in rows):
        unmatched_error = failed[1].non_field_errors() or failed[1].errors
    return render(
        request,
        "mentorship/attention.html",
        {
            "program": program,
            "waiting": waiting,
            "snoozed": snoozed,
            "unmatched_error": unmatched_error,
            "unpaired_rule": NudgeRuleName.UNPAIRED,
        },
        status=status,
    )


@login_required
@require_GET
def program_attention(request, program_uuid):
    program = policy.get_program_for_attention(request.viewer, program_uuid)
    return _attention_page(request, program)


@login_required
@require_POST
def attention_nudge(request, program_uuid):
    program = policy.get_program_for_attention(request.viewer, program_uuid)
    form = NudgeMessageForm(request.POST)
    if form.is_valid():
        try:
            nudges.nudge_send(
                program=program,
                occasion_key=form.cleaned_data["occasion"],
                by=request.user,
                message=form.cleaned_data["message"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Nudge sent."))
            return redirect("mentorship:program_attention", program.uuid)
    return _attention_page(
        request, program, failed=(request.POST.get("occasion", ""), form), status=400
    )


@login_required
@require_POST
def attention_snooze(request, program_uuid):
    program = policy.get_program_for_attention(request.viewer, program_uuid)
    form = NudgeSnoozeForm(request.POST)
    if form.is_valid():
        try:
            nudge = nudges.nudge_snooze(
                program=program,
                occasion_key=form.cleaned_data["occasion"],
                by=request.user,
                days=form.cleaned_data["days"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                _("Snoozed until %(date)s.") % {"date": nudge.snoozed_until.isoformat()},
            )
            return redirect("mentorship:program_attention", program.uuid)
    return _attention_page(
        request, program, failed=(request.POST.get("occasion", ""), form), status=400
    )


@login_required
@require_http_methods(["GET", "POST"])
def nudge_rules(request, program_uuid):
    program = policy.get_program_for_attention(request.viewer, program_uuid)
    form = NudgeRulesForm(
        request.POST or None,
        rules=occasions.program_rules(program),
        defaults=occasions.DEFAULT_RULES,
        labels=occasions.RULE_HELP,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                nudges.nudge_rules_update(program=program, settings=form.settings())
            except ServiceError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("Nudge rules saved."))
                return redirect("mentorship:nudge_rules", program.uuid)
        status = 400
    else:
        status = 200
    rows = [(rule, label, [form[name] for name in names]) for rule, label, names in form.rows]
    return render(
        request,
        "mentorship/nudge_rules.html",
        {"program": program, "form": form, "rows": rows},
        status=status,
    )
