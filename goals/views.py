"""Thin views: fetch through the access policy (404 for strangers, 403 for read-only), call
a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import require, require_found
from core.errors import InvalidInput
from mentorship.policy import get_program_for_admin

from . import selectors, services
from .charts import progress_chart
from .forms import AcknowledgeForm, CommentForm, GoalForm, MilestoneForm, ProgressUpdateForm
from .models import Goal, GoalStatus, Milestone, MilestoneKind, Visibility
from .policy import GoalAccess, goal_access, visibility_sentences
from .smart import smart_check_data, smart_check_goal
from .templates_catalog import TEMPLATES, template_for

EVENTS_SHOWN = 50


REVIEW_PAGE_SIZE = 20


# --- Access helpers -------------------------------------------------------------------------


def _goal_for(request, uuid) -> tuple[Goal, GoalAccess]:
    """The goal and the viewer's access to it; 404 when they may not know it exists."""
    goal = selectors.goal_for_page(uuid)
    access = goal_access(request.viewer, goal) if goal is not None else None
    require_found(access is not None and access.exists)
    return goal, access


def _milestone_for_owner(request, uuid) -> Milestone:
    milestone = selectors.milestone_by_uuid(uuid)
    access = goal_access(request.viewer, milestone.goal) if milestone is not None else None
    require_found(access is not None and access.exists)
    require(access.can_edit)
    return milestone


def _next_url(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next")
    # Only a path on this site: redirect() would take any other word for a view name (500).
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return default


def _sentences(program, pairing) -> dict:
    return visibility_sentences(
        mentor_name=pairing.mentor.display_name if pairing else None,
        program_name=program.name if program else None,
    )


# --- Mentee: goals --------------------------------------------------------------------------


@login_required
@require_GET
def goal_list(request):
    goals = list(selectors.mentee_goals(request.viewer))
    open_goals = [g for g in goals if g.is_open]
    closed_goals = [g for g in goals if not g.is_open]
    return render(
        request,
        "goals/goal_list.html",
        {"open_goals": open_goals, "closed_goals": closed_goals},
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_create(request):
    program, pairing = selectors.mentee_goal_context(request.viewer)
    sentences = _sentences(program, pairing)
    template = template_for(request.GET.get("template"))
    if request.method == "POST":
        form = GoalForm(request.POST, creating=True, visibility_sentences=sentences)
        if form.is_valid():
            goal = services.goal_create(
                mentee=request.user,
                data=form.cleaned_data,
                program=program,
                pairing=pairing,
                milestone_titles=form.milestone_titles,
            )
            if "activate" in request.POST:
                try:
                    services.goal_set_status(goal=goal, status=GoalStatus.ACTIVE, by=request.user)
                except services.FocusLimitReached as limit:
                    messages.info(request, _("Your goal was saved as a draft."))
                    return _focus_limit_page(request, goal, limit)
                messages.success(request, _("Your goal is saved and active."))
            else:
                messages.success(request, _("Your goal is saved as a draft."))
            return redirect("goals:goal_detail", uuid=goal.uuid)
    else:
        today = timezone.localdate()
        initial = template.initial(today=today) if template else {"starts_on": today}
        initial["visibility"] = Visibility.MENTOR
        form = GoalForm(initial=initial, creating=True, visibility_sentences=sentences)
    report = smart_check_data(form.data if form.is_bound else form.initial)
    return render(
        request,
        "goals/goal_form.html",
        {
            "form": form,
            "creating": True,
            "templates": TEMPLATES,
            "chosen_template": template,
            "smart": report,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    pairing = selectors.goal_open_pairing(goal)
    sentences = _sentences(goal.program, pairing)
    status = 200
    if request.method == "POST":
        form = GoalForm(request.POST, instance=goal, creating=False, visibility_sentences=sentences)
        if form.is_valid():
            try:
                services.goal_update(
                    goal=goal,
                    by=request.user,
                    changes=form.cleaned_data,
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleGoalError:
                form.add_error(
                    None,
                    _(
                        "This goal was changed in another tab or window after you opened this "
                        "form, so your changes were not saved. Open the goal again to see the "
                        "latest version, then make your changes there."
                    ),
                )
                status = 409
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect("goals:goal_detail", uuid=goal.uuid)
    else:
        form = GoalForm(instance=goal, creating=False, visibility_sentences=sentences)
    report = smart_check_data(form.data) if form.is_bound else smart_check_goal(goal)
    return render(
        request,
        "goals/goal_form.html",
        {"form": form, "creating": False, "goal": goal, "smart": report},
        status=status,
    )


@login_required
@require_POST
def smart_check(request):
    """The SMART check as the mentee types (htmx); guidance only, nothing is saved."""
    return render(request, "goals/_smart_check.html", {"smart": smart_check_data(request.POST)})


def _focus_limit_page(request, goal, limit: services.FocusLimitReached):
    return render(
        request,
        "goals/focus_limit.html",
        {"goal": goal, "limit": limit.limit, "active_goals": limit.active_goals},
        status=409,
    )


@login_required
@require_POST
def goal_status(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    status = request.POST.get("status", "")
    put_on_hold = None
    if request.POST.get("hold"):
        put_on_hold = selectors.mentee_active_goal(request.viewer, request.POST["hold"])
        require_found(put_on_hold is not None)
    try:
        services.goal_set_status(
            goal=goal,
            status=status,
            by=request.user,
            confirm_over_limit=request.POST.get("confirm") == "1",
            put_on_hold=put_on_hold,
        )
    except services.FocusLimitReached as limit:
        return _focus_limit_page(request, goal, limit)
    except InvalidInput as error:
        messages.error(request, error.message)
        return redirect("goals:goal_detail", uuid=goal.uuid)
    if put_on_hold is not None:
        messages.success(
            request,
            _("“%(other)s” is on hold; “%(goal)s” is active.")
            % {"other": put_on_hold.title, "goal": goal.title},
        )
    elif status == GoalStatus.COMPLETED:
        messages.success(request, _("🎉 Goal completed. Well done!"), extra_tags="celebrate")
    else:
        messages.success(
            request, _("Status changed to %(status)s.") % {"status": goal.get_status_display()}
        )
    return redirect(_next_url(request, reverse("goals:goal_detail", args=[goal.uuid])))


@login_required
@require_POST
def goal_move(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        services.goal_move(goal=goal, direction=direction, by=request.user)
    return redirect(_next_url(request, reverse("goals:goal_list")))


# --- The goal page --------------------------------------------------------------------------


def _goal_page(
    request,
    goal: Goal,
    access: GoalAccess,
    *,
    update_form=None,
    milestone_form=None,
    comment_form=None,
    status: int = 200,
):
    context = {"goal": goal, "access": access, "progress": goal.progress}
    if access.can_see_details:
        items = list(goal.milestones.all())
        details = selectors.goal_page_details(goal, events_shown=EVENTS_SHOWN)
        updates = details.updates
        context.update(
            milestones=[m for m in items if m.kind == MilestoneKind.MILESTONE],
            actions=[m for m in items if m.kind == MilestoneKind.ACTION],
            updates=updates,
            chart=progress_chart(goal, updates),
            chart_rows=[u for u in reversed(updates) if u.value is not None],
            comments=details.comments,
            events=details.events,
        )
    if access.can_edit:
        pairing = selectors.goal_open_pairing(goal)
        context.update(
            smart=smart_check_goal(goal),
            visibility_sentence=_sentences(goal.program, pairing)[goal.visibility],
            update_form=update_form or ProgressUpdateForm(goal=goal),
            milestone_form=milestone_form or MilestoneForm(),
            status_choices=[c for c in GoalStatus.choices if c[0] != goal.status],
        )
    if access.can_comment:
        context["comment_form"] = comment_form or CommentForm(allow_kudos=access.is_mentor)
    return render(request, "goals/goal_detail.html", context, status=status)


@login_required
@require_GET
def goal_detail(request, uuid):
    goal, access = _goal_for(request, uuid)
    return _goal_page(request, goal, access)


@login_required
@require_POST
def milestone_add(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        return _goal_page(request, goal, access, milestone_form=form, status=400)
    services.milestone_add(goal=goal, by=request.user, **form.cleaned_data)
    messages.success(request, _("Added “%(title)s”.") % {"title": form.cleaned_data["title"]})
    return redirect(reverse("goals:goal_detail", args=[goal.uuid]) + "#milestones")


@login_required
@require_POST
def milestone_complete(request, uuid):
    milestone = _milestone_for_owner(request, uuid)
    if services.milestone_complete(milestone=milestone, by=request.user):
        messages.success(
            request,
            _("🎉 Milestone reached: “%(title)s”. Nice work!") % {"title": milestone.title},
            extra_tags="celebrate",
        )
    return redirect(reverse("goals:goal_detail", args=[milestone.goal.uuid]) + "#milestones")


@login_required
@require_POST
def milestone_reopen(request, uuid):
    milestone = _milestone_for_owner(request, uuid)
    if services.milestone_reopen(milestone=milestone, by=request.user):
        messages.info(request, _("Reopened “%(title)s”.") % {"title": milestone.title})
    return redirect(reverse("goals:goal_detail", args=[milestone.goal.uuid]) + "#milestones")


@login_required
@require_POST
def milestone_move(request, uuid):
    milestone = _milestone_for_owner(request, uuid)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        services.milestone_move(milestone=milestone, direction=direction, by=request.user)
    return redirect(reverse("goals:goal_detail", args=[milestone.goal.uuid]) + "#milestones")


@login_required
@require_POST
def update_add(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    form = ProgressUpdateForm(request.POST, goal=goal)
    if not form.is_valid():
        return _goal_page(request, goal, access, update_form=form, status=400)
    services.progress_update_log(
        goal=goal,
        by=request.user,
        value=form.cleaned_data.get("value"),
        note=form.cleaned_data["note"],
        confidence=form.cleaned_data["confidence"],
    )
    messages.success(request, _("Progress logged."))
    return redirect(reverse("goals:goal_detail", args=[goal.uuid]) + "#updates")


@login_required
@require_POST
def comment_add(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_comment)
    form = CommentForm(request.POST, allow_kudos=access.is_mentor)
    if not form.is_valid():
        return _goal_page(request, goal, access, comment_form=form, status=400)
    services.comment_add(
        goal=goal,
        by=request.user,
        body=form.cleaned_data["body"],
        is_kudos=form.cleaned_data.get("is_kudos", False),
    )
    messages.success(request, _("Your comment is posted."))
    return redirect(reverse("goals:goal_detail", args=[goal.uuid]) + "#feedback")


@login_required
@require_POST
def update_acknowledge(request, uuid):
    update = selectors.update_by_uuid(uuid)
    access = goal_access(request.viewer, update.goal) if update is not None else None
    require_found(access is not None and access.exists)
    require(access.can_acknowledge)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            # 200 so that htmx swaps the item in and shows the message (it ignores 4xx).
            return render(request, "goals/_review_item.html", {"update": update, "ack_form": form})
        messages.error(request, form.errors["reply"][0])
        return redirect(_next_url(request, reverse("goals:review_queue")))
    services.progress_update_acknowledge(
        update=update, by=request.user, reply=form.cleaned_data["reply"]
    )
    if request.htmx:
        return render(request, "goals/_review_item.html", {"update": update, "done": True})
    messages.success(
        request,
        _("Acknowledged %(mentee)s's update.") % {"mentee": update.goal.mentee.display_name},
    )
    return redirect(_next_url(request, reverse("goals:review_queue")))


# --- Dashboards and mentor pages ------------------------------------------------------------


@login_required
@require_GET
def mentee_dashboard(request):
    return render(
        request,
        "goals/mentee_dashboard.html",
        {"dash": selectors.mentee_dashboard(request.viewer), "today": timezone.localdate()},
    )


@login_required
@require_GET
def mentor_dashboard(request):
    return render(
        request,
        "goals/mentor_dashboard.html",
        {"dash": selectors.mentor_dashboard(request.viewer), "today": timezone.localdate()},
    )


@login_required
@require_GET
def mentor_mentees(request):
    return render(
        request, "goals/mentor_mentees.html", {"rows": selectors.mentor_mentees(request.viewer)}
    )


@login_required
@require_GET
def review_queue(request):
    # Oldest first, a page at a time: a mentor back from a holiday may find hundreds.
    page = Paginator(selectors.review_queue(request.viewer), REVIEW_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "goals/review_queue.html",
        {"page": page, "updates": page.object_list, "ack_form": AcknowledgeForm()},
    )


@login_required
@require_GET
def program_goals(request, uuid):
    """A program admin's summary of the program's goals: title, status, progress, health;
    details only for goals shared with the program."""
    # 403 for the program's other members, 404 for everyone else (mentorship.policy).
    program = get_program_for_admin(request.viewer, uuid)
    return render(
        request,
        "goals/program_goals.html",
        {
            "program": program,
            "goals": selectors.program_goal_rows(program),
            "goal_health": selectors.goal_health_distribution(program),
        },
    )
